"""docs/labs/mlflow-promotion.ipynb: the sweep is on the server, its best run is @champion."""

from __future__ import annotations

import pytest

from tests.labs.notebooks import run_lab

MODEL_NAME = "LabsDiabetesModel"
EXPERIMENT = "labs-diabetes-sweep"


@pytest.fixture(scope="module")
def lab(tracking_uri, pytestconfig: pytest.Config):
    return run_lab("mlflow-promotion", pytestconfig)


@pytest.fixture(scope="module")
def client(tracking_uri):
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri)


def test_every_run_of_the_sweep_is_on_the_server(lab, client):
    experiment = client.get_experiment_by_name(EXPERIMENT)
    runs = client.search_runs([experiment.experiment_id], "tags.mlflow.parentRunId != ''")
    on_server = {run.info.run_name: round(run.data.metrics["rmse"], 3) for run in runs}
    assert on_server == lab.summary["deterministic"]["runs"]
    assert len(on_server) == 6


def test_the_best_run_is_promoted_and_loads_by_alias(lab, client):
    numbers = lab.summary["deterministic"]
    assert numbers["best_rmse"] == min(numbers["runs"].values())
    assert lab.summary["promoted"] is True  # a fresh server has no champion to beat
    champion = client.get_model_version_by_alias(MODEL_NAME, "champion")
    assert champion.version == lab.summary["champion_version"]
    assert champion.run_id == lab.summary["best_run_id"]
    assert client.get_run(champion.run_id).info.run_name == numbers["best_run"]
    # What the notebook loaded by alias predicts with the RMSE the run logged.
    assert numbers["loaded_rmse"] == numbers["best_rmse"]


def test_the_champion_predicts_what_the_test_process_loads(lab, tracking_uri):
    """Load @champion here too (not in the kernel): the registry serves the same model."""
    import mlflow
    from sklearn.datasets import load_diabetes
    from sklearn.metrics import mean_squared_error
    from sklearn.model_selection import train_test_split

    X, y = load_diabetes(return_X_y=True, as_frame=True)
    _, X_test, _, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    model = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}@champion")
    rmse = mean_squared_error(y_test, model.predict(X_test)) ** 0.5
    assert round(rmse, 3) == lab.summary["deterministic"]["best_rmse"]
