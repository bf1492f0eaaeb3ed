"""Stage 3b: the gate. Refuse a candidate that is worse than the champion.

    python scripts/compare_with_baseline.py --new-metrics metrics.json --threshold 0.01

Passes when there is no champion yet, or when candidate >= champion - threshold on --metric
(ROC AUC by default). The threshold is a tolerance for noise on a small test set: a retrain on
fresh data that scores the same is accepted, a real regression is not. The verdict is written on
the model version as tags, so the registry shows why a version was or was not promoted.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mlflow import MlflowClient


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--new-metrics", type=Path, required=True)
    parser.add_argument("--threshold", type=float, required=True)
    parser.add_argument("--metric", default="roc_auc")
    args = parser.parse_args()

    result = json.loads(args.new_metrics.read_text())
    name, version = result["model"], result["candidate"]["version"]
    new = result["candidate"]["metrics"][args.metric]
    # --8<-- [start:gate]
    if result["champion"] is None:
        passed, why = True, f"no champion yet; {args.metric}={new:.4f} sets the baseline"
    else:
        old = result["champion"]["metrics"][args.metric]
        passed = new >= old - args.threshold
        why = (
            f"{args.metric} {new:.4f} vs champion version {result['champion']['version']} "
            f"{old:.4f} (change {new - old:+.4f}, allowed drop {args.threshold})"
        )
    client = MlflowClient()
    client.set_model_version_tag(name, version, "validation", "passed" if passed else "failed")
    client.set_model_version_tag(name, version, "validation_reason", why)
    # --8<-- [end:gate]
    verdict = "passed" if passed else "REFUSED"
    print(f"compare_with_baseline: {name} version {version} {verdict}: {why}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
