"""scripts/promote_model.py: promotion moves the alias; a rollback moves it back."""

from __future__ import annotations

import shutil
from pathlib import Path

from mlflow import MlflowClient

from tests.cicd.conftest import as_shown, copy_champion, release, run_script, use_model


def test_first_promotion_sets_the_alias(champion: dict, tracking_uri: str) -> None:
    version = champion["pointer"]["version"]
    assert f"@champion: version None -> {version}" in champion["promote"].stdout
    alias = MlflowClient(tracking_uri).get_model_version_by_alias(champion["name"], "champion")
    assert alias.version == version


def test_promotion_moves_the_alias_and_rollback_moves_it_back(
    champion: dict, tmp_path: Path, tracking_uri: str, page_output
) -> None:
    """A second release of the champion's model, under a copy whose @champion is version 1: a
    retrain that scores the same passes the gate and becomes version 2."""
    client = MlflowClient(tracking_uri)
    project = tmp_path / "cicd"
    shutil.copytree(champion["project"], project)
    name = copy_champion(champion, tracking_uri)
    use_model(project, name)
    out = release(project, tracking_uri)
    assert out["pointer"]["version"] == "2"
    assert "@champion: version 1 -> 2" in out["promote"].stdout
    assert client.get_model_version_by_alias(name, "champion").version == "2"
    # What the model-validation job printed (evaluate.py, then the gate), and the release.
    page_output(
        "examples/cicd/scripts/evaluate.same.out.txt",
        as_shown(out["evaluate"].stdout + out["compare"].stdout, name),
    )
    page_output(
        "examples/cicd/scripts/promote_model.out.txt", as_shown(out["promote"].stdout, name)
    )

    # Rollback: point the alias back at the version that served before.
    back = run_script(
        project,
        "promote_model.py",
        "--model-name",
        name,
        "--version",
        "1",
        "--alias",
        "champion",
        uri=tracking_uri,
    )
    assert "@champion: version 2 -> 1" in back.stdout
    assert client.get_model_version_by_alias(name, "champion").version == "1"
