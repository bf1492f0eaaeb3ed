"""examples/mlflow_/tracking.py: everything it logged, read back from the server."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest
from sklearn.metrics import mean_squared_error

from tests.mlflow_.conftest import MODEL_NAME, PARAMS, mlflow_log


def test_run_has_params_and_metric(
    client, tracked, tracking_uri, diabetes_split, reference_model, page_output
):
    run = client.get_run(tracked.run_id)
    assert run.info.run_name == "random_forest_v1"
    assert run.data.params == {name: str(value) for name, value in PARAMS.items()}
    # The metric on the server is the test MSE of the same forest, trained here again.
    _, X_test, _, y_test = diabetes_split
    expected = mean_squared_error(y_test, reference_model.predict(X_test))
    assert run.data.metrics["mse"] == pytest.approx(expected, rel=1e-9)
    assert tracked.mse == pytest.approx(expected, abs=0.005)  # what the example printed
    # Masked: the run id, and the server's port and experiment id in the links MLflow prints.
    experiment = f"{tracking_uri}/#/experiments/{run.info.experiment_id}"
    printed = tracked.stdout.replace(tracked.run_id, "<run-id>").replace(
        experiment, "http://127.0.0.1:<port>/#/experiments/<experiment-id>"
    )
    page_output("examples/mlflow_/tracking.out.txt", printed)
    assert client.get_experiment(run.info.experiment_id).name == "diabetes_progression"


def test_feature_importance_plot_is_a_png(client, tracked, tmp_path):
    names = [artifact.path for artifact in client.list_artifacts(tracked.run_id)]
    assert "feature_importance.png" in names
    plot = client.download_artifacts(tracked.run_id, "feature_importance.png", str(tmp_path))
    with open(plot, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"


def test_model_version_registered_from_the_run(client, tracked):
    version = client.get_model_version(MODEL_NAME, tracked.version)
    assert version.run_id == tracked.run_id
    assert version.status == "READY"
    # MLflow 3 registers the logged model (models:/m-<id>), not a runs:/ path.
    assert version.source.startswith("models:/m-")


def test_logged_model_carries_its_environment(tracked, client):
    """log_model writes the flavor file and the environment files next to the model."""
    import mlflow.artifacts

    source = client.get_model_version(MODEL_NAME, tracked.version).source
    files = {item.path for item in mlflow.artifacts.list_artifacts(artifact_uri=source)}
    expected = {"MLmodel", "conda.yaml", "python_env.yaml", "requirements.txt", "model.skops"}
    assert expected <= {path.rsplit("/", 1)[-1] for path in files}, files
    # The declared requirements, pinned to this environment, plus the mlflow MLflow adds.
    requirements = mlflow.artifacts.download_artifacts(
        f"models:/{MODEL_NAME}/{tracked.version}/requirements.txt"
    )
    pins = sorted(Path(requirements).read_text().split())
    expected_pins = [f"{d}=={version(d)}" for d in ("mlflow", "scikit-learn", "skops")]
    assert pins == expected_pins


def test_logged_model_predicts_like_the_trained_one(tracked, diabetes_split, reference_model):
    import mlflow.sklearn

    _, X_test, _, _ = diabetes_split
    loaded = mlflow.sklearn.load_model(f"models:/{MODEL_NAME}/{tracked.version}")
    assert (loaded.predict(X_test) == reference_model.predict(X_test)).all()


def test_draft_positional_artifact_path_is_deprecated(tracking_uri):
    """The draft's `log_model(model, "model")` still logs, but MLflow 3 logs a deprecation."""
    import mlflow
    import mlflow.sklearn
    from sklearn.dummy import DummyRegressor

    model = DummyRegressor().fit([[0.0], [1.0]], [0.0, 1.0])
    mlflow.set_experiment("draft_log_model")
    with mlflow_log("mlflow.models.model") as messages, mlflow.start_run():
        info = mlflow.sklearn.log_model(model, "model", pip_requirements=["scikit-learn"])
    assert "`artifact_path` is deprecated. Please use `name` instead." in messages
    assert info.name == "model"
