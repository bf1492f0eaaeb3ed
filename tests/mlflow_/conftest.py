"""One real `mlflow server` per test session, and the runs every test reads back from it.

The server (SQLite store, local artifacts, 127.0.0.1, a free port) starts once, is exported to
the examples as MLFLOW_TRACKING_URI, and is always stopped, even when a test fails.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.mlflow_server import start_mlflow_server

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "mlflow_"
MODEL_NAME = "DiabetesModel"
PAGE = ROOT / "docs" / "mlops" / "mlflow.md"
# What tracking.py trains; the tests train the same forest to check what the server returns.
PARAMS = {"n_estimators": 100, "max_depth": 5, "random_state": 42}


def example_env(**extra: str) -> dict[str, str]:
    """The environment of an example: this venv's bin first (`mlflow models serve` and
    `mlflow run --env-manager local` exec `uvicorn` and `python` from PATH)."""
    venv_bin = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}", **extra}


def run_example(*args: str, timeout: float = 480, **env: str) -> subprocess.CompletedProcess:
    """Run an example (a .py with this Python, a .sh with bash) and fail with its output."""
    first = str(args[0])
    command = [sys.executable, *args] if first.endswith(".py") else ["bash", *args]
    done = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        env=example_env(**env),
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, args))} exited with {done.returncode}\n"
            f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
        )
    return done


@pytest.fixture(scope="session")
def tracking_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server, uri = start_mlflow_server(tmp_path_factory.mktemp("mlflow-server"))
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("MLFLOW_TRACKING_URI", uri)
            # A dead server then fails in seconds, not after ~250 s of retries.
            patch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1")
            yield uri
    finally:
        server.stop()


@pytest.fixture(scope="session")
def client(tracking_uri: str):
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri)


@dataclass(frozen=True)
class Tracked:
    run_id: str
    mse: float
    version: str
    stdout: str


@pytest.fixture(scope="session")
def tracked(tracking_uri: str) -> Tracked:
    """tracking.py, run once: a run with params, metric, model and plot; a registered version."""
    out = run_example(EXAMPLES / "tracking.py").stdout
    run = re.search(r"^run (\w+): mse=([\d.]+)$", out, re.MULTILINE)
    registered = re.search(rf"^registered {MODEL_NAME} version (\d+)$", out, re.MULTILINE)
    assert run and registered, f"unexpected output of tracking.py:\n{out}"
    return Tracked(run[1], float(run[2]), registered[1], out)


@pytest.fixture(scope="session")
def champion(tracked: Tracked) -> str:
    """registry.py, run once after tracking.py: @champion set on the newest version."""
    out = run_example(EXAMPLES / "registry.py").stdout
    assert f"{MODEL_NAME}@champion -> version {tracked.version}," in out, out
    return tracked.version


@pytest.fixture(scope="session")
def diabetes_split():
    from sklearn.datasets import load_diabetes
    from sklearn.model_selection import train_test_split

    X, y = load_diabetes(return_X_y=True, as_frame=True)
    return train_test_split(X, y, test_size=0.2, random_state=42)


@pytest.fixture(scope="session")
def reference_model(diabetes_split):
    """The same forest tracking.py trains (a fixed random_state makes it identical)."""
    from sklearn.ensemble import RandomForestRegressor

    X_train, _, y_train, _ = diabetes_split
    return RandomForestRegressor(**PARAMS).fit(X_train, y_train)


@pytest.fixture(scope="session")
def first_rows():
    """The three rows load_model.py and invoke.py predict on."""
    from sklearn.datasets import load_diabetes

    return load_diabetes(as_frame=True).frame.drop(columns="target").head(3)


def assert_page_shows(line: str) -> None:
    """The chapter page shows what the example really printed (run ids masked as <run-id>)."""
    assert line in PAGE.read_text(), f"{PAGE} should show this output line:\n{line}"


def printed_predictions(stdout: str) -> list[float]:
    match = re.search(r"^predictions: \[(.*)\]$", stdout, re.MULTILINE)
    assert match, f"no 'predictions: [...]' line in:\n{stdout}"
    return [float(value) for value in match[1].split(",")]


@contextlib.contextmanager
def mlflow_log(logger_name: str) -> Iterator[list[str]]:
    """The messages an MLflow logger emits inside the block (MLflow logs deprecations, it does
    not always raise a Python warning)."""
    messages: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
