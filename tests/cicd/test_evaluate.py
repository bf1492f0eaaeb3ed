"""scripts/evaluate.py: candidate and champion scored on the same rows, read back from MLflow."""

from __future__ import annotations

import json

from mlflow import MlflowClient


def test_first_model_has_no_champion(champion: dict, tracking_uri: str) -> None:
    # The session's first model of its name: no @champion to compare with yet.
    assert "no model has the alias @champion yet" in champion["evaluate"].stdout
    metrics = json.loads((champion["project"] / "metrics.json").read_text())
    assert metrics["champion"] is None and metrics["test_rows"] == 71
    candidate = metrics["candidate"]["metrics"]
    assert 0.95 < candidate["roc_auc"] <= 1.0
    # Fixed seeds and pins: the numbers docs/mlops/cicd-release.md shows.
    shown = {"roc_auc": "0.9892", "accuracy": "0.9718", "f1": "0.9773"}
    assert {name: f"{value:.4f}" for name, value in candidate.items()} == shown
    # The candidate's test metrics are logged on its run, so the registry shows them too.
    run = MlflowClient(tracking_uri).get_run(champion["pointer"]["run_id"])
    assert run.data.metrics["test_roc_auc"] == candidate["roc_auc"]
    assert run.data.metrics["test_accuracy"] == candidate["accuracy"]
    line = f"candidate version {champion['pointer']['version']}: roc_auc={candidate['roc_auc']:.4f}"
    assert line in champion["evaluate"].stdout
