"""Stage 3a: score the new model and the current champion on the same held-out rows.

    python scripts/evaluate.py --model-path models/latest/ --test-data data/test/

A champion's metrics from its own training run were measured on other data; comparing them with
today's numbers compares data sets, not models. So both models are loaded from the registry and
scored here, on this pipeline's test split. Writes metrics.json for compare_with_baseline.py and
logs the candidate's test metrics to its MLflow run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import mlflow
import pandas as pd
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score


def scores(model_uri: str, features: pd.DataFrame, labels: pd.Series) -> dict[str, float]:
    model = mlflow.sklearn.load_model(model_uri)
    predicted = model.predict(features)
    return {
        "roc_auc": roc_auc_score(labels, model.predict_proba(features)[:, 1]),
        "accuracy": accuracy_score(labels, predicted),
        "f1": f1_score(labels, predicted),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-path", type=Path, default=Path("models/latest"))
    parser.add_argument("--test-data", type=Path, default=Path("data/test"))
    parser.add_argument("--champion-alias", default="champion")
    parser.add_argument("--output", type=Path, default=Path("metrics.json"))
    args = parser.parse_args()

    pointer = json.loads((args.model_path / "model_info.json").read_text())
    test = pd.concat([pd.read_csv(f) for f in sorted(args.test_data.glob("*.csv"))])
    features, labels = test.drop(columns=[pointer["target"]]), test[pointer["target"]]
    client = MlflowClient()

    # --8<-- [start:champion]
    candidate = scores(f"models:/{pointer['name']}/{pointer['version']}", features, labels)
    try:
        champion_version = client.get_model_version_by_alias(
            pointer["name"], args.champion_alias
        ).version
    except MlflowException:  # no champion yet: the first model sets the baseline
        champion_version = None
    champion = (
        scores(f"models:/{pointer['name']}@{args.champion_alias}", features, labels)
        if champion_version
        else None
    )
    # --8<-- [end:champion]
    for name, value in candidate.items():
        client.log_metric(pointer["run_id"], f"test_{name}", value)

    result = {
        "model": pointer["name"],
        "test_rows": len(test),
        "candidate": {"version": pointer["version"], "metrics": candidate},
        "champion": champion and {"version": champion_version, "metrics": champion},
    }
    args.output.write_text(json.dumps(result, indent=1) + "\n")
    for role in ("candidate", "champion"):
        if result[role]:
            numbers = " ".join(f"{k}={v:.4f}" for k, v in result[role]["metrics"].items())
            print(f"evaluate: {role} version {result[role]['version']}: {numbers}")
        else:
            print(f"evaluate: no model has the alias @{args.champion_alias} yet")
    return 0


if __name__ == "__main__":
    sys.exit(main())
