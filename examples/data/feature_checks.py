"""Checks to run before `feast apply` and before retrieval, so bad input fails with the
feature view, the field and the file named. Feast 0.67 applies a feature view that names a
missing column and fails only at retrieval with a bare pandas KeyError; an entity
dataframe whose key has the wrong dtype fails inside a pandas merge.

    check_sources(feature_views, repo)           # before apply
    check_entities(store, features, entities)   # before get_*_features
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from feast import FeatureService, FeatureStore, FeatureView, FileSource
from feast.types import from_value_type
from feast.value_type import ValueType

# Arrow types a declared Feast type accepts in a Parquet file.
# --8<-- [start:types]
ACCEPTS = {
    "Int64": (pa.types.is_integer,),
    "Int32": (pa.types.is_integer,),
    "Float64": (pa.types.is_floating,),
    "Float32": (pa.types.is_floating,),
    "String": (pa.types.is_string, pa.types.is_large_string),
    "Bool": (pa.types.is_boolean,),
    "UnixTimestamp": (pa.types.is_timestamp,),
}
# --8<-- [end:types]


# --8<-- [start:sources]
def check_sources(views: Iterable[FeatureView], repo: Path | str) -> None:
    """Each view's fields, join keys and timestamp are columns of its Parquet
    file, of a type its schema accepts; a ValueError names view, field, file."""
    for view in views:
        source = view.batch_source
        if not isinstance(source, FileSource):
            continue
        path = Path(source.path)
        if not path.is_absolute():
            path = Path(repo) / path
        schema = pq.read_schema(path)
        where = f"feature view {view.name!r}"
        for name in [source.timestamp_field, *view.join_keys]:
            if name not in schema.names:
                missing = f"column {name!r} is missing from {source.path}"
                raise ValueError(f"{where}: {missing}")
        for field in view.schema:
            if field.name not in schema.names:
                columns = textwrap.fill(
                    "columns: " + ", ".join(schema.names),
                    40,
                    initial_indent="  ",
                    subsequent_indent="    ",
                )
                lines = [
                    f"{where}, field {field.name!r}:",
                    f"  not a column of {source.path}",
                    columns,
                ]
                raise ValueError("\n".join(lines))
            found = schema.field(field.name).type
            accepts = ACCEPTS.get(str(field.dtype), ())
            if accepts and not any(test(found) for test in accepts):
                raise ValueError(
                    f"{where}, field {field.name!r}: declared {field.dtype}, "
                    f"but {source.path} stores {found}"
                )


# --8<-- [end:sources]


def _views(store: FeatureStore, features: FeatureService | Sequence[str]) -> list[FeatureView]:
    if isinstance(features, FeatureService):
        names = [p.name for p in features.feature_view_projections]
    else:
        names = sorted({ref.split(":")[0] for ref in features})
    return [store.get_feature_view(name) for name in names]


def _python_ok(value: object, kind: ValueType) -> bool:
    if kind in (ValueType.INT64, ValueType.INT32):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == ValueType.STRING:
        return isinstance(value, str)
    return True


# --8<-- [start:entities]
def check_entities(
    store: FeatureStore,
    features: FeatureService | Sequence[str],
    entities: pd.DataFrame | Sequence[dict],
) -> None:
    """Every join key the features need is present, with the entity's type, in an entity
    dataframe (historical retrieval) or in entity rows (online retrieval)."""
    for view in _views(store, features):
        for column in view.entity_columns:
            want = from_value_type(column.dtype.to_value_type())
            where = f"feature view {view.name!r}: join key {column.name!r}"
            if isinstance(entities, pd.DataFrame):
                if column.name not in entities.columns:
                    raise ValueError(f"{where} is not a column of the entity dataframe")
                dtype = entities[column.name].dtype
                if str(want).startswith("Int") and not pd.api.types.is_integer_dtype(dtype):
                    raise ValueError(f"{where} is {want}, the entity dataframe has {dtype}")
                continue
            for row in entities:
                value = row.get(column.name)
                if not _python_ok(value, column.dtype.to_value_type()):
                    raise ValueError(f"{where} is {want}, an entity row has {value!r}")


# --8<-- [end:entities]
