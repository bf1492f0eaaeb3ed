#!/usr/bin/env bash
# Serve the version DiabetesModel@champion points at now, over HTTP (POST /invocations).
# The model is fetched from $MLFLOW_TRACKING_URI; PORT defaults to 5001. Runs until Ctrl-C.
set -euo pipefail

# --8<-- [start:serve]
# Resolve the alias once, now, and serve that version: a restart serves the
# same model, even if someone moves @champion in the meantime.
version=$(python -c 'from mlflow import MlflowClient as C
print(C().get_model_version_by_alias("DiabetesModel", "champion").version)')
echo "serving models:/DiabetesModel/$version"

# --env-manager local: serve from this Python environment (the default builds
# a new virtualenv from the model's requirements at start-up). mlflow execs
# `uvicorn`, so it must be on PATH.
mlflow models serve -m "models:/DiabetesModel/$version" \
  --host 127.0.0.1 -p "${PORT:-5001}" --env-manager local
# --8<-- [end:serve]
