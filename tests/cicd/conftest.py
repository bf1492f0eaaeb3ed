"""Fixtures of the CI/CD chapter: one MLflow tracking server per test session, a fresh copy of
examples/cicd/ per test (the scripts write into their working directory, as a CI job does), and
a way to run the pipeline's scripts for real in subprocesses against that server.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.support.mlflow_server import start_mlflow_server

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "cicd"
# Each script imports MLflow and scikit-learn: seconds on an idle machine, a minute on a busy one.
SCRIPT_TIMEOUT = 420


@pytest.fixture(scope="session")
def mlflow_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server, uri = start_mlflow_server(tmp_path_factory.mktemp("mlflow-server"), timeout=300)
    # In-process clients too (MlflowClient, mlflow.artifacts): without it MLflow 3 falls back to
    # sqlite:///mlflow.db in the working directory, the repository root.
    previous = os.environ.get("MLFLOW_TRACKING_URI")
    os.environ["MLFLOW_TRACKING_URI"] = uri
    try:
        yield uri
    finally:
        if previous is None:
            os.environ.pop("MLFLOW_TRACKING_URI", None)
        else:
            os.environ["MLFLOW_TRACKING_URI"] = previous
        server.stop()


def copy_example(destination: Path) -> Path:
    shutil.copytree(EXAMPLE, destination, ignore=shutil.ignore_patterns("__pycache__", "reports"))
    return destination


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of examples/cicd, as a CI job's checkout."""
    return copy_example(tmp_path / "cicd")


def script_env(uri: str) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "MLFLOW_TRACKING_URI": uri,
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def run_script(
    project: Path, script: str, *args: str, uri: str = "", expect: int | None = 0
) -> subprocess.CompletedProcess[str]:
    """`python scripts/<script> args...` in `project`; fail with its output unless rc == expect."""
    result = subprocess.run(
        [sys.executable, f"scripts/{script}", *args],
        cwd=project,
        env=script_env(uri),
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT,
    )
    if expect is not None and result.returncode != expect:
        pytest.fail(
            f"scripts/{script} {' '.join(args)} exited {result.returncode}, expected {expect}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr[-4000:]}"
        )
    return result


def use_model(project: Path, name: str, **model_params: float) -> None:
    """Point the copy's model_config.yaml at its own registered model (tests stay independent)."""
    config_path = project / "configs" / "model_config.yaml"
    config = yaml.safe_load(config_path.read_text())
    config["registered_model_name"] = name
    config["model"].update(model_params)
    config_path.write_text(yaml.safe_dump(config))


def pointer(project: Path) -> dict:
    return json.loads((project / "models" / "latest" / "model_info.json").read_text())


def release(project: Path, uri: str, alias: str = "champion") -> dict:
    """train -> evaluate -> compare -> promote, as the pipeline does; returns the outputs."""
    out = {
        "train": run_script(project, "train.py", "--config", "configs/model_config.yaml", uri=uri)
    }
    out["evaluate"] = run_script(project, "evaluate.py", uri=uri)
    out["compare"] = run_script(
        project,
        "compare_with_baseline.py",
        "--new-metrics",
        "metrics.json",
        "--threshold",
        "0.01",
        uri=uri,
    )
    out["promote"] = run_script(
        project, "promote_model.py", "--model-path", "models/latest", "--alias", alias, uri=uri
    )
    out["pointer"] = pointer(project)
    return out


@pytest.fixture(scope="session")
def champion(mlflow_uri: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A model trained, validated and promoted to @champion once, shared by the later tests."""
    project = copy_example(tmp_path_factory.mktemp("champion") / "cicd")
    name = f"champion-{uuid.uuid4().hex[:8]}"
    use_model(project, name)
    return {"project": project, "name": name, **release(project, mlflow_uri)}
