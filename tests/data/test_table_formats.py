"""docs/data/table-formats.md: Delta Lake through delta-rs, run for real on tables the
examples write under a temporary folder. Each example runs once, as a reader runs it; the
tests then read the tables it left with their own code: the rebuilt training set equals the
saved one, evolved schemas read back as the page says, compaction and vacuum leave the
files counted on disk."""

from __future__ import annotations

import inspect
import json
import os
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import SchemaMismatchError

from tests.support.examples import ExampleRun, import_example, run_in_process

KEY = ["user_id", "day"]


def example_in(folder: Path, name: str) -> ExampleRun:
    """Run as `python examples/data/<name> <folder>` does, in this process: deltalake is
    imported once, and a fresh process could crash at exit while pyarrow tears down its
    last scan (apache/arrow#36389, about 1 run in 15 here, after correct output)."""
    folder.mkdir(parents=True, exist_ok=True)
    return run_in_process(f"data/{name}", str(folder))


@pytest.fixture(scope="module")
def time_travel(tmp_path_factory: pytest.TempPathFactory) -> tuple[ExampleRun, Path]:
    folder = tmp_path_factory.mktemp("time_travel")
    return example_in(folder, "delta_time_travel.py"), folder


@pytest.fixture(scope="module")
def evolution(tmp_path_factory: pytest.TempPathFactory) -> tuple[ExampleRun, Path]:
    folder = tmp_path_factory.mktemp("evolution")
    return example_in(folder, "delta_schema_evolution.py"), folder


@pytest.fixture(scope="module")
def compaction(tmp_path_factory: pytest.TempPathFactory) -> tuple[ExampleRun, Path]:
    folder = tmp_path_factory.mktemp("compaction")
    return example_in(folder, "delta_compaction.py"), folder


@pytest.fixture(scope="module")
def schema_example():
    return import_example("data/delta_schema_evolution.py")


def october(table: DeltaTable) -> pd.DataFrame:
    """The test's own October filter (pandas, not the example's Arrow filter)."""
    frame = table.to_pandas()
    days = pd.to_datetime(frame["day"])
    frame = frame[(days >= "2026-10-01") & (days <= "2026-10-31")]
    return frame.sort_values(KEY, ignore_index=True)


# 1. Time travel ---------------------------------------------------------------------------


def test_time_travel_rebuilds_last_months_training_set_exactly(time_travel) -> None:
    _, folder = time_travel
    params = json.loads((folder / "training_run.json").read_text())
    saved = pd.read_parquet(folder / "training_set.parquet")
    hashing = import_example("data/delta_time_travel.py").content_hash
    assert params["data.version"] == 2 and len(saved) == 40 * 31
    assert hashing(saved) == params["data.sha256"]

    at_version = DeltaTable(params["data.table"], version=params["data.version"])
    by_time = DeltaTable(params["data.table"])
    by_time.load_as_version(datetime.fromisoformat(params["data.as_of"]))
    assert by_time.version() == params["data.version"]  # not the next commit
    for table in (at_version, by_time):
        rebuilt = october(table)
        pd.testing.assert_frame_equal(rebuilt, saved)
        assert hashing(rebuilt) == params["data.sha256"]

    latest_table = DeltaTable(params["data.table"])
    assert latest_table.version() == 5
    latest = october(latest_table)
    assert hashing(latest) != params["data.sha256"]
    assert len(saved) - len(latest) == 31  # user 13 erased: 31 October days
    assert 13 in set(saved["user_id"]) and 13 not in set(latest["user_id"])
    both = latest.merge(saved, on=KEY, suffixes=("", "_then"))
    changed = both[both["label"] != both["label_then"]]
    assert len(changed) > 5 and set(changed["label"]) == {1}  # late labels, all churn
    for feature in ("clicks_7d", "spend_30d"):  # only labels were corrected
        assert both[feature].equals(both[f"{feature}_then"])

    operations = [
        c["operation"] for c in sorted(latest_table.history(), key=lambda c: c["version"])
    ]
    assert operations == ["WRITE", "WRITE", "MERGE", "WRITE", "MERGE", "DELETE"]


def test_time_travel_page_output(time_travel, page_output) -> None:
    run, _ = time_travel
    rows = re.findall(r"^(.{22})  +(\d+)  ([0-9a-f]{12})  (yes|NO)$", run.stdout, re.M)
    assert [(name.strip(), same) for name, _, _, same in rows] == [
        ("saved with the model", "yes"),
        ("at version 2", "yes"),
        ("as of data.as_of", "yes"),
        ("latest, same filter", "NO"),
    ]
    assert len({digest for _, _, digest, _ in rows[:3]}) == 1 != len({r[2] for r in rows})
    assert "latest October: 31 rows erased," in run.stdout
    log, rebuilt = run.stdout.split("\n\n")  # the page shows them in two places
    assert log.splitlines()[0].split() == ["version", "operation", "add", "remove", "rows"]
    page_output("examples/data/delta_time_travel.log.out.txt", log)
    page_output("examples/data/delta_time_travel.out.txt", rebuilt)


