"""scripts/evaluate.py: candidate and champion scored on the same rows, read back from MLflow."""

from __future__ import annotations

import json

from mlflow import MlflowClient

from tests.cicd.conftest import as_shown


def test_first_model_has_no_champion(champion: dict, tracking_uri: str, page_output) -> None:
    # The session's first model of its name: no @champion to compare with yet.
    assert "no model has the alias @champion yet" in champion["evaluate"].stdout
    metrics = json.loads((champion["project"] / "metrics.json").read_text())
    assert metrics["champion"] is None and metrics["test_rows"] == 71
    candidate = metrics["candidate"]["metrics"]
    assert 0.95 < candidate["roc_auc"] <= 1.0
    # The candidate's test metrics are logged on its run, so the registry shows them too.
    run = MlflowClient(tracking_uri).get_run(champion["pointer"]["run_id"])
    assert run.data.metrics["test_roc_auc"] == candidate["roc_auc"]
    assert run.data.metrics["test_accuracy"] == candidate["accuracy"]
    line = f"candidate version {champion['pointer']['version']}: roc_auc={candidate['roc_auc']:.4f}"
    assert line in champion["evaluate"].stdout
    # The model-validation job: evaluate.py, then the gate (compare_with_baseline.py).
    job = champion["evaluate"].stdout + champion["compare"].stdout
    page_output("examples/cicd/scripts/evaluate.first.out.txt", as_shown(job, champion["name"]))
