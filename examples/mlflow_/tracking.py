"""Track a training run on an MLflow server, then register the model it produced.

    MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python examples/mlflow_/tracking.py

MLflow reads the server from MLFLOW_TRACKING_URI (unset, MLflow 3 writes to ./mlflow.db).
"""

import tempfile
from importlib.metadata import version as installed
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # render to a file: no display on a server or in CI
import matplotlib.pyplot as plt
import mlflow
import mlflow.sklearn
from mlflow.models import infer_signature
from sklearn.datasets import load_diabetes
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split

MODEL_NAME = "DiabetesModel"

# --8<-- [start:data]
# Ships inside scikit-learn: 442 patients, 10 features, a disease-progression score to predict.
X, y = load_diabetes(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
# --8<-- [end:data]

# --8<-- [start:track]
mlflow.set_experiment("diabetes_progression")

with mlflow.start_run(run_name="random_forest_v1") as run:
    params = {"n_estimators": 100, "max_depth": 5, "random_state": 42}
    mlflow.log_params(params)

    model = RandomForestRegressor(**params).fit(X_train, y_train)

    predictions = model.predict(X_test)
    mse = mean_squared_error(y_test, predictions)
    mlflow.log_metric("mse", mse)

    # MLflow 3: `name=` (the positional artifact_path is deprecated). The signature records the
    # input columns, so a served model rejects a request with the wrong ones. Trees are saved
    # with skops, which loads only the types it is told to trust. The requirements are declared:
    # left out, MLflow infers them by loading the model in a new Python process (tens of seconds)
    # and pins whatever that process imported. mlflow==<this version> is added on its own.
    model_info = mlflow.sklearn.log_model(
        model,
        name="model",
        signature=infer_signature(X_test, predictions),
        input_example=X_test.head(3),
        skops_trusted_types=["sklearn.tree._tree.Tree"],
        pip_requirements=[f"{dist}=={installed(dist)}" for dist in ("scikit-learn", "skops")],
    )

    # A real artifact: which features the forest splits on most.
    order = model.feature_importances_.argsort()
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.barh(X.columns[order], model.feature_importances_[order])
    ax.set_xlabel("importance (mean decrease in impurity)")
    fig.tight_layout()
    with tempfile.TemporaryDirectory() as tmp:
        plot = Path(tmp) / "feature_importance.png"
        fig.savefig(plot)
        mlflow.log_artifact(str(plot))

    # Register the model: version 1 the first time, then 2, 3, ...
    version = mlflow.register_model(model_info.model_uri, MODEL_NAME)
# --8<-- [end:track]

print(f"run {run.info.run_id}: mse={mse:.2f}")
print(f"registered {version.name} version {version.version}")
