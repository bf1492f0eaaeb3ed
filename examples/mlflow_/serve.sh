#!/usr/bin/env bash
# Serve the @champion version of DiabetesModel over HTTP (POST /invocations), until Ctrl-C.
# The model is fetched from $MLFLOW_TRACKING_URI; PORT defaults to 5001.
set -euo pipefail

# --8<-- [start:serve]
# --env-manager local: serve from this Python environment (the default builds a new virtualenv
# from the model's requirements at start-up). mlflow execs `uvicorn`, so it must be on PATH.
mlflow models serve -m "models:/DiabetesModel@champion" \
  --host 127.0.0.1 -p "${PORT:-5001}" --env-manager local
# --8<-- [end:serve]
