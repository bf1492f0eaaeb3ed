"""scripts/compare_with_baseline.py: the gate refuses a worse model and lets an equal one pass."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from mlflow import MlflowClient

from tests.cicd.conftest import run_script, use_model

GATE = ("--new-metrics", "metrics.json", "--threshold", "0.01")


def retrain(champion: dict, tmp_path: Path, uri: str, **params: float) -> dict:
    """Train the champion's model name again (other params), then evaluate against @champion."""
    project = tmp_path / "cicd"
    shutil.copytree(champion["project"], project)
    use_model(project, champion["name"], **params)
    run_script(project, "train.py", "--config", "configs/model_config.yaml", uri=uri)
    run_script(project, "evaluate.py", uri=uri)
    return {"project": project, "metrics": json.loads((project / "metrics.json").read_text())}


def test_first_model_sets_the_baseline(champion: dict) -> None:
    assert "passed: no champion yet; roc_auc=" in champion["compare"].stdout


def test_worse_model_is_refused(champion: dict, tmp_path: Path, tracking_uri: str) -> None:
    # C=0.001: ten times the champion's regularisation loses about 0.02 of ROC AUC.
    worse = retrain(champion, tmp_path, tracking_uri, C=0.001)
    new, old = (worse["metrics"][r]["metrics"]["roc_auc"] for r in ("candidate", "champion"))
    assert worse["metrics"]["champion"]["version"] == champion["pointer"]["version"]
    assert 0.01 < old - new < 0.05
    assert (f"{new:.4f}", f"{new - old:+.4f}") == ("0.9643", "-0.0249")  # as the page shows

    result = run_script(
        worse["project"], "compare_with_baseline.py", *GATE, uri=tracking_uri, expect=1
    )
    assert f"REFUSED: roc_auc {new:.4f} vs champion version" in result.stdout
    client = MlflowClient(tracking_uri)
    version = worse["metrics"]["candidate"]["version"]
    assert client.get_model_version(champion["name"], version).tags["validation"] == "failed"
    # A refused version cannot be promoted: the alias stays where it was.
    promote = run_script(
        worse["project"],
        "promote_model.py",
        "--model-path",
        "models/latest",
        "--alias",
        "champion",
        uri=tracking_uri,
        expect=1,
    )
    assert "validation='failed', not 'passed'" in promote.stderr
    alias = client.get_model_version_by_alias(champion["name"], "champion")
    assert alias.version == champion["pointer"]["version"]

    # The threshold, not luck, decides: with a 0.05 tolerance the same model passes.
    tolerant = ("--new-metrics", "metrics.json", "--threshold", "0.05")
    result = run_script(worse["project"], "compare_with_baseline.py", *tolerant, uri=tracking_uri)
    assert f"(change {new - old:+.4f}, allowed drop 0.05)" in result.stdout
    assert client.get_model_version(champion["name"], version).tags["validation"] == "passed"
