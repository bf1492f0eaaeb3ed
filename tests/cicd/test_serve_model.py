"""scripts/serve_model.py: MLflow's scoring server for one pinned version, which says which one.

The session's model server (conftest.py `model_server`) is the production Deployment's container
command, rendered for the champion's version and run on 127.0.0.1.
"""

from __future__ import annotations

import json
import urllib.request
from email.message import Message
from pathlib import Path

import mlflow
from mlflow import MlflowClient

from tests.cicd.conftest import run_script


def get(url: str) -> tuple[bytes, Message]:
    """The body and the headers (looked up by name, in any case)."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read(), response.headers


def test_model_endpoint_names_the_served_version(
    champion: dict, model_server: str, tracking_uri: str
) -> None:
    body, _ = get(f"{model_server}/model")
    name, version = champion["name"], champion["pointer"]["version"]
    registered = MlflowClient(tracking_uri).get_model_version(name, version)
    assert json.loads(body) == {
        "name": name,
        "version": version,
        "run_id": champion["pointer"]["run_id"],
        "model_id": registered.model_id,
        "uri": f"models:/{name}/{version}",
    }


def test_every_response_names_the_version(champion: dict, model_server: str) -> None:
    _, headers = get(f"{model_server}/ping")
    assert headers["X-Model-Version"] == champion["pointer"]["version"]


def test_version_endpoint_is_mlflows_own_version(model_server: str) -> None:
    """The scoring app's /version, kept as MLflow wrote it: it is not the model's version."""
    body, _ = get(f"{model_server}/version")
    assert body.decode() == mlflow.__version__


def test_a_uri_that_names_no_registered_version_is_refused(project: Path) -> None:
    result = run_script(
        project,
        "serve_model.py",
        "--model-uri",
        "runs:/0123/model",
        uri="http://127.0.0.1:9",
        expect=1,
    )
    assert "'runs:/0123/model' is not models:/<name>/<version> or models:/<name>@<alias>" in (
        result.stderr
    )
