"""examples/mlflow_/registry.py (aliases, tags) and legacy_stages.py (the draft's stages)."""

from __future__ import annotations

import re

import pytest

from tests.mlflow_.conftest import EXAMPLES, MODEL_NAME, mlflow_log
from tests.support.examples import run_example


def test_champion_alias_and_tags(client, champion, promoted, page_output):
    page_output("examples/mlflow_/registry.out.txt", promoted)
    assert f"deploy models:/{MODEL_NAME}/{champion}\n" in promoted
    version = client.get_model_version_by_alias(MODEL_NAME, "champion")
    assert version.version == champion
    assert version.tags == {"validation_status": "approved"}
    assert client.get_registered_model(MODEL_NAME).tags == {"owner": "ml-platform"}
    assert client.get_registered_model(MODEL_NAME).aliases == {"champion": champion}


def test_draft_runs_uri_registers_and_moving_the_alias_rolls_back(client, champion, tracked):
    """Re-pointing @champion is how a rollback works; the old version is untouched."""
    import mlflow

    # The draft's runs:/<id>/model URI: in MLflow 3 the model is no longer a run artifact, so
    # MLflow falls back to the run's logged model and says so.
    with mlflow_log("mlflow.tracking._model_registry.fluent") as messages:
        newer = mlflow.register_model(f"runs:/{tracked.run_id}/model", MODEL_NAME).version
    assert any("has no artifacts at artifact path 'model'" in m for m in messages), messages
    client.set_registered_model_alias(MODEL_NAME, "champion", newer)
    assert client.get_model_version_by_alias(MODEL_NAME, "champion").version == newer
    client.set_registered_model_alias(MODEL_NAME, "champion", champion)  # roll back
    assert client.get_model_version_by_alias(MODEL_NAME, "champion").version == champion


def test_draft_stage_transition_works_with_a_future_warning(
    client, champion, reference_model, first_rows, page_output
):
    out = run_example(EXAMPLES / "legacy_stages.py").stdout
    assert re.search(
        r"^FutureWarning: ``mlflow\.tracking\.client\.MlflowClient\."
        r"transition_model_version_stage`` is deprecated since 2\.9\.0\.",
        out,
        re.MULTILINE,
    ), out
    assert f"version {champion} stage: Production" in out
    page_output("examples/mlflow_/legacy_stages.out.txt", out)
    assert client.get_model_version(MODEL_NAME, champion).current_stage == "Production"

    # And in this process: the call warns, and models:/<name>/<stage> still resolves.
    with pytest.warns(FutureWarning, match="Model registry stages will be removed"):
        client.transition_model_version_stage(MODEL_NAME, champion, "Production")
    import mlflow.pyfunc

    by_stage = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}/Production")
    assert (by_stage.predict(first_rows) == reference_model.predict(first_rows)).all()


def test_there_are_four_stages_not_three(client, champion):
    """The draft: "one of three stages: None, Staging, Production, Archived" (that is four)."""
    from mlflow.exceptions import MlflowException

    with pytest.warns(FutureWarning), pytest.raises(MlflowException) as error:
        client.transition_model_version_stage(MODEL_NAME, champion, "Prod")
    assert "Value must be one of None, Staging, Production, Archived." in str(error.value)
