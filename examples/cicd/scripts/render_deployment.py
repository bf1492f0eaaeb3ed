"""Deploy stages: resolve the alias a Deployment follows to a version, and pin that version.

    python scripts/render_deployment.py k8s/production/deployment.yaml \
        --output deploy/production.yaml

The manifest in git names the alias its environment follows (`--model-uri
models:/breast-cancer-classifier@champion`). Applied as it is, every pod start (a restart, an
evicted pod, a scale-up) would resolve the alias again, so moving the alias would change what
production serves with no deployment anyone made, and pods started on either side of the move
would serve different versions. This script asks the registry once, writes
models:/<name>/<version> in the alias's place, labels the pods with the version and records the
change cause; `kubectl apply -f` of the result is the release, a new rollout revision.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml
from mlflow import MlflowClient

ALIAS_URI = re.compile(r"models:/(?P<name>[^/@]+)@(?P<alias>[\w-]+)")


def model_uri_index(container: dict) -> int | None:
    args = container.get("args", [])
    return args.index("--model-uri") + 1 if "--model-uri" in args else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest", type=Path, help="a Deployment whose --model-uri is an alias")
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()

    docs = list(yaml.safe_load_all(args.manifest.read_text()))
    deployment = next(doc for doc in docs if doc and doc["kind"] == "Deployment")
    pod = deployment["spec"]["template"]
    container = next(c for c in pod["spec"]["containers"] if model_uri_index(c) is not None)
    at = model_uri_index(container)
    alias_uri = ALIAS_URI.fullmatch(container["args"][at])
    if not alias_uri:
        sys.exit(f"render_deployment: {container['args'][at]!r} is not models:/<name>@<alias>")
    name, alias = alias_uri["name"], alias_uri["alias"]

    # --8<-- [start:pin]
    version = MlflowClient().get_model_version_by_alias(name, alias).version
    container["args"][at] = f"models:/{name}/{version}"
    # Which pod serves what: kubectl get pods -L model-version
    pod["metadata"]["labels"]["model-version"] = version
    # What each revision released: kubectl rollout history (CHANGE-CAUSE)
    notes = deployment["metadata"].setdefault("annotations", {})
    notes["kubernetes.io/change-cause"] = f"{name} version {version} (@{alias})"
    # --8<-- [end:pin]

    args.output.parent.mkdir(parents=True, exist_ok=True)
    header = f"# Rendered by scripts/render_deployment.py from {args.manifest}: do not edit.\n"
    args.output.write_text(header + yaml.safe_dump_all(docs, sort_keys=False))
    print(
        f"render_deployment: {name}@{alias} is version {version}: "
        f"{args.output} serves models:/{name}/{version}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
