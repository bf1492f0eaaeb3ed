"""The Ray chapter: examples run as fresh processes against the session's head
(tests/support/ray_head.py), the way a reader runs them with RAY_ADDRESS set."""

from __future__ import annotations

import re

import pytest

from tests.support.examples import ExampleFailed, ExampleRun, run_example
from tests.support.ray_head import RayHead

# What the examples leave in their globals for the tests to check.
CHECKED_GLOBALS = ("results", "elapsed", "cpus")
# A line Ray forwards to the driver's output from a worker ("(ModelReplica pid=4242) ...") or
# from the node ("(raylet) ..."), its prefix in colour codes unless RAY_COLOR_PREFIX=0.
FORWARDED = re.compile(r"^(\x1b\[[0-9;]*m)*\([^()]*(\bpid=\d+|raylet|autoscaler)[^()]*\)")


@pytest.fixture(scope="session", autouse=True)
def _ray_env_before_any_import(ray_env: dict[str, str]) -> None:
    """Ray reads its environment when first imported, and these tests import it."""


def run_ray_example(name: str, *argv: str, head: RayHead, address: str = "") -> ExampleRun:
    """examples/ray_/<name> against the session's head (or `address`); a failure shows the
    example's output and the head's state."""
    try:
        return run_example(
            f"ray_/{name}",
            *argv,
            env={"RAY_ADDRESS": address} if address else None,
            keep=CHECKED_GLOBALS,
            timeout=420,
        )
    except ExampleFailed as failure:
        pytest.fail(f"{failure}\n{head.health()}", pytrace=False)


def driver_output(stdout: str) -> str:
    """What the example itself printed: its stdout without the lines Ray forwards from worker
    processes, which arrive at any moment and which Ray folds together at will."""
    return "\n".join(line for line in stdout.splitlines() if not FORWARDED.match(line))
