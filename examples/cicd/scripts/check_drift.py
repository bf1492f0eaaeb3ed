"""Stage 1b: has the distribution of the features moved since the model was trained?

    python scripts/check_drift.py --data-path data/raw/ --reference data/train/stats.json

The reference profile (stats.json) holds, per feature, the decile edges of the data the current
model was trained on and the share of rows between them. For the new data, the same bins give
new shares, and the Population Stability Index (PSI) measures how far they moved:
PSI = sum((new - ref) * ln(new / ref)). Rule of thumb: < 0.1 stable, 0.1-0.2 moderate, > 0.2 a
real shift. Any feature above --threshold fails the pipeline. --write-reference writes the
profile instead (run it on the training data when a model is trained).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

BINS = 10
EPSILON = 1e-4  # an empty bin would make ln(0): count it as a tiny share instead


def read_data(data_path: Path, target: str) -> pd.DataFrame:
    files = sorted(data_path.glob("*.csv")) if data_path.is_dir() else [data_path]
    if not files or not all(f.is_file() for f in files):
        sys.exit(f"check_drift: no CSV file at {data_path}")
    return pd.concat([pd.read_csv(f) for f in files]).drop(columns=[target], errors="ignore")


# --8<-- [start:psi]
def profile(frame: pd.DataFrame) -> dict:
    """Decile edges of each feature and the share of rows in each bin."""
    columns = {}
    for name in frame.columns:
        edges = np.unique(np.quantile(frame[name], np.linspace(0, 1, BINS + 1)[1:-1]))
        columns[name] = {"edges": edges.tolist(), "shares": shares(frame[name], edges).tolist()}
    return {"rows": len(frame), "columns": columns}


def shares(values: pd.Series, edges: np.ndarray) -> np.ndarray:
    counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)
    return counts / counts.sum()


def psi(reference: dict, values: pd.Series) -> float:
    expected = np.clip(np.array(reference["shares"]), EPSILON, None)
    actual = np.clip(shares(values, np.array(reference["edges"])), EPSILON, None)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


# --8<-- [end:psi]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-path", type=Path, default=Path("data/raw"))
    parser.add_argument("--reference", type=Path, required=True)
    parser.add_argument("--threshold", type=float, default=0.2)
    parser.add_argument("--target", default="target", help="label column, not profiled")
    parser.add_argument("--report", type=Path, default=Path("reports/drift.json"))
    parser.add_argument("--write-reference", action="store_true")
    args = parser.parse_args()

    frame = read_data(args.data_path, args.target)
    if args.write_reference:
        args.reference.parent.mkdir(parents=True, exist_ok=True)
        args.reference.write_text(json.dumps(profile(frame), indent=1) + "\n")
        print(f"check_drift: wrote the profile of {len(frame)} rows to {args.reference}")
        return 0

    reference = json.loads(args.reference.read_text())
    missing = sorted(set(reference["columns"]) - set(frame.columns))
    if missing:
        sys.exit(f"check_drift: {args.data_path} lacks profiled columns {missing}")
    scores = {name: psi(ref, frame[name]) for name, ref in reference["columns"].items()}
    drifted = {name: score for name, score in scores.items() if score > args.threshold}
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps({"threshold": args.threshold, "psi": scores}, indent=1))

    worst = sorted(scores.items(), key=lambda item: -item[1])[:3]
    print(
        f"check_drift: {len(frame)} rows vs a reference of {reference['rows']}; highest PSI: "
        + ", ".join(f"{name}={score:.3f}" for name, score in worst)
    )
    if drifted:
        print(
            f"check_drift: FAILED, PSI above {args.threshold} for {sorted(drifted)}",
            file=sys.stderr,
        )
        return 1
    print(f"check_drift: passed, every feature's PSI <= {args.threshold}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
