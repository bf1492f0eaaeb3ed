"""Stage 2: train on the validated data, log the run to MLflow and register the model.

    export MLFLOW_TRACKING_URI=http://127.0.0.1:5000
    python scripts/train.py --config configs/model_config.yaml

Writes two things for the next jobs (GitLab artifacts): models/latest/model_info.json, a pointer
to the registered model version (the model itself lives in MLflow, not in the job's artifacts),
and data/test/test.csv, the held-out rows that evaluate.py scores every candidate on.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import mlflow
import pandas as pd
import yaml
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--data-path", type=Path, default=Path("data/raw"))
    parser.add_argument("--output", type=Path, default=Path("models/latest"))
    parser.add_argument("--test-output", type=Path, default=Path("data/test"))
    parser.add_argument("--requirements", type=Path, default=Path("requirements.txt"))
    args = parser.parse_args()
    if not os.environ.get("MLFLOW_TRACKING_URI"):
        sys.exit("train: set MLFLOW_TRACKING_URI (a CI/CD variable), e.g. http://mlflow:5000")

    config = yaml.safe_load(args.config.read_text())
    frame = pd.concat([pd.read_csv(f) for f in sorted(args.data_path.glob("*.csv"))])
    features, labels = frame.drop(columns=[config["target"]]), frame[config["target"]]
    x_train, x_test, y_train, y_test = train_test_split(
        features,
        labels,
        test_size=config["split"]["test_size"],
        random_state=config["split"]["seed"],
        stratify=labels,
    )

    # --8<-- [start:log]
    mlflow.set_experiment(config["experiment"])
    with mlflow.start_run() as run:
        # GitLab's predefined variables tie the run to the commit and pipeline that made it.
        mlflow.set_tags(
            {
                "ci.commit": os.environ.get("CI_COMMIT_SHA", "local"),
                "ci.pipeline": os.environ.get("CI_PIPELINE_ID", "local"),
            }
        )
        mlflow.log_params({**config["model"], **config["split"], "train_rows": len(x_train)})
        model = make_pipeline(StandardScaler(), LogisticRegression(**config["model"]))
        model.fit(x_train, y_train)
        train_auc = roc_auc_score(y_train, model.predict_proba(x_train)[:, 1])
        mlflow.log_metric("train_roc_auc", train_auc)
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            input_example=x_train.head(3),
            registered_model_name=config["registered_model_name"],
            # The pipeline's pins, not a guess from the environment (which is also slow).
            pip_requirements=str(args.requirements),
        )
    # --8<-- [end:log]

    args.output.mkdir(parents=True, exist_ok=True)
    pointer = {
        "name": config["registered_model_name"],
        "run_id": run.info.run_id,
        "version": str(info.registered_model_version),
        "target": config["target"],
    }
    (args.output / "model_info.json").write_text(json.dumps(pointer, indent=1) + "\n")
    args.test_output.mkdir(parents=True, exist_ok=True)
    x_test.assign(**{config["target"]: y_test}).to_csv(args.test_output / "test.csv", index=False)
    print(
        f"train: run {run.info.run_id} registered {pointer['name']} version "
        f"{pointer['version']} (train_roc_auc={train_auc:.4f}, {len(x_train)} rows)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
