"""examples/mlflow_/cli-cheatsheet.sh: every command in it runs, as written.

The test reads the commands from the file, fills the placeholders (a real run id, a free port)
and runs each one, so an edit to the cheat sheet is tested too.
"""

from __future__ import annotations

import json
import subprocess
import urllib.request

import pytest

from tests.mlflow_.conftest import EXAMPLES, example_env
from tests.support.processes import Server, free_port, http_ok, running

CHEATSHEET = EXAMPLES / "cli-cheatsheet.sh"
MODEL = "CheatSheetModel"


def commands() -> dict[str, str]:
    """The cheat sheet's commands, keyed by what they do (an unknown command fails here)."""
    kinds = {
        "mlflow ui ": "ui",
        'python -c "import mlflow; mlflow.register_model(': "register",
        'python -c "import mlflow; mlflow.MlflowClient().set_registered_model_alias(': "alias",
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


def shell(line: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        ["bash", "-c", line], capture_output=True, text=True, env=example_env(), timeout=300
    )
    assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
    return done


def test_ui_starts_a_tracking_server(tmp_path):
    port = free_port()
    line = commands()["ui"].replace("5000", str(port))
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    server = Server(
        "mlflow ui",
        ["bash", "-c", f"cd {cwd} && {line}"],
        log_path=tmp_path / "ui.log",
        # Same command; background jobs off to spare a small machine (ENGINE-NOTES).
        env={**example_env(), "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"},
    )
    with running(server):
        server.wait_until(lambda: http_ok(f"http://127.0.0.1:{port}/health"), 300, "/health")
        search = f"http://127.0.0.1:{port}/api/2.0/mlflow/experiments/search?max_results=10"
        with urllib.request.urlopen(search, timeout=30) as response:
            experiments = json.load(response)["experiments"]
        assert [e["name"] for e in experiments] == ["Default"]
    assert (cwd / "mlflow.db").is_file()  # the default store, in the working directory


def test_register_alias_and_serve(client, tracked, reference_model, first_rows, tmp_path):
    lines = commands()
    register = lines["register"].replace("<run-id>", tracked.run_id).replace("ModelName", MODEL)
    shell(register)
    version = client.get_model_version(MODEL, "1")
    assert version.run_id == tracked.run_id

    shell(lines["alias"].replace("ModelName", MODEL))
    assert client.get_model_version_by_alias(MODEL, "champion").version == "1"

    port = free_port()
    serve = lines["serve"].replace("5001", str(port)).replace("ModelName", MODEL)
    server = Server(
        "mlflow models serve", ["bash", "-c", serve], tmp_path / "serve.log", env=example_env()
    )
    url = f"http://127.0.0.1:{port}"
    with running(server):
        server.wait_until(lambda: http_ok(f"{url}/ping"), 300, "answering /ping")
        body = {"dataframe_split": first_rows.to_dict(orient="split", index=False)}
        request = urllib.request.Request(
            f"{url}/invocations",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            predictions = json.load(response)["predictions"]
    assert predictions == pytest.approx(list(reference_model.predict(first_rows)), rel=1e-12)


def test_draft_models_register_does_not_exist():
    """The draft's `mlflow models register -m runs:/<run-id>/model -n ModelName`."""
    done = subprocess.run(
        ["mlflow", "models", "register", "-m", "runs:/0/model", "-n", "ModelName"],
        capture_output=True,
        text=True,
        env=example_env(),
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "No such command 'register'" in done.stderr
