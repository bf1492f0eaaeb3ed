"""Schema evolution and schema enforcement on a Delta table (delta-rs).

A feature table gets a new column through an append with schema_mode="merge": the old
version still reads without it, old rows read it as null. Then three bad appends: a
column's type changed upstream, a new column sent without asking to merge, and digits sent
as text. delta-rs refuses the first two with messages that do not name the column, and
casts the third without a word, so the pipeline checks the schema itself first.

    python examples/data/delta_schema_evolution.py [folder]   # default: a temporary folder
"""

from __future__ import annotations

import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable, write_deltalake

SEED = 7


class SchemaMismatch(ValueError):
    """An append whose columns do not match the table's, naming the table and the field."""


def features(rng: np.random.Generator, first_user: int, n: int, **extra: pa.Array) -> pa.Table:
    return pa.table(
        {
            "user_id": pa.array(range(first_user, first_user + n), pa.int64()),
            "clicks_7d": pa.array(rng.poisson(6, n), pa.int64()),
            "spend_30d": pa.array(rng.gamma(2.0, 15.0, n).round(2), pa.float64()),
            **extra,
        }
    )


# --8<-- [start:check]
def check_append(
    table: DeltaTable,
    data: pa.Table,
    *,
    add_columns: bool = False,
) -> None:
    """Raise SchemaMismatch naming the field unless `data` has the table's
    columns with the same types (and, if `add_columns`, new ones)."""
    have = pa.schema(table.schema().to_arrow())
    name = Path(table.table_uri).name
    where = f"append to {name} (version {table.version()})"
    for field in data.schema:
        if have.get_field_index(field.name) < 0:
            if not add_columns:
                raise SchemaMismatch(
                    f"{where}: field {field.name!r} ({field.type}) is not "
                    "in the table; add it on purpose with schema_mode='merge'"
                )
        elif not have.field(field.name).type.equals(field.type):
            raise SchemaMismatch(
                f"{where}: field {field.name!r} is {field.type}, "
                f"the table has {have.field(field.name).type}"
            )
    missing = set(have.names) - set(data.schema.names)
    if missing:
        raise SchemaMismatch(f"{where}: fields {sorted(missing)} are missing")


def append(
    table: DeltaTable,
    data: pa.Table,
    *,
    add_columns: bool = False,
) -> None:
    check_append(table, data, add_columns=add_columns)
    mode = "merge" if add_columns else None
    write_deltalake(table, data, mode="append", schema_mode=mode)


# --8<-- [end:check]


def wrapped(label: str, error: Exception) -> str:
    text = f"{label}{type(error).__name__}: {error}"
    return textwrap.fill(text, 72, subsequent_indent="    ")


def main(folder: Path) -> None:
    rng = np.random.default_rng(SEED)
    path = folder / "user_features"

    # --8<-- [start:evolve]
    write_deltalake(path, features(rng, 0, 100))  # version 0
    table = DeltaTable(path)
    minutes = pa.array(rng.gamma(3.0, 4.0, 50).round(1), pa.float64())
    new_rows = features(rng, 100, 50, session_minutes=minutes)
    append(table, new_rows, add_columns=True)  # version 1

    old = DeltaTable(path, version=0).to_pandas()
    new = DeltaTable(path).to_pandas()
    # --8<-- [end:evolve]
    print("read        rows  columns")
    for name, frame in [("version 0", old), ("latest", new)]:
        print(f"{name:10}  {len(frame):4}  {', '.join(frame.columns)}")
    nulls = new["session_minutes"].isna()
    print(
        f"session_minutes, latest: {int(nulls.sum())} null (old rows), "
        f"{int((~nulls).sum())} set (new rows)"
    )

    bad = {
        "clicks_7d as text": features(rng, 150, 3).set_column(
            1, "clicks_7d", pa.array(["12", "n/a", "7"])
        ),
        "new column, no merge": features(rng, 150, 3, device=pa.array(["ios"] * 3)),
        "digits as text": features(rng, 150, 3).set_column(
            1, "clicks_7d", pa.array(["12", "3", "7"])
        ),
    }
    # The last column the table gained must be sent too: give each batch one.
    bad = {
        name: data.append_column("session_minutes", pa.array([1.0] * 3))
        for name, data in bad.items()
    }
    for name, data in bad.items():
        print(f"\n{name}:")
        before = table.version()
        try:
            write_deltalake(table, data, mode="append")  # delta-rs alone
            landed = DeltaTable(path).to_pyarrow_table().filter(pc.field("user_id") >= 150)
            print(
                f"  delta-rs: accepted (version {table.version()}); read back as "
                f"{landed.schema.field('clicks_7d').type}: {landed['clicks_7d'].to_pylist()}"
            )
        except Exception as error:  # shown as a reader would see it
            print(wrapped("  delta-rs: ", error))
        try:
            check_append(DeltaTable(path, version=before), data)
            print("  checked: accepted")
        except SchemaMismatch as error:
            print(wrapped("  checked: ", error))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as scratch:
            main(Path(scratch))
    # pyarrow may still be tearing down the last scan; exiting at that moment
    # can crash the process after its work is done (apache/arrow#36389).
    time.sleep(0.5)
