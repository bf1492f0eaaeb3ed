"""Engines for the labs: the chapters' own fixtures, started once per test session.

The notebooks run in a Jupyter kernel (a child process of the test), which inherits this
process's environment: the fixtures below export the endpoints the labs read
(MLFLOW_TRACKING_URI, RAY_ADDRESS, SERVE_HTTP_PORT) exactly as they do for the chapters'
examples, and every engine is stopped at the end of the session, even when a lab failed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Imported, not copied: the same server, head and Java check as tests/mlflow_, tests/ray_ and
# tests/spark (pytest registers fixtures imported into a conftest).
from tests.mlflow_.conftest import tracking_uri  # noqa: F401
from tests.ray_.conftest import ray_cluster, ray_head, serve_port  # noqa: F401
from tests.spark.conftest import JavaNotUsable, find_java


@pytest.fixture(scope="session", autouse=True)
def kernel_env() -> Iterator[None]:
    """The kernel is this venv's python: ipykernel's spec runs `python` from PATH."""
    venv_bin = str(Path(sys.executable).parent)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PATH", f"{venv_bin}{os.pathsep}{os.environ['PATH']}")
        yield


@pytest.fixture(scope="session")
def spark_env() -> Iterator[None]:
    """What the Spark chapter's fixture sets before its session; the lab builds its own
    local[2] session in the kernel (a JVM cannot be shared across processes)."""
    try:
        find_java()
    except JavaNotUsable as error:
        pytest.fail(str(error), pytrace=False)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PYSPARK_PYTHON", sys.executable)
        env.setenv("PYSPARK_DRIVER_PYTHON", sys.executable)
        env.setenv("SPARK_LOCAL_IP", "127.0.0.1")
        env.delenv("SPARK_REMOTE", raising=False)  # classic Spark, never a reader's cluster
        env.delenv("SPARK_MASTER", raising=False)  # local[2], as in the chapter's tests
        # The JIT option of tests/spark: the lab's JVM lives a minute, not long enough for
        # C2's compilations to pay for the CPU they take from two busy cores. The UI stays on
        # (the lab reads task times from its REST API).
        env.setenv(
            "PYSPARK_SUBMIT_ARGS", "--driver-java-options -XX:TieredStopAtLevel=1 pyspark-shell"
        )
        yield
