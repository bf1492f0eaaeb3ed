"""What the draft's stage calls do on MLflow 3: they still work, with a FutureWarning.

    MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python examples/mlflow_/legacy_stages.py

Stages (None, Staging, Production, Archived) are deprecated since MLflow 2.9 in favour of
aliases and tags (registry.py). Kept here so you recognise them in older code.
"""

import warnings

from mlflow import MlflowClient

MODEL_NAME = "DiabetesModel"
client = MlflowClient()
version = client.get_model_version_by_alias(MODEL_NAME, "champion").version

# --8<-- [start:stages]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    client.transition_model_version_stage(name=MODEL_NAME, version=version, stage="Production")
for warning in caught:
    print(f"{warning.category.__name__}: {warning.message}")
# --8<-- [end:stages]

print(f"version {version} stage: {client.get_model_version(MODEL_NAME, version).current_stage}")
