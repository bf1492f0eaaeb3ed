#!/usr/bin/env bash
# The MLflow CLI cheat sheet, MLflow 3. Not a script: copy one command at a time.
# `ui` and `models serve` run until Ctrl-C. The others talk to $MLFLOW_TRACKING_URI.

# Start the UI (a tracking server on 127.0.0.1; runs and models go to ./mlflow.db)
mlflow ui --port 5000

# Register a model: there is no `mlflow models register`; the registry is driven from Python
python -c "import mlflow; mlflow.register_model('runs:/<run-id>/model', 'ModelName')"

# Point the @champion alias at a version (what replaced the Production stage)
python -c "import mlflow; mlflow.MlflowClient().set_registered_model_alias('ModelName', 'champion', 1)"

# Which version is @champion? Deploy that number, not the alias (a restart re-reads an alias)
python -c "import mlflow; print(mlflow.MlflowClient().get_model_version_by_alias('ModelName', 'champion').version)"

# Serve that version locally, from this Python environment (no new virtualenv or conda)
mlflow models serve -m models:/ModelName/1 -p 5001 --env-manager local