# 2. Schema evolution ----------------------------------------------------------------------


def test_schema_evolution_old_versions_read_without_the_new_column(evolution) -> None:
    _, folder = evolution
    path = folder / "user_features"
    old = DeltaTable(path, version=0).to_pandas()
    assert list(old.columns) == ["user_id", "clicks_7d", "spend_30d"] and len(old) == 100
    evolved = DeltaTable(path, version=1).to_pandas().sort_values("user_id")
    assert list(evolved.columns) == [*old.columns, "session_minutes"]
    assert evolved["session_minutes"].isna().tolist() == [True] * 100 + [False] * 50


def test_schema_evolution_page_output(evolution, page_output) -> None:
    run, _ = evolution
    out = run.stdout
    assert "session_minutes, latest: 100 null (old rows), 50 set (new rows)" in out
    flat = " ".join(out.split())  # the example wraps long messages
    assert "delta-rs: Exception: Cast error: Cannot cast string 'n/a'" in flat
    assert "number of fields does not match: 5 vs 4" in flat
    assert flat.count("checked: SchemaMismatch: append to user_features (version 1)") == 3
    assert "field 'device' (string) is not in the table" in flat
    assert "read back as int64: [12, 3, 7]" in flat
    page_output("examples/data/delta_schema_evolution.out.txt", out)


@pytest.fixture
def features_table(tmp_path: Path, schema_example) -> DeltaTable:
    path = tmp_path / "features"
    write_deltalake(path, schema_example.features(np.random.default_rng(0), 0, 5))
    return DeltaTable(path)


def with_column(data: pa.Table, name: str, values: list) -> pa.Table:
    return data.set_column(data.schema.get_field_index(name), name, pa.array(values))


def test_checked_append_names_the_field_and_writes_nothing(features_table, schema_example) -> None:
    rng = np.random.default_rng(1)
    table = features_table
    cases = {
        "clicks_7d": with_column(schema_example.features(rng, 5, 2), "clicks_7d", ["1", "2"]),
        "spend_30d": with_column(schema_example.features(rng, 5, 2), "spend_30d", [1, 2]),
        "device": schema_example.features(rng, 5, 2, device=pa.array(["ios", "web"])),
        "missing": schema_example.features(rng, 5, 2).drop_columns(["spend_30d"]),
    }
    for field, data in cases.items():
        with pytest.raises(schema_example.SchemaMismatch) as raised:
            schema_example.append(table, data)
        message = str(raised.value)
        assert "append to features (version 0)" in message
        assert (field if field != "missing" else "spend_30d") in message
    assert DeltaTable(table.table_uri).version() == 0  # nothing was written
    schema_example.append(table, cases["device"], add_columns=True)  # on purpose: accepted
    assert DeltaTable(table.table_uri).schema().to_arrow().names[-1] == "device"


# 3. Compaction and vacuum -----------------------------------------------------------------


def read_version(path: Path, version: int) -> pa.Table:
    """One thread: a threaded pyarrow scan that fails can crash the process at exit
    (apache/arrow#36389; seen here 2 times in 24 runs)."""
    return DeltaTable(path, version=version).to_pyarrow_dataset().to_table(use_threads=False)


def steps(out: str) -> dict[str, tuple[int, ...]]:
    found = re.findall(r"^(\S.{18})  +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)$", out, re.M)
    return {step.strip(): tuple(map(int, numbers)) for step, *numbers in found}


def test_compaction_and_vacuum_file_counts(compaction) -> None:
    run, folder = compaction
    path = folder / "clicks"
    # (version, live files, Parquet files on disk, JSON commits, rows)
    assert steps(run.stdout) == {
        "100 appends": (99, 100, 100, 100, 5000),
        "optimize.compact()": (100, 1, 101, 101, 5000),
        "vacuum(0 hours)": (102, 1, 1, 103, 5000),
    }
    # The compaction commit in the log: 100 files removed, one added, no data changed.
    commit = path / "_delta_log" / f"{100:020d}.json"
    actions = [json.loads(line) for line in commit.read_text().splitlines()]
    removes = [a["remove"] for a in actions if "remove" in a]
    adds = [a["add"] for a in actions if "add" in a]
    assert len(removes) == 100 and len(adds) == 1
    assert not any(action["dataChange"] for action in removes + adds)
    # What the run left, counted by the test itself.
    table = DeltaTable(path)
    assert len(table.file_uris()) == 1 and len(list(path.glob("*.parquet"))) == 1
    assert table.count() == 5000
    assert [c["operation"] for c in table.history(3)] == ["VACUUM END", "VACUUM START", "OPTIMIZE"]
    with pytest.raises(FileNotFoundError, match="not found"):
        read_version(path, 99)
    with pytest.raises(FileNotFoundError):
        read_version(path, 0)


