"""The Flink chapter: examples run inside the test process (`run_in_process`), against the
session's gateway JVM (`flink_gateway`, tests/support/flink_gateway.py)."""

from __future__ import annotations

import pytest

from tests.support.examples import ROOT

EXAMPLES = ROOT / "examples" / "flink"


def pytest_configure(config: pytest.Config) -> None:
    # apache-beam, which PyFlink imports, still uses pyparsing's old names: not our code.
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:httplib2.*")
