"""Deploy stages: point an alias (@staging, @champion) at a validated model version.

    python scripts/promote_model.py --model-path models/latest/ --alias champion
    python scripts/promote_model.py --model-name NAME --version 3 --alias champion

The alias records which version an environment should run (stages such as "Production" are
deprecated since MLflow 2.9); render_deployment.py then deploys that version, pinned. A rollback
is the same command with the previous version, then a deployment. Only a version that
compare_with_baseline.py tagged validation=passed can be promoted, unless --force (say, a
version registered before the gate existed).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mlflow import MlflowClient
from mlflow.exceptions import MlflowException


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-path", type=Path, help="a model_info.json folder from train.py")
    parser.add_argument("--model-name")
    parser.add_argument("--version")
    parser.add_argument("--alias", required=True)
    parser.add_argument("--force", action="store_true", help="skip the validation tag check")
    args = parser.parse_args()
    if args.model_path:
        pointer = json.loads((args.model_path / "model_info.json").read_text())
        args.model_name, args.version = pointer["name"], pointer["version"]
    if not (args.model_name and args.version):
        parser.error("give --model-path, or both --model-name and --version")

    client = MlflowClient()
    # --8<-- [start:promote]
    version = client.get_model_version(args.model_name, args.version)
    if version.tags.get("validation") != "passed" and not args.force:
        sys.exit(
            f"promote_model: {args.model_name} version {args.version} has validation="
            f"{version.tags.get('validation')!r}, not 'passed'; run compare_with_baseline.py"
        )
    try:
        previous = client.get_model_version_by_alias(args.model_name, args.alias).version
    except MlflowException:
        previous = None
    client.set_registered_model_alias(args.model_name, args.alias, args.version)
    # --8<-- [end:promote]
    print(f"promote_model: {args.model_name}@{args.alias}: version {previous} -> {args.version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
