"""examples/mlflow_/cli-cheatsheet.sh: every command in it runs, as written.

The commands are read from the file (conftest.py's `cheatsheet_commands`), the placeholders filled
(a real run id, a free port) and each one run, so an edit to the cheat sheet is tested too. The
servers start before the first test (conftest.py); the tests wait for them and check them.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.mlflow_.conftest import CHEATSHEET_MODEL, cheatsheet_commands, cheatsheet_shell
from tests.support.processes import http_ok

MODEL = CHEATSHEET_MODEL


def test_ui_starts_a_tracking_server(ui_server):
    server, url = ui_server.server, ui_server.url
    server.wait_until(lambda: http_ok(f"{url}/health"), 300, "/health")
    search = f"{url}/api/2.0/mlflow/experiments/search?max_results=10"
    with urllib.request.urlopen(search, timeout=30) as response:
        experiments = json.load(response)["experiments"]
    assert [e["name"] for e in experiments] == ["Default"]
    server.stop()  # nothing else uses it
    assert (ui_server.cwd / "mlflow.db").is_file()  # the default store, in the working directory


def test_register_alias_and_serve(client, tracked, cheatsheet_served, reference_model, first_rows):
    # The register and alias lines ran (conftest.py, before the first test, so that the serve
    # line's server starts beside the other tests).
    version = client.get_model_version(MODEL, "1")
    assert version.run_id == tracked.run_id
    assert client.get_model_version_by_alias(MODEL, "champion").version == "1"
    # The resolve line prints the number the serve line then serves.
    resolve = cheatsheet_commands()["resolve"].replace("ModelName", MODEL)
    assert cheatsheet_shell(resolve).stdout.strip() == "1"
    assert f"models:/{MODEL}/1 " in cheatsheet_commands()["serve"].replace("ModelName", MODEL)

    server, url = cheatsheet_served.server, cheatsheet_served.url
    server.wait_until(lambda: http_ok(f"{url}/ping"), 300, "answering /ping")
    body = {"dataframe_split": first_rows.to_dict(orient="split", index=False)}
    request = urllib.request.Request(
        f"{url}/invocations",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        predictions = json.load(response)["predictions"]
    server.stop()  # nothing else uses it
    assert predictions == pytest.approx(list(reference_model.predict(first_rows)), rel=1e-12)


def test_draft_models_register_does_not_exist():
    """The draft's `mlflow models register -m runs:/<run-id>/model -n ModelName`, run through
    the function the `mlflow` command calls (its console-script entry point), in this process:
    the same parsing and exit code, without a new interpreter importing MLflow for a usage error.
    """
    from importlib.metadata import entry_points

    from click.testing import CliRunner

    # mlflow and mlflow-skinny both install the `mlflow` command, with the same target.
    scripts = entry_points(group="console_scripts", name="mlflow")
    assert {script.value for script in scripts} == {"mlflow.cli:cli"}
    args = ["models", "register", "-m", "runs:/0/model", "-n", "ModelName"]
    done = CliRunner().invoke(next(iter(scripts)).load(), args, prog_name="mlflow")
    assert done.exit_code == 2
    assert "No such command 'register'" in done.stderr
