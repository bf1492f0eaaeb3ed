#!/usr/bin/env bash
# Where every example logs: MLflow reads MLFLOW_TRACKING_URI. Pick ONE section and source it.

# --8<-- [start:laptop]
# A server on this machine, started with `mlflow ui --port 5000` (or `mlflow server`)
export MLFLOW_TRACKING_URI=http://127.0.0.1:5000
# --8<-- [end:laptop]

# --8<-- [start:team]
# The team's shared server; credentials come from MLFLOW_TRACKING_USERNAME and
# MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN), set from your secret store
export MLFLOW_TRACKING_URI=https://mlflow.example.com
# --8<-- [end:team]
