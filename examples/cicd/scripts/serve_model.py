"""The model server the Deployments run: one registered model version, which says which it is.

    python scripts/serve_model.py --model-uri models:/breast-cancer-classifier/2 --port 8080

It runs MLflow's scoring app, the one `mlflow models serve` starts (`/ping`, `/invocations` with
the same request formats and signature check), and adds what that server lacks: a way to ask
which model version answers. Its `/version` is MLflow's own version, not the model's.

    GET /model                 {"name", "version", "run_id", "model_id", "uri"}
    X-Model-Version: <n>       a header on every response

A deployment passes a pinned URI, models:/<name>/<version>, written by render_deployment.py. An
alias URI (models:/<name>@champion) is resolved once, when the server starts, and the version it
resolved to is what the server reports; the next restart may resolve it to another one.
"""

from __future__ import annotations

import argparse
import re
import sys

import mlflow.pyfunc
import uvicorn
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.pyfunc import scoring_server

REGISTRY_URI = re.compile(r"models:/(?P<name>[^/@]+)(?:/(?P<version>\d+)|@(?P<alias>[\w-]+))")


# --8<-- [start:app]
def registered_version(uri: str) -> ModelVersion:
    """The registry entry that models:/<name>/<version> (or @<alias>) names now."""
    match = REGISTRY_URI.fullmatch(uri)
    if not match:
        usage = "models:/<name>/<version> or models:/<name>@<alias>"
        sys.exit(f"serve_model: {uri!r} is not {usage}")
    client = MlflowClient()  # reads MLFLOW_TRACKING_URI
    if match["alias"]:
        return client.get_model_version_by_alias(match["name"], match["alias"])
    return client.get_model_version(match["name"], match["version"])


def build_app(uri: str):
    version = registered_version(uri)  # an alias is resolved here, once
    model = mlflow.pyfunc.load_model(f"models:/{version.name}/{version.version}")
    app = scoring_server.init(model)  # what `mlflow models serve` runs
    served = {
        "name": version.name,
        "version": version.version,
        "run_id": version.run_id,
        "model_id": version.model_id,
        "uri": uri,
    }

    @app.get("/model")
    def model_info() -> dict:
        return served

    @app.middleware("http")
    async def version_header(request, call_next):
        response = await call_next(request)
        response.headers["X-Model-Version"] = version.version
        return response

    return app, served


# --8<-- [end:app]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-uri", required=True, help="models:/<name>/<version>")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    app, served = build_app(args.model_uri)
    print(
        f"serve_model: {served['uri']} is {served['name']} version {served['version']}"
        f" (run {served['run_id']})",
        flush=True,
    )
    uvicorn.run(app, host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
