"""A real `mlflow server` for the tests: SQLite backend store, local artifact root, 127.0.0.1.

Tuned for a small machine: one worker and no job execution (ENGINE-NOTES: 34 s and 15
processes by default, about 10 s and 2 processes like this). On a loaded 2-core machine the same
start took 117 s, hence the generous default timeout.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

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
