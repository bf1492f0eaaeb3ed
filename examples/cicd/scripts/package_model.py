"""Stage 4a: copy the registered model out of MLflow into a folder a server or an image can use.

    python scripts/package_model.py --model-path models/latest/ --output packaged_model/

Downloads the model version that train.py registered (MLmodel, the pipeline saved with skops,
its requirements.txt and input example), loads the copy back and predicts its own input example,
so a package that cannot serve fails here and not in a cluster. `mlflow models serve -m
packaged_model` or `mlflow models build-docker -m packaged_model` take it from there.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import mlflow
from mlflow.models import Model


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-path", type=Path, default=Path("models/latest"))
    parser.add_argument("--output", type=Path, default=Path("packaged_model"))
    args = parser.parse_args()

    pointer = json.loads((args.model_path / "model_info.json").read_text())
    uri = f"models:/{pointer['name']}/{pointer['version']}"
    shutil.rmtree(args.output, ignore_errors=True)
    # --8<-- [start:package]
    local = mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(args.output))
    example = Model.load(local).load_input_example(local)
    predictions = mlflow.pyfunc.load_model(local).predict(example)
    # --8<-- [end:package]
    files = sorted(p.name for p in Path(local).iterdir())
    print(
        f"package_model: {uri} -> {args.output} ({', '.join(files)}); "
        f"predicts {[int(p) for p in predictions]} for its {len(example)}-row input example"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
