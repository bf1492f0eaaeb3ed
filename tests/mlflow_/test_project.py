"""examples/mlflow_/run-project.sh: `mlflow run` of the MLproject, without conda."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib

import pytest
import yaml

from tests.mlflow_.conftest import EXAMPLES, ROOT
from tests.support.examples import venv_env

# The date and time MLflow's log lines start with, masked on the page.
TIMESTAMP = re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d ", re.MULTILINE)


def in_a_terminal(*command: str) -> subprocess.CompletedProcess[str]:
    """Run `command` with its stderr (where MLflow logs) and stdout in one stream, in the order
    a terminal shows them."""
    return subprocess.run(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=venv_env(),
        timeout=480,
        check=False,
    )


def test_mlflow_run_logs_the_parameters(client, page_output):
    done = in_a_terminal("bash", str(EXAMPLES / "run-project.sh"))
    assert done.returncode == 0, done.stdout
    run_id = re.search(r"=== Run \(ID '(\w+)'\) succeeded ===", done.stdout)
    assert run_id, done.stdout
    run = client.get_run(run_id[1])
    assert run.info.status == "FINISHED"
    assert run.data.params == {"n_estimators": "200", "max_depth": "10"}
    assert client.get_experiment(run.info.experiment_id).name == "diabetes_project"
    # train.py logged into the run `mlflow run` created, and printed the same MSE.
    printed = re.search(rf"^run {run_id[1]}: .* mse=([\d.]+)$", done.stdout, re.MULTILINE)
    assert printed, done.stdout
    assert run.data.metrics["mse"] == pytest.approx(float(printed[1]), abs=0.005)

    # The page shows train.py's line and mlflow.projects' log; other loggers' warnings depend on
    # the machine. Masked: the timestamps, the run id and the temporary folder.
    shown = "\n".join(
        line
        for line in done.stdout.splitlines()
        if line.startswith("run ") or " mlflow.projects" in line
    )
    shown = TIMESTAMP.sub("<timestamp> ", shown).replace(run_id[1], "<run-id>")
    shown = re.sub(r"directory /\S+ for", "directory <tmp-dir> for", shown)
    page_output("examples/mlflow_/run-project.out.txt", shown)


def test_python_env_pins_match_pyproject():
    """python_env.yaml repeats the pins of the mlflow group: keep them in step."""
    env = yaml.safe_load((EXAMPLES / "project" / "python_env.yaml").read_text())
    with open(ROOT / "pyproject.toml", "rb") as handle:
        group = tomllib.load(handle)["dependency-groups"]["mlflow"]
    pins = [item for item in group if isinstance(item, str)]
    assert set(env["dependencies"]) <= set(pins)
    assert env["python"] == f"{sys.version_info.major}.{sys.version_info.minor}"


def test_draft_conda_project_needs_conda(tracking_uri, tmp_path, page_output):
    """The draft's MLproject (`conda_env: conda.yaml`) run the draft's way, on a machine
    without conda: `mlflow run` stops before running anything."""
    if shutil.which("conda"):
        pytest.fail("conda is installed here: this test proves what happens without it")
    project = tmp_path / "draft_project"
    project.mkdir()
    mlproject = yaml.safe_load((EXAMPLES / "project" / "MLproject").read_text())
    del mlproject["python_env"]
    mlproject["conda_env"] = "conda.yaml"
    (project / "MLproject").write_text(yaml.safe_dump(mlproject))
    (project / "conda.yaml").write_text("name: draft\ndependencies:\n  - python=3.11\n")
    shutil.copy(EXAMPLES / "project" / "train.py", project)
    done = in_a_terminal(
        "mlflow", "run", str(project), "-P", "n_estimators=200", "-P", "max_depth=10"
    )
    assert done.returncode != 0
    assert "Could not find Conda executable at conda" in done.stdout
    page_output(
        "examples/mlflow_/run-project.conda.out.txt", TIMESTAMP.sub("<timestamp> ", done.stdout)
    )
