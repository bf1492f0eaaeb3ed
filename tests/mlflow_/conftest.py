"""One real `mlflow server` per test session, and the runs every test reads back from it.

The tracking server is the session's (`tracking_uri`, tests/support/mlflow_server.py), exported
to the examples as MLFLOW_TRACKING_URI. The servers
the examples start (`mlflow ui`, the two `mlflow models serve`) start before the first test and
come up beside the other tests; each test that checks one waits for it.
"""

from __future__ import annotations

import contextlib
import logging
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.examples import run_example, venv_env
from tests.support.processes import Server, free_port, running, selected_fixtures

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "mlflow_"
MODEL_NAME = "DiabetesModel"
CHEATSHEET = EXAMPLES / "cli-cheatsheet.sh"
CHEATSHEET_MODEL = "CheatSheetModel"  # what the cheat sheet's ModelName becomes in the tests
# What tracking.py trains; the tests train the same forest to check what the server returns.
PARAMS = {"n_estimators": 100, "max_depth": 5, "random_state": 42}


def cheatsheet_commands() -> dict[str, str]:
    """The cheat sheet's commands, keyed by what they do (an unknown command fails here)."""
    kinds = {
        "mlflow ui ": "ui",
        'python -c "import mlflow; mlflow.register_model(': "register",
        'python -c "import mlflow; mlflow.MlflowClient().set_registered_model_alias(': "alias",
        'python -c "import mlflow; print(mlflow.MlflowClient().get_model_version_by_alias(': (
            "resolve"
        ),
        "mlflow models serve ": "serve",
    }
    found: dict[str, str] = {}
    for number, line in enumerate(CHEATSHEET.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        kind = next((k for prefix, k in kinds.items() if line.startswith(prefix)), None)
        assert kind, f"{CHEATSHEET}:{number}: no test runs this command: {line}"
        found[kind] = line
    assert set(found) == set(kinds.values())
    return found


@dataclass(frozen=True)
class Started:
    """A server started in the background; the test that checks it waits for it."""

    server: Server
    url: str
    cwd: Path


@pytest.fixture(scope="session")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Started]:
    """The cheat sheet's `mlflow ui` line, in an empty working directory, on a free port."""
    workdir = tmp_path_factory.mktemp("mlflow-ui")
    port = free_port()
    line = cheatsheet_commands()["ui"].replace("5000", str(port))
    cwd = workdir / "cwd"
    cwd.mkdir()
    server = Server(
        "mlflow ui",
        ["bash", "-c", f"cd {cwd} && {line}"],
        log_path=workdir / "ui.log",
        # Same command; one worker instead of 4 (MLFLOW_WORKERS is --workers' variable) and no
        # background jobs, to spare a small machine (ENGINE-NOTES: 34 s -> 10 s to start).
        env=venv_env(MLFLOW_WORKERS="1", MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false"),
    )
    with running(server):
        yield Started(server, f"http://127.0.0.1:{port}", cwd)


@pytest.fixture(scope="session")
def model_server(champion: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Started]:
    """serve.sh: `mlflow models serve` of DiabetesModel@champion, on a free port."""
    workdir = tmp_path_factory.mktemp("model-server")
    port = free_port()
    server = Server(
        "mlflow models serve",
        ["bash", str(EXAMPLES / "serve.sh")],
        log_path=workdir / "serve.log",
        env=venv_env(PORT=str(port)),
    )
    with running(server):
        yield Started(server, f"http://127.0.0.1:{port}", workdir)


def cheatsheet_shell(line: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        ["bash", "-c", line], capture_output=True, text=True, env=venv_env(), timeout=300
    )
    assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="session")
def cheatsheet_served(
    tracked: Tracked, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Started]:
    """Register tracking.py's model as CheatSheetModel and point @champion at version 1 with the
    cheat sheet's own lines, then start its `mlflow models serve` line (version 1) on a free
    port."""
    lines = cheatsheet_commands()
    model = CHEATSHEET_MODEL
    register = lines["register"].replace("<run-id>", tracked.run_id).replace("ModelName", model)
    cheatsheet_shell(register)
    cheatsheet_shell(lines["alias"].replace("ModelName", model))
    port = free_port()
    workdir = tmp_path_factory.mktemp("cheatsheet-serve")
    serve = lines["serve"].replace("5001", str(port)).replace("ModelName", model)
    server = Server(
        "mlflow models serve", ["bash", "-c", serve], workdir / "serve.log", env=venv_env()
    )
    with running(server):
        yield Started(server, f"http://127.0.0.1:{port}", workdir)


@pytest.fixture(scope="session", autouse=True)
def _start_servers_early(request: pytest.FixtureRequest) -> None:
    """Servers are the slowest things to start, and start one process at a time: start the ones
    the selected tests need before the first test, side by side, instead of when each is first
    used. The tests wait for them (`wait_until`), so a server that fails still fails its test."""
    wanted = selected_fixtures(request)
    for name in ("ui_server", "tracking_uri", "model_server", "cheatsheet_served"):
        if name in wanted:
            request.getfixturevalue(name)


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
def promoted(tracked: Tracked) -> str:
    """registry.py, run once after tracking.py: @champion set on the newest version. Returns
    what it printed."""
    out = run_example(EXAMPLES / "registry.py").stdout
    assert f"{MODEL_NAME}@champion -> version {tracked.version}," in out, out
    return out


@pytest.fixture(scope="session")
def champion(tracked: Tracked, promoted: str) -> str:
    """The version @champion points at (registry.py set it)."""
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
