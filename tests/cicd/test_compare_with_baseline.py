"""scripts/compare_with_baseline.py: the gate refuses a worse model and lets an equal one pass."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from mlflow import MlflowClient

from tests.cicd.conftest import as_shown, copy_champion, run_script, use_model

GATE = ("--new-metrics", "metrics.json", "--threshold", "0.01")


def retrain(champion: dict, tmp_path: Path, uri: str, **params: float) -> dict:
    """Train again (other params) under a copy of the champion's model, whose @champion is
    version 1, then evaluate the new version 2 against it."""
    project = tmp_path / "cicd"
    shutil.copytree(champion["project"], project)
    name = copy_champion(champion, uri)
    use_model(project, name, **params)
    run_script(project, "train.py", "--config", "configs/model_config.yaml", uri=uri)
    evaluated = run_script(project, "evaluate.py", uri=uri)
    metrics = json.loads((project / "metrics.json").read_text())
    return {"project": project, "name": name, "metrics": metrics, "evaluate": evaluated}


def test_first_model_sets_the_baseline(champion: dict) -> None:
    assert "passed: no champion yet; roc_auc=" in champion["compare"].stdout


def test_worse_model_is_refused(
    champion: dict, tmp_path: Path, tracking_uri: str, page_output
) -> None:
    # C=0.001: a hundred times the champion's regularisation loses about 0.02 of ROC AUC.
    worse = retrain(champion, tmp_path, tracking_uri, C=0.001)
    name, metrics = worse["name"], worse["metrics"]
    new, old = (metrics[role]["metrics"]["roc_auc"] for role in ("candidate", "champion"))
    assert (metrics["candidate"]["version"], metrics["champion"]["version"]) == ("2", "1")
    assert 0.01 < old - new < 0.05

    result = run_script(
        worse["project"], "compare_with_baseline.py", *GATE, uri=tracking_uri, expect=1
    )
    assert f"REFUSED: roc_auc {new:.4f} vs champion version" in result.stdout
    page_output(
        "examples/cicd/scripts/evaluate.worse.out.txt",
        as_shown(worse["evaluate"].stdout + result.stdout, name),
    )
    client = MlflowClient(tracking_uri)
    assert client.get_model_version(name, "2").tags["validation"] == "failed"
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
    page_output(
        "examples/cicd/scripts/promote_model.refused.out.txt", as_shown(promote.stderr, name)
    )
    assert client.get_model_version_by_alias(name, "champion").version == "1"

    # The threshold, not luck, decides: with a 0.05 tolerance the same model passes.
    tolerant = ("--new-metrics", "metrics.json", "--threshold", "0.05")
    result = run_script(worse["project"], "compare_with_baseline.py", *tolerant, uri=tracking_uri)
    assert f"(change {new - old:+.4f}, allowed drop 0.05)" in result.stdout
    assert client.get_model_version(name, "2").tags["validation"] == "passed"
