"""scripts/render_deployment.py and serve_model.py: a release pins the version its alias named at
deploy time, so moving the alias changes nothing in production until the next deployment.

One registered model with two versions (a copy of the champion, then a retrain), `@champion` on
version 1. The deploy job's render runs against the session's tracking server; the pods are the
rendered Deployment's container command, run here on 127.0.0.1 (tests/cicd/conftest.py `pod`).
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
import yaml
from mlflow import MlflowClient

from tests.cicd.conftest import (
    MODEL_NAME,
    as_shown,
    copy_champion,
    copy_example,
    pod,
    pointer,
    render,
    run_script,
    use_model,
)
from tests.kubernetes import manifest_checks as mc
from tests.support.processes import http_ok


@pytest.fixture(scope="module")
def release(champion: dict, tracking_uri: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Version 1 (the champion's model, @champion) and version 2 (a retrain, not promoted) of a
    model of this module's own; the production manifest rendered once, as the deploy job does."""
    project = copy_example(tmp_path_factory.mktemp("release") / "cicd")
    name = copy_champion(champion, tracking_uri)
    use_model(project, name)
    run_script(project, "train.py", "--config", "configs/model_config.yaml", uri=tracking_uri)
    assert pointer(project)["version"] == "2"
    client = MlflowClient(tracking_uri)
    runs = {v: client.get_model_version(name, v).run_id for v in ("1", "2")}
    assert runs["1"] != runs["2"]
    rendered = render(project, name, tracking_uri)
    return {"project": project, "name": name, "runs": runs, "stdout": rendered.stdout}


def deployment_of(path: Path) -> dict:
    return next(d for d in yaml.safe_load_all(path.read_text()) if d and d["kind"] == "Deployment")


def model_uri(deployment: dict) -> str:
    args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    return args[args.index("--model-uri") + 1]


def served_model(server, url: str) -> dict:
    """What a started pod answers on GET /model, once it is ready."""
    server.wait_until(lambda: http_ok(f"{url}/ping"), 300, "answering /ping")
    with urllib.request.urlopen(f"{url}/model", timeout=30) as response:
        return json.load(response)


def test_render_pins_the_version_the_alias_names(release: dict, page_output) -> None:
    project, name = release["project"], release["name"]
    source = deployment_of(project / "k8s" / "production" / "deployment.yaml")
    rendered = deployment_of(project / "deploy" / "production.yaml")
    assert model_uri(source) == f"models:/{name}@champion"
    assert model_uri(rendered) == f"models:/{name}/1"
    assert rendered["spec"]["template"]["metadata"]["labels"] == {
        "app": "model-server",
        "model-version": "1",
    }
    assert rendered["metadata"]["annotations"]["kubernetes.io/change-cause"] == (
        f"{name} version 1 (@champion)"
    )
    # Nothing else changed: the same Deployment, with the version pinned and recorded.
    del rendered["metadata"]["annotations"], rendered["spec"]["template"]["metadata"]["labels"]
    del source["spec"]["template"]["metadata"]["labels"]
    args = rendered["spec"]["template"]["spec"]["containers"][0]["args"]
    args[args.index("--model-uri") + 1] = model_uri(source)
    assert rendered == source
    assert (
        (project / "deploy" / "production.yaml")
        .read_text()
        .startswith(
            "# Rendered by scripts/render_deployment.py from k8s/production/deployment.yaml"
        )
    )
    page_output(
        "examples/cicd/scripts/render_deployment.out.txt", as_shown(release["stdout"], name)
    )


def test_rendered_manifest_is_valid_kubernetes(release: dict) -> None:
    """Strict schemas of the Kubernetes versions the guide validates against, and the Service
    still selects the pods (the version label is added to the pods only, never to the selector)."""
    docs, problems = mc.load(release["project"] / "deploy" / "production.yaml")
    assert [doc.kind for doc in docs] == ["Deployment", "Service"]
    for version in mc.VERSIONS:
        for doc in docs:
            problems += mc.schema_problems(doc, version)
    problems += mc.service_problems(docs)
    assert not problems, "\n".join(map(str, problems))


def test_render_refuses_a_manifest_that_names_no_alias(release: dict, tracking_uri: str) -> None:
    result = run_script(
        release["project"],
        "render_deployment.py",
        "deploy/production.yaml",
        "--output",
        "deploy/again.yaml",
        uri=tracking_uri,
        expect=1,
    )
    assert f"'models:/{release['name']}/1' is not models:/<name>@<alias>" in result.stderr


@pytest.mark.timeout(900)
def test_moving_the_alias_changes_nothing_until_the_next_deploy(
    release: dict, tracking_uri: str, tmp_path: Path
) -> None:
    project, name, runs = release["project"], release["name"], release["runs"]
    client = MlflowClient(tracking_uri)
    pinned = project / "deploy" / "production.yaml"
    following = project / "k8s" / "production" / "deployment.yaml"  # the alias, as in git

    with pod(pinned, project, tracking_uri, tmp_path / "first.log") as (server, url):
        first = served_model(server, url)
    assert (first["version"], first["run_id"]) == ("1", runs["1"])
    assert first["uri"] == f"models:/{name}/1"

    # The alias moves with no deployment: a hand-run promotion, a script, a mistake.
    client.set_registered_model_alias(name, "champion", "2")

    # Pods that start now (a restart, an evicted pod, a scale-up), side by side: the pinned
    # release still serves version 1; a pod that loads the alias serves version 2 beside it.
    with (
        pod(pinned, project, tracking_uri, tmp_path / "restarted.log") as (restarted, at),
        pod(following, project, tracking_uri, tmp_path / "following.log") as (alias_pod, by),
    ):
        after_restart, by_alias = served_model(restarted, at), served_model(alias_pod, by)
    assert (after_restart["version"], after_restart["run_id"]) == ("1", runs["1"])
    assert (by_alias["version"], by_alias["run_id"]) == ("2", runs["2"])
    assert by_alias["uri"] == f"models:/{name}@champion"

    # The next deployment resolves the alias again: version 2, a new pod template (a rollout).
    again = render(project, name, tracking_uri)
    assert f"{name}@champion is version 2" in again.stdout
    assert model_uri(deployment_of(pinned)) == f"models:/{name}/2"
    assert MODEL_NAME not in again.stdout