def test_compaction_page_output(compaction, page_output) -> None:
    run, _ = compaction
    out = run.stdout
    assert "compact(): 100 files removed, 1 added; same rows: yes" in out
    assert "read version 99 after compact(): 5000 rows" in out
    assert "vacuum() dry run, default retention: 0 files to delete" in out
    assert "vacuum(0, enforce_retention_duration=False): 100 deleted" in out
    assert "read version 99: FileNotFoundError" in out
    page_output("examples/data/delta_compaction.out.txt", out)


def test_keep_versions_protects_a_training_version_from_vacuum(tmp_path: Path) -> None:
    """The fix on the page: vacuum(..., keep_versions=[the version a model used])."""
    path = tmp_path / "t"
    for i in range(6):
        write_deltalake(path, pa.table({"x": [i]}), mode="append")
    table = DeltaTable(path)
    table.optimize.compact()
    table.delete("x = 5")  # a rewrite after the version the model used
    table.vacuum(
        retention_hours=0, enforce_retention_duration=False, dry_run=False, keep_versions=[5]
    )
    assert read_version(path, 5).num_rows == 6
    with pytest.raises(FileNotFoundError):
        read_version(path, 6)  # the compacted file, not kept


# Claims: defaults and behaviours of the installed deltalake -------------------------------


def test_vacuum_refuses_less_than_168_hours_by_default(tmp_path: Path) -> None:
    path = tmp_path / "t"
    write_deltalake(path, pa.table({"x": [1]}))
    table = DeltaTable(path)
    assert table.metadata().configuration == {}  # no delta.deletedFileRetentionDuration set
    with pytest.raises(Exception, match=r"greater than 168 hours, got 167 hours"):
        table.vacuum(retention_hours=167)
    assert table.vacuum(retention_hours=168) == []  # the minimum itself is accepted
    assert "default of 1 week" in DeltaTable.vacuum.__doc__
    defaults = inspect.signature(DeltaTable.vacuum).parameters
    assert defaults["dry_run"].default is True  # vacuum() only lists, unless told
    assert defaults["enforce_retention_duration"].default is True


def test_compact_targets_100_mib_by_default(tmp_path: Path) -> None:
    path = tmp_path / "t"
    for i in range(2):
        write_deltalake(path, pa.table({"x": [i]}), mode="append")
    table = DeltaTable(path)
    table.optimize.compact()
    optimize = table.history(1)[0]
    assert optimize["operation"] == "OPTIMIZE"
    assert optimize["operationParameters"]["targetSize"] == str(100 * 1024 * 1024)
    assert callable(table.optimize.z_order)


def test_a_checkpoint_every_100_commits(compaction) -> None:
    _, folder = compaction
    log = folder / "clicks" / "_delta_log"
    assert sorted(p.name for p in log.glob("*.checkpoint.parquet")) == [
        f"{99:020d}.checkpoint.parquet"
    ]
    assert json.loads((log / "_last_checkpoint").read_text())["version"] == 99


def test_log_retention_is_30_days_by_default() -> None:
    assert "`delta.logRetentionDuration` value, 30 days by default" in " ".join(
        DeltaTable.cleanup_metadata.__doc__.split()
    )


def test_appends_cast_to_the_table_type_and_errors_do_not_name_the_field(
    tmp_path: Path,
) -> None:
    path = tmp_path / "t"
    write_deltalake(path, pa.table({"clicks": pa.array([1], pa.int64())}))
    write_deltalake(path, pa.table({"clicks": pa.array(["12"])}), mode="append")
    back = DeltaTable(path).to_pyarrow_table()
    assert back.schema.field("clicks").type == pa.int64()
    assert sorted(back["clicks"].to_pylist()) == [1, 12]
    with pytest.raises(Exception, match="Cannot cast string 'n/a' to value of Int64") as cast:
        write_deltalake(path, pa.table({"clicks": pa.array(["n/a"])}), mode="append")
    with pytest.raises(SchemaMismatchError, match="number of fields does not match") as extra:
        write_deltalake(path, pa.table({"clicks": [1], "device": ["ios"]}), mode="append")
    assert "clicks" not in str(cast.value) and "device" not in str(extra.value)
    assert DeltaTable(path).version() == 1


def test_timestamp_travel_follows_the_commit_files_modification_time(tmp_path: Path) -> None:
    path = tmp_path / "t"
    write_deltalake(path, pa.table({"x": [1]}))
    time.sleep(0.05)
    between = datetime.now(UTC)
    time.sleep(0.05)
    write_deltalake(path, pa.table({"x": [2]}), mode="append")
    table = DeltaTable(path)
    table.load_as_version(between)
    assert table.version() == 0
    os.utime(path / "_delta_log" / f"{1:020d}.json", (0, 0))  # as a copy without times would
    table = DeltaTable(path)
    table.load_as_version(between)
    assert table.version() == 1  # the commit's own timestamp (after `between`) is ignored
    assert DeltaTable(path).history(1)[0]["timestamp"] > between.timestamp() * 1000
