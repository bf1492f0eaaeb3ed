#!/usr/bin/env bash
# Run the MLproject in examples/mlflow_/project, logging to $MLFLOW_TRACKING_URI.
set -euo pipefail
cd "$(dirname "$0")"

# --8<-- [start:run]
# --env-manager local: run in this Python environment (no conda, no new virtualenv).
mlflow run project -P n_estimators=200 -P max_depth=10 \
  --env-manager local --experiment-name diabetes_project
# --8<-- [end:run]
