"""Rebuild last month's training set exactly, with Delta Lake time travel (delta-rs).

A seeded job writes a features-and-labels table in several commits: October's rows, late
labels merged in, then November's rows, more late labels and one user's erasure. The
October training set is built on 1 November at a known table version, and that version
and the set's content hash are recorded with the model. A month later, loading that
version (or the time the set was built) gives the same rows; the latest table does not.

    python examples/data/delta_time_travel.py [folder]   # default: a temporary folder
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable, write_deltalake

SEED = 21
USERS = 40
KEY = ["user_id", "day"]
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def daily_features(rng: np.random.Generator, first: date, last: date) -> pa.Table:
    """One row per user and day: two features and a label (1 = the user churned)."""
    days = [first + timedelta(d) for d in range((last - first).days + 1)]
    n = len(days) * USERS
    return pa.table(
        {
            "user_id": pa.array(np.tile(np.arange(USERS), len(days)), pa.int64()),
            "day": pa.array(np.repeat(days, USERS), pa.date32()),
            "clicks_7d": pa.array(rng.poisson(6, n), pa.int64()),
            "spend_30d": pa.array(rng.gamma(2.0, 15.0, n).round(2), pa.float64()),
            "label": pa.array((rng.random(n) < 0.2).astype(np.int64), pa.int64()),
        }
    )


def month(table: DeltaTable, first: date, last: date) -> pd.DataFrame:
    """The rows of one month, in a fixed order (a training set must not depend on file
    order, which compaction and rewrites change)."""
    rows = table.to_pyarrow_dataset().to_table(
        filter=(pc.field("day") >= first) & (pc.field("day") <= last)
    )
    return rows.to_pandas().sort_values(KEY, ignore_index=True)


def content_hash(frame: pd.DataFrame) -> str:
    """SHA-256 of the frame's values, row by row, independent of the index."""
    rows = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.sha256(rows.tobytes()).hexdigest()


def late_labels(rng: np.random.Generator, table: DeltaTable, n: int) -> pa.Table:
    """`n` October rows labelled 0 whose churn was reported late: (user, day, label=1)."""
    frame = month(table, *OCTOBER)
    negative = frame[frame["label"] == 0]
    picked = negative.iloc[np.sort(rng.choice(len(negative), n, replace=False))]
    return pa.Table.from_pandas(picked[KEY].assign(label=1), preserve_index=False)


def merge_labels(table: DeltaTable, labels: pa.Table) -> None:
    (
        table.merge(
            labels,
            predicate="t.user_id = s.user_id AND t.day = s.day",
            source_alias="s",
            target_alias="t",
        )
        .when_matched_update(updates={"label": "s.label"})
        .execute()
    )


def log_actions(path: Path, version: int) -> tuple[int, int]:
    """(add, remove) actions in one commit file of _delta_log: what the version changed."""
    commit = path / "_delta_log" / f"{version:020d}.json"
    actions = [next(iter(json.loads(line))) for line in commit.read_text().splitlines()]
    return actions.count("add"), actions.count("remove")


def main(folder: Path) -> dict:
    rng = np.random.default_rng(SEED)
    path = folder / "churn_features"
    oct_mid = date(2026, 10, 15)

    # --8<-- [start:commits]
    write_deltalake(path, daily_features(rng, OCTOBER[0], oct_mid))  # v0
    table = DeltaTable(path)
    late_october = daily_features(rng, oct_mid + timedelta(1), OCTOBER[1])
    write_deltalake(table, late_october, mode="append")  # v1
    merge_labels(table, late_labels(rng, table, 25))  # v2: late labels
    # --8<-- [end:commits]

    # --8<-- [start:build]
    table = DeltaTable(path)  # 1 November: build October's training set
    training_set = month(table, *OCTOBER)
    run_params = {  # logged with the model, e.g. mlflow.log_params(run_params)
        "data.table": str(path),
        "data.version": table.version(),
        "data.as_of": datetime.now(UTC).isoformat(),
        "data.sha256": content_hash(training_set),
    }
    # --8<-- [end:build]
    training_set.to_parquet(folder / "training_set.parquet")
    (folder / "training_run.json").write_text(json.dumps(run_params, indent=1))
    time.sleep(0.01)  # the next commit's millisecond timestamp is after data.as_of

    # --8<-- [start:later]
    write_deltalake(table, daily_features(rng, *NOVEMBER), mode="append")
    merge_labels(table, late_labels(rng, table, 15))  # late October labels
    table.delete("user_id = 13")  # a user asked to be erased
    # --8<-- [end:later]

    print("version  operation  add  remove   rows")
    for commit in sorted(DeltaTable(path).history(), key=lambda c: c["version"]):
        version = commit["version"]
        added, removed = log_actions(path, version)
        rows = DeltaTable(path, version=version).count()
        print(f"{version:7}  {commit['operation']:9}  {added:3}  {removed:6}  {rows:5}")

    # --8<-- [start:rebuild]
    def rebuild(version: int | datetime) -> pd.DataFrame:
        table = DeltaTable(run_params["data.table"])
        table.load_as_version(version)
        return month(table, *OCTOBER)

    by_version = rebuild(run_params["data.version"])
    by_time = rebuild(datetime.fromisoformat(run_params["data.as_of"]))
    latest = month(DeltaTable(path), *OCTOBER)
    # --8<-- [end:rebuild]

    saved = run_params["data.sha256"]
    print(f"\nOctober training set, built at version {run_params['data.version']}:")
    print("read                     rows  sha256        same set")
    for name, frame in [
        ("saved with the model", training_set),
        (f"at version {run_params['data.version']}", by_version),
        ("as of data.as_of", by_time),
        ("latest, same filter", latest),
    ]:
        digest = content_hash(frame)
        same = "yes" if digest == saved and frame.equals(training_set) else "NO"
        print(f"{name:22}  {len(frame):5}  {digest[:12]}  {same}")
    changed = latest.merge(training_set, on=KEY, suffixes=("", "_then"))
    print(
        f"latest October: {len(training_set) - len(latest)} rows erased, "
        f"{int((changed['label'] != changed['label_then']).sum())} labels changed"
    )
    return run_params


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as scratch:
            main(Path(scratch))
    # pyarrow may still be tearing down the last scan; exiting at that moment
    # can crash the process after its work is done (apache/arrow#36389).
    time.sleep(0.5)
