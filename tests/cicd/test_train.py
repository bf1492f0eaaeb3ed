"""scripts/train.py: the run, its params and metric, and the registered version, read back."""

from __future__ import annotations

from pathlib import Path

import mlflow
import pandas as pd
from mlflow import MlflowClient

from tests.cicd.conftest import as_shown, run_script


def test_train_logs_and_registers(champion: dict, tracking_uri: str, page_output) -> None:
    client = MlflowClient(tracking_uri)
    ptr, project = champion["pointer"], champion["project"]
    run = client.get_run(ptr["run_id"])
    assert run.info.status == "FINISHED"
    assert run.data.params["C"] == "0.1"
    assert run.data.params["train_rows"] == "213"  # 75 % of the 284-row batch
    train_auc = run.data.metrics["train_roc_auc"]
    assert 0.95 < train_auc <= 1.0
    assert f"(train_roc_auc={train_auc:.4f}, 213 rows)" in champion["train"].stdout
    page_output(
        "examples/cicd/scripts/train.out.txt",
        as_shown(champion["train"].stdout, champion["name"], ptr["run_id"]),
    )
    assert run.data.tags["ci.commit"] == "local"  # no CI_COMMIT_SHA outside GitLab

    version = client.get_model_version(champion["name"], ptr["version"])
    assert version.run_id == ptr["run_id"]
    # The model's requirements are the pipeline's pins, not a guess from the environment.
    requirements = mlflow.artifacts.download_artifacts(
        f"models:/{champion['name']}/{ptr['version']}/requirements.txt", tracking_uri=tracking_uri
    )
    pinned = Path(requirements).read_text().split()
    assert {"mlflow==3.17.2", "pandas==3.1.1", "scikit-learn==1.9.1"} <= set(pinned)

    test = pd.read_csv(project / "data" / "test" / "test.csv")
    assert len(test) == 71 and "target" in test.columns


def test_no_mlruns_folder_with_a_tracking_server(champion: dict) -> None:
    # The draft kept `mlruns/` as a job artifact; with MLFLOW_TRACKING_URI set to a server the
    # run goes to the server and the job leaves no mlruns/ to keep.
    assert not (champion["project"] / "mlruns").exists()
    assert (champion["project"] / "models" / "latest" / "model_info.json").is_file()


def test_train_without_tracking_uri_says_how_to_fix(project: Path) -> None:
    result = run_script(project, "train.py", "--config", "configs/model_config.yaml", expect=1)
    assert "set MLFLOW_TRACKING_URI" in result.stderr
