"""scripts/promote_model.py: promotion moves the alias; a rollback moves it back."""

from __future__ import annotations

import shutil
from pathlib import Path

from mlflow import MlflowClient

from tests.cicd.conftest import release, run_script


def test_first_promotion_sets_the_alias(champion: dict, tracking_uri: str) -> None:
    version = champion["pointer"]["version"]
    assert f"@champion: version None -> {version}" in champion["promote"].stdout
    alias = MlflowClient(tracking_uri).get_model_version_by_alias(champion["name"], "champion")
    assert alias.version == version


def test_promotion_moves_the_alias_and_rollback_moves_it_back(
    champion: dict, tmp_path: Path, tracking_uri: str
) -> None:
    client = MlflowClient(tracking_uri)
    name = champion["name"]
    # A second release of the champion's model name: an equal model passes the gate.
    project = tmp_path / "cicd"
    shutil.copytree(champion["project"], project)
    old = client.get_model_version_by_alias(name, "champion").version
    out = release(project, tracking_uri)
    new = out["pointer"]["version"]
    assert int(new) > int(old)
    assert f"@champion: version {old} -> {new}" in out["promote"].stdout
    assert client.get_model_version_by_alias(name, "champion").version == new

    # Rollback: point the alias back at the version that served before.
    back = run_script(
        project,
        "promote_model.py",
        "--model-name",
        name,
        "--version",
        old,
        "--alias",
        "champion",
        uri=tracking_uri,
    )
    assert f"@champion: version {new} -> {old}" in back.stdout
    assert client.get_model_version_by_alias(name, "champion").version == old
