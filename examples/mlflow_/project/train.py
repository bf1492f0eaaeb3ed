"""The MLproject's entry point: `mlflow run` passes the parameters and the run to log into."""

import argparse

import mlflow
from sklearn.datasets import load_diabetes
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split

parser = argparse.ArgumentParser()
parser.add_argument("--n_estimators", type=int, default=100)
parser.add_argument("--max_depth", type=int, default=5)
args = parser.parse_args()

X, y = load_diabetes(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)

# Under `mlflow run`, MLFLOW_RUN_ID is set: start_run() continues that run (which already holds
# the -P parameters) instead of creating a new one.
with mlflow.start_run() as run:
    model = RandomForestRegressor(
        n_estimators=args.n_estimators, max_depth=args.max_depth, random_state=42
    ).fit(X_train, y_train)
    mse = mean_squared_error(y_test, model.predict(X_test))
    mlflow.log_metric("mse", mse)

print(
    f"run {run.info.run_id}: n_estimators={args.n_estimators} max_depth={args.max_depth} "
    f"mse={mse:.2f}"
)
