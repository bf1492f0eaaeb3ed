"""Many small files, compacted, then vacuumed: what each step leaves on disk (delta-rs).

A micro-batch job appends 50 rows a minute for 100 minutes: 100 commits, 100 tiny Parquet
files. optimize.compact() rewrites them into one file in a new version; the old files stay
on disk, because older versions still read them. vacuum() deletes them only once they are
older than the retention (a week by default). Forcing a zero retention deletes them at
once, and with them the table's past: reading an old version then fails.

    python examples/data/delta_compaction.py [folder]   # default: a temporary folder
"""

from __future__ import annotations

import re
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
from deltalake import DeltaTable, write_deltalake

SEED = 3
BATCHES = 100
ROWS = 50


def micro_batch(rng: np.random.Generator, minute: int) -> pa.Table:
    return pa.table(
        {
            "minute": pa.array([minute] * ROWS, pa.int64()),
            "user_id": pa.array(rng.integers(0, 1000, ROWS), pa.int64()),
            "clicks": pa.array(rng.poisson(3, ROWS), pa.int64()),
        }
    )


def on_disk(path: Path) -> tuple[int, int, int]:
    """Parquet data files, JSON commits and checkpoints in the table's folder."""
    log = path / "_delta_log"
    return (
        len(list(path.glob("*.parquet"))),
        len(list(log.glob("*.json"))),
        len(list(log.glob("*.checkpoint.parquet"))),
    )


def main(folder: Path) -> None:
    rng = np.random.default_rng(SEED)
    path = folder / "clicks"
    print("step                 version  live files  on disk  commits  rows")

    def show(step: str) -> None:
        table = DeltaTable(path)
        files, commits, _ = on_disk(path)
        live = len(table.file_uris())
        print(f"{step:19}  {table.version():7}  {live:10}  {files:7}  {commits:7}  {table.count()}")

    # --8<-- [start:appends]
    write_deltalake(path, micro_batch(rng, 0))
    table = DeltaTable(path)
    for minute in range(1, BATCHES):
        write_deltalake(table, micro_batch(rng, minute), mode="append")
    # --8<-- [end:appends]
    show(f"{BATCHES} appends")
    version_before = table.version()
    before = DeltaTable(path).to_pandas().sort_values(["minute", "user_id", "clicks"])

    # --8<-- [start:compact]
    metrics = table.optimize.compact()
    # --8<-- [end:compact]
    show("optimize.compact()")
    after = DeltaTable(path).to_pandas().sort_values(["minute", "user_id", "clicks"])
    same = before.reset_index(drop=True).equals(after.reset_index(drop=True))
    old_rows = DeltaTable(path, version=version_before).count()  # its files are still there

    # --8<-- [start:vacuum]
    kept = table.vacuum()  # a dry run, default retention: what would go
    try:
        table.vacuum(retention_hours=0, dry_run=False)
        refused = "accepted"
    except Exception as error:  # the refusal a reader would see
        refused = str(error)
    deleted = table.vacuum(
        retention_hours=0,
        enforce_retention_duration=False,
        dry_run=False,
    )
    # --8<-- [end:vacuum]
    show("vacuum(0 hours)")

    print(
        f"\ncompact(): {metrics['numFilesRemoved']} files removed, "
        f"{metrics['numFilesAdded']} added; same rows: {'yes' if same else 'NO'}"
    )
    print(f"read version {version_before} after compact(): {old_rows} rows")
    print(f"_delta_log checkpoints: {on_disk(path)[2]} (versions are JSON files)")
    print(f"vacuum() dry run, default retention: {len(kept)} files to delete")
    print(textwrap.fill(f"vacuum(retention_hours=0): {refused}", 72, subsequent_indent="  "))
    print(f"vacuum(0, enforce_retention_duration=False): {len(deleted)} deleted")
    # --8<-- [start:broken]
    # The log still lists the old version's files:
    old = DeltaTable(path, version=version_before)
    try:
        # One thread: a threaded pyarrow scan that fails can crash the
        # process at exit (apache/arrow#36389).
        old.to_pyarrow_dataset().to_table(use_threads=False)
        print(f"read version {version_before}: ok")
    except FileNotFoundError as error:
        message = str(error).splitlines()[0]  # "Object at location <path> ..."
        message = re.sub(r"\S*/part-\S+", "<table>/part-...", message)
        print(f"read version {version_before}: FileNotFoundError\n  {message}")
    # --8<-- [end:broken]


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as scratch:
            main(Path(scratch))
    # pyarrow may still be tearing down the last scan; exiting at that moment
    # can crash the process after its work is done (apache/arrow#36389).
    time.sleep(0.5)
