"""Write the example's data: one batch of new rows and the reference profile of older ones.

Not a pipeline step. In a real project the batch lands in data/raw/ from the data lake and the
reference profile is written when the current model is trained. Here both come from scikit-learn's
bundled breast cancer data set (569 rows, no download), shuffled and split in two halves:
the older half is profiled as the reference, the newer half is the batch the pipeline trains on.

    python scripts/make_data.py
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from sklearn.datasets import load_breast_cancer

HERE = Path(__file__).resolve().parent.parent

frame = load_breast_cancer(as_frame=True).frame.sample(frac=1.0, random_state=0)
older, batch = frame.iloc[:285], frame.iloc[285:]

(HERE / "data" / "raw").mkdir(parents=True, exist_ok=True)
batch.to_csv(HERE / "data" / "raw" / "batch.csv", index=False)
reference_csv = HERE / "data" / "reference.csv"
older.to_csv(reference_csv, index=False)
# The profile is what the drift check compares against; check_drift.py writes it.
subprocess.run(
    [
        sys.executable,
        str(HERE / "scripts" / "check_drift.py"),
        "--write-reference",
        "--data-path",
        str(reference_csv),
        "--reference",
        str(HERE / "data" / "train" / "stats.json"),
    ],
    check=True,
)
reference_csv.unlink()

# A first schema: every feature is a non-negative measurement, bounded by twice the largest value
# seen (a plausibility bound, meant to be reviewed by a person); the label is 0 or 1.
columns = {
    name: {"min": 0, "max": math.ceil(2 * frame[name].max() * 1000) / 1000}
    for name in frame.columns
    if name != "target"
}
columns["target"] = {"allowed": [0, 1]}
schema = {"min_rows": 50, "columns": columns}
(HERE / "schema.json").write_text(json.dumps(schema, indent=1) + "\n")
print(f"wrote {len(batch)} rows to data/raw/batch.csv and the profile of {len(older)} older rows")
