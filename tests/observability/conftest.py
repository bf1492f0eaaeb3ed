"""Fixtures of the observability chapter: promtool, found once per session.

The rule files are checked and unit-tested by Prometheus's own `promtool`, run as a
subprocess: no server, no Python client. Without promtool every test that needs it fails
with the install command (never a skip: a missing tool must not look like a green run).
"""

from __future__ import annotations

import pytest

from tests.observability.promtool import PromtoolMissing, find_promtool


@pytest.fixture(scope="session")
def promtool() -> str:
    """The path of promtool; the test fails with `apt-get install prometheus` without it."""
    try:
        return find_promtool()
    except PromtoolMissing as exc:
        pytest.fail(str(exc), pytrace=False)
