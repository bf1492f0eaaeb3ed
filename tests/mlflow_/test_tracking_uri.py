"""examples/mlflow_/tracking-uri.sh: MLflow picks up each exported MLFLOW_TRACKING_URI."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.mlflow_.conftest import EXAMPLES
from tests.support.examples import venv_env

SCRIPT = (EXAMPLES / "tracking-uri.sh").read_text()


@pytest.mark.parametrize("section", ["laptop", "team"])
def test_mlflow_uses_the_exported_uri(section):
    body = re.search(
        rf"# --8<-- \[start:{section}\]\n(.*?)# --8<-- \[end:{section}\]", SCRIPT, re.S
    )
    assert body, f"no section {section} in tracking-uri.sh"
    exported = re.search(r"^export MLFLOW_TRACKING_URI=(\S+)$", body[1], re.MULTILINE)
    assert exported, body[1]
    env = venv_env()
    env.pop("MLFLOW_TRACKING_URI", None)
    done = subprocess.run(
        ["bash", "-c", f'{body[1]}\npython -c "import mlflow; print(mlflow.get_tracking_uri())"'],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip() == exported[1]


def default_tracking_uri(cwd: Path) -> str:
    """What a new process in `cwd`, with no MLFLOW_TRACKING_URI, tracks to."""
    env = venv_env()
    env.pop("MLFLOW_TRACKING_URI", None)
    done = subprocess.run(
        ["python", "-c", "import mlflow; print(mlflow.get_tracking_uri())"],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def test_without_the_variable_mlflow_3_uses_a_local_sqlite_file(tmp_path):
    # ./mlflow.db, resolved to an absolute path: sqlite:////<cwd>/mlflow.db
    assert default_tracking_uri(tmp_path) == f"sqlite:///{tmp_path / 'mlflow.db'}"


def test_an_old_mlruns_folder_keeps_the_file_store(tmp_path):
    """MLflow 2's default store was ./mlruns: where one with an experiment exists, MLflow 3 keeps
    using it."""
    experiment = tmp_path / "mlruns" / "0"
    experiment.mkdir(parents=True)
    (experiment / "meta.yaml").write_text("experiment_id: '0'\nname: Default\n")
    assert default_tracking_uri(tmp_path) == f"file://{tmp_path / 'mlruns'}"
