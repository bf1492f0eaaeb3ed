"""A real `mlflow server` for the tests: SQLite backend store, local artifact root, 127.0.0.1.

One worker and no background job execution: a small machine starts it in seconds, not half a
minute, and the tests use neither.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import Server, free_port, http_ok


def start_mlflow_server(workdir: Path, timeout: float = 300.0) -> tuple[Server, str]:
    """Start a tracking server under `workdir`; return it and its tracking URI."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    mlflow_cli = shutil.which("mlflow", path=str(Path(sys.executable).parent))
    if mlflow_cli is None:
        raise RuntimeError(f"no `mlflow` command beside {sys.executable}: install the mlflow group")
    server = Server(
        "mlflow server",
        [
            mlflow_cli,
            "server",
            "--backend-store-uri",
            f"sqlite:///{workdir / 'mlflow.db'}",
            "--artifacts-destination",
            str(workdir / "artifacts"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        log_path=workdir / "mlflow-server.log",
        env={"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"},
    )
    uri = f"http://127.0.0.1:{port}"
    try:
        server.wait_until(lambda: http_ok(f"{uri}/health"), timeout, "answering /health")
    except BaseException:
        server.stop()  # a leader that died early may leave its uvicorn worker behind
        raise
    return server, uri


@pytest.fixture(scope="session")
def tracking_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One tracking server per test session, exported as MLFLOW_TRACKING_URI (to examples and
    to in-process clients alike); always stopped."""
    server, uri = start_mlflow_server(tmp_path_factory.mktemp("mlflow-server"))
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("MLFLOW_TRACKING_URI", uri)
            # A dead server then fails in seconds, not after ~250 s of retries.
            patch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1")
            yield uri
    finally:
        server.stop()
