"""Promote a registered model the MLflow 3 way: an alias (@champion) and tags, not stages.

    MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python examples/mlflow_/registry.py

Run tracking.py first: it registers DiabetesModel.
"""

from mlflow import MlflowClient

MODEL_NAME = "DiabetesModel"

client = MlflowClient()  # reads MLFLOW_TRACKING_URI

# --8<-- [start:promote]
# The newest version is the candidate (tracking.py registered it).
latest = client.search_model_versions(
    f"name = '{MODEL_NAME}'", order_by=["version_number DESC"], max_results=1
)[0]

# Tags record why; the alias is what consumers load: models:/DiabetesModel@champion.
client.set_registered_model_tag(MODEL_NAME, "owner", "ml-platform")
client.set_model_version_tag(MODEL_NAME, latest.version, "validation_status", "approved")
client.set_registered_model_alias(MODEL_NAME, "champion", latest.version)
# --8<-- [end:promote]

# --8<-- [start:resolve]
# At deploy time: resolve the alias once, and deploy the version it names, pinned.
champion = client.get_model_version_by_alias(MODEL_NAME, "champion")
print(f"{MODEL_NAME}@champion -> version {champion.version}, tags {champion.tags}")
print(f"deploy models:/{MODEL_NAME}/{champion.version}")
# --8<-- [end:resolve]
