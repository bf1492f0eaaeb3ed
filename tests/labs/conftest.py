"""Engines for the labs: the same session fixtures as the chapters (tests/support/).

The notebooks run in a Jupyter kernel, a child of the test process that inherits its
environment: the fixtures export the endpoints the labs read (MLFLOW_TRACKING_URI, RAY_ADDRESS,
SERVE_HTTP_PORT, PROMETHEUS_URL) exactly as they do for the chapters' examples, and unset the
Spark settings that would name a cluster (MASTER, SPARK_CONF_DIR), so the Spark lab takes its
local path.
Every engine is stopped at the end of the session, even when a lab failed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.examples import venv_env
from tests.support.prometheus import Prometheus
from tests.support.ray_head import RayHead
from tests.support.spark_session import C1_ONLY


@pytest.fixture(scope="session", autouse=True)
def kernel_env() -> Iterator[None]:
    """The kernel is this venv's python: ipykernel's spec runs `python` from PATH."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", venv_env()["PATH"])
        yield


@pytest.fixture(scope="session")
def lab_spark_env(spark_env: dict[str, str]) -> Iterator[None]:
    """The lab builds its own local[2] session in the kernel (a JVM cannot be shared across
    processes), with the C1 JIT of the chapter's fixture; the UI stays on: the lab reads task
    times from its REST API."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYSPARK_SUBMIT_ARGS", f"--driver-java-options {C1_ONLY} pyspark-shell")
        yield


@pytest.fixture(scope="session")
def ray_prometheus(ray_head: RayHead, prometheus_servers) -> Iterator[Prometheus]:
    """A Prometheus scraping the head's metrics export port every second (job "ray"), exported
    as PROMETHEUS_URL; ready once the first scrape of the head succeeded."""
    prom = prometheus_servers({"ray": [f"127.0.0.1:{ray_head.metrics_port}"]})
    prom.wait_for('up{job="ray"} == 1', timeout=120)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PROMETHEUS_URL", prom.url)
        yield prom
