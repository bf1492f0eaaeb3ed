"""Version-sensitive facts the Feast pages state, read from the installed feast 0.67.
feast is imported inside each test, after tests/data/conftest.py's session fixture (its
import makes a temporary folder)."""

from __future__ import annotations

import inspect
import shutil
import warnings
from datetime import timedelta

import pandas as pd


def test_version() -> None:
    import feast

    assert feast.__version__ == "0.67.0"


def test_the_file_offline_store_is_the_dask_store_and_the_default() -> None:
    from feast.infra.online_stores.sqlite import SqliteOnlineStoreConfig
    from feast.repo_config import OFFLINE_STORE_CLASS_FOR_TYPE, RepoConfig

    assert (
        OFFLINE_STORE_CLASS_FOR_TYPE["file"] == "feast.infra.offline_stores.dask.DaskOfflineStore"
    )
    config = RepoConfig(project="p", registry="r.db", provider="local")
    assert type(config.offline_store).__name__ == "DaskOfflineStoreConfig"
    assert type(config.online_store) is SqliteOnlineStoreConfig  # the online default
    assert SqliteOnlineStoreConfig().path == "data/online.db"


def test_sqlite_online_store_is_not_for_production() -> None:
    from feast.infra.online_stores.sqlite import SqliteOnlineStore

    assert "Not recommended for production usage" in (SqliteOnlineStore.__doc__ or "")


def test_a_feature_views_ttl_defaults_to_zero_which_means_no_limit(walkthrough, tmp_path):
    from feast import FeatureStore, FeatureView, Field, FileSource
    from feast.types import Int64

    assert inspect.signature(FeatureView.__init__).parameters["ttl"].default == timedelta(0)
    repo = tmp_path / "feature_repo"
    shutil.copytree(walkthrough["repo"], repo)
    store = FeatureStore(repo_path=str(repo))
    forever = FeatureView(
        name="activity_forever",
        entities=[store.get_entity("customer")],
        schema=[Field(name="logins_7d", dtype=Int64)],
        source=FileSource(path="data/activity.parquet", timestamp_field="event_timestamp"),
    )
    store.apply([forever])
    asked = pd.DataFrame(
        {"customer_id": [1002], "event_timestamp": [pd.Timestamp("2026-10-01", tz="UTC")]}
    )
    got = store.get_historical_features(
        entity_df=asked, features=["activity_forever:logins_7d"]
    ).to_df()
    assert len(got) == 1 and got["logins_7d"].notna().all()  # four months old, still there


def test_stream_feature_views_are_alpha(monkeypatch) -> None:
    from feast import FileSource, PushSource, StreamFeatureView

    monkeypatch.delenv("FEAST_IS_TEST", raising=False)
    monkeypatch.delenv("IS_TEST", raising=False)
    source = PushSource(name="p", batch_source=FileSource(path="x.parquet", timestamp_field="ts"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        view = StreamFeatureView(name="s", source=source, entities=[])
    assert view.name == "s"
    messages = [str(w.message) for w in caught if w.category is RuntimeWarning]
    assert any("experimental features in alpha" in m for m in messages), messages


def test_the_cli_has_materialize_incremental_and_serve() -> None:
    from feast.cli.cli import cli

    assert {"apply", "materialize", "materialize-incremental", "serve"} <= set(cli.commands)


def test_file_sources_take_a_created_timestamp_column() -> None:
    from feast import FileSource

    assert "created_timestamp_column" in inspect.signature(FileSource.__init__).parameters
