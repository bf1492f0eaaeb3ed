"""The Feast walkthrough (examples/data/feast_walkthrough.py) on its real local stores:
the CLI's `feast apply` read back from the registry, point-in-time values compared with
the generated data, online values equal to the latest row per key, a push read back, and
what the feature-stores page says of TTLs in Feast 0.67."""

from __future__ import annotations

import itertools
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from tests.support.examples import import_example

ACTIVITY = ["logins_7d", "days_since_login", "computed_at"]


def sorted_runs(text: str) -> str:
    """`feast apply` lists objects of one kind in no fixed order: sort each run of lines
    that start alike (`Created feature view ...`)."""
    lines = text.splitlines()
    out = []
    for _, run in itertools.groupby(lines, key=lambda line: line.rsplit(" ", 1)[0]):
        out.extend(sorted(run))
    return "\n".join(out) + "\n"


def test_feast_apply_writes_the_definitions_into_the_registry(walkthrough, page_output):
    from feast import FeatureStore
    from feast.value_type import ValueType

    printed = walkthrough["apply"]
    for line in (
        "Created entity customer",
        "Created feature view customer_activity",
        "Created feature view customer_profile",
        "Created feature view customer_live",
        "Created feature service churn_model_v1",
        "Created sqlite table churn_customer_activity",
    ):
        assert line in printed, printed
    page_output("examples/data/feast_apply.out.txt", sorted_runs(printed))

    store = FeatureStore(repo_path=str(walkthrough["repo"]))  # a new client: the file
    views = {v.name: v for v in store.list_feature_views()}
    assert set(views) == {"customer_activity", "customer_profile", "customer_live"}
    assert views["customer_activity"].ttl == timedelta(days=2)
    assert views["customer_profile"].ttl == timedelta(days=365)
    assert views["customer_live"].ttl == timedelta(hours=1)
    assert [f.name for f in views["customer_activity"].features] == ACTIVITY
    assert str(views["customer_profile"].features[0].dtype) == "Float64"
    assert type(views["customer_live"].stream_source).__name__ == "PushSource"
    entity = store.get_entity("customer")
    assert entity.join_key == "customer_id" and entity.value_type == ValueType.INT64
    service = store.get_feature_service("churn_model_v1")
    projected = {p.name: [f.name for f in p.features] for p in service.feature_view_projections}
    assert projected == {
        "customer_activity": ["logins_7d", "days_since_login"],
        "customer_profile": ["plan_price"],
    }


def expected_as_of(table, customers, moments, ttl, columns):
    """What a point-in-time join must return, computed with pandas from the generated
    rows: the newest row at or before each moment, no older than the ttl."""
    asked = pd.DataFrame({"customer_id": customers, "event_timestamp": moments})
    asked = asked.sort_values("event_timestamp")
    found = pd.merge_asof(
        asked,
        table.sort_values("event_timestamp").rename(columns={"event_timestamp": "row_ts"}),
        left_on="event_timestamp",
        right_on="row_ts",
        by="customer_id",
        direction="backward",
        tolerance=ttl,
    )
    return found[["customer_id", "event_timestamp", *columns]]


def test_historical_values_are_the_generated_values_as_of_each_moment(
    walkthrough, feast_store, churn_tables
):
    rng = np.random.default_rng(3)
    activity = churn_tables["activity"]
    customers = rng.choice(activity["customer_id"].unique(), 300)
    # Moments inside the data, some a few minutes before a nightly row is written.
    start = pd.Timestamp("2026-01-03", tz="UTC")
    moments = start + pd.to_timedelta(rng.integers(0, 140 * 24 * 60, 300), "min")
    moments = moments.append(pd.DatetimeIndex([pd.Timestamp("2026-02-10 23:59:58", tz="UTC")]))
    customers = np.append(customers, 1001)
    entity_df = pd.DataFrame({"customer_id": customers, "event_timestamp": moments})
    refs = [f"customer_activity:{c}" for c in ACTIVITY] + ["customer_profile:plan_price"]
    got = feast_store.get_historical_features(entity_df=entity_df, features=refs).to_df()

    want = expected_as_of(activity, customers, moments, pd.Timedelta(days=2), ACTIVITY)
    profile = expected_as_of(
        churn_tables["profile"], customers, moments, pd.Timedelta(days=365), ["plan_price"]
    )
    want = want.merge(profile, on=["customer_id", "event_timestamp"])
    key = ["customer_id", "event_timestamp"]
    got = got.sort_values(key, ignore_index=True)
    want = want.sort_values(key, ignore_index=True)
    assert len(got) == len(want) == 301
    for column in [*ACTIVITY, "plan_price"]:
        assert np.array_equal(got[column].to_numpy(), want[column].to_numpy()), column
    # Never a value computed after the moment asked: 23:59:58 gets the day before's row.
    seconds = got["event_timestamp"].astype("int64") // 10**9
    assert (got["computed_at"] <= seconds).all()
    last = got[got["event_timestamp"] == pd.Timestamp("2026-02-10 23:59:58", tz="UTC")]
    assert pd.Timestamp(last["computed_at"].iloc[0], unit="s") == pd.Timestamp(
        "2026-02-09 23:59:59"
    )


def test_walkthrough_history_matches_the_data_and_prints_the_page_output(
    walkthrough, churn_tables, page_output
):
    history = walkthrough["history"]
    activity = churn_tables["activity"]
    mine = activity[activity["customer_id"] == 1001].set_index("event_timestamp")
    assert len(history) == 2  # the third moment, past the ttl, returns no row
    for row in history.itertuples():
        expected = mine.loc[: row.event_timestamp].iloc[-1]
        assert row.logins_7d == expected["logins_7d"]
        assert row.computed_at == expected["computed_at"] < row.event_timestamp.timestamp()
    applied, history, online, pushed = walkthrough["stdout"].strip().split("\n\n")
    assert applied == "applied: 3 feature views, 1 feature service"
    page_output("examples/data/feast_walkthrough.history.out.txt", history)
    page_output("examples/data/feast_walkthrough.online.out.txt", online)
    page_output("examples/data/feast_walkthrough.push.out.txt", pushed)


def test_file_offline_store_drops_an_entity_row_whose_values_are_past_the_ttl(feast_store):
    """Feast 0.67's file (dask) offline store: a key with rows, all older than the ttl
    (or all later than the moment), loses its entity row; an unknown key gets nulls."""
    asked = pd.DataFrame(
        {
            "customer_id": [1001, 1002, 1003, 9999],
            "event_timestamp": pd.to_datetime(
                ["2026-02-10 12:00", "2026-06-04 12:00", "2026-01-01 10:00", "2026-02-10 12:00"],
                utc=True,
            ),
        }
    )
    got = feast_store.get_historical_features(
        entity_df=asked, features=["customer_activity:logins_7d"]
    ).to_df()
    assert sorted(got["customer_id"]) == [1001, 9999]
    assert got.loc[got["customer_id"] == 9999, "logins_7d"].isna().all()
    assert got.loc[got["customer_id"] == 1001, "logins_7d"].notna().all()


def test_online_values_are_the_latest_row_per_key(walkthrough, feast_store, churn_tables):
    online = walkthrough["online"]
    assert online["customer_id"] == [1001, 1002]
    activity = churn_tables["activity"].sort_values("event_timestamp")
    latest = activity.groupby("customer_id").last()
    profile = churn_tables["profile"].sort_values("event_timestamp").groupby("customer_id").last()
    ids = [int(c) for c in latest.index]
    service = feast_store.get_feature_service("churn_model_v1")
    got = feast_store.get_online_features(
        features=service, entity_rows=[{"customer_id": c} for c in ids]
    ).to_dict()
    assert len(ids) == 2000
    assert got["logins_7d"] == latest["logins_7d"].tolist()
    assert got["days_since_login"] == latest["days_since_login"].tolist()
    assert got["plan_price"] == profile.loc[ids, "plan_price"].tolist()
    assert online["logins_7d"] == latest.loc[[1001, 1002], "logins_7d"].tolist()


def test_online_store_serves_a_value_older_than_its_ttl(feast_store):
    """The SQLite online store in Feast 0.67 returns the last materialized value whatever
    its age: the ttl bounds training joins and materialization, not online reads."""
    from feast.protos.feast.serving.ServingService_pb2 import FieldStatus

    response = feast_store.get_online_features(
        features=["customer_activity:logins_7d"],
        entity_rows=[{"customer_id": 1001}, {"customer_id": 9999}],
    )
    values = response.to_dict(include_event_timestamps=True)
    written = pd.Timestamp(values["logins_7d__ts"][0], unit="s", tz="UTC")
    assert written == pd.Timestamp("2026-05-30 23:59:59", tz="UTC")
    assert pd.Timestamp.now(tz="UTC") - written > timedelta(days=2)  # the ttl
    assert values["logins_7d"][0] is not None and values["logins_7d"][1] is None
    statuses = [list(r.statuses) for r in response.proto.results]
    assert statuses[1] == [FieldStatus.PRESENT, FieldStatus.NOT_FOUND]
    assert statuses[1][0] == FieldStatus.PRESENT  # 1001's value: present, not expired


def test_push_writes_to_the_online_store(walkthrough, feast_store):
    assert walkthrough["pushed"] == {
        "customer_id": [1001, 1002, 1003],
        "minutes_active_1h": [42, 7, None],
    }
    got = feast_store.get_online_features(
        features=["customer_live:minutes_active_1h"], entity_rows=[{"customer_id": 1002}]
    ).to_dict()
    assert got["minutes_active_1h"] == [7]


@pytest.fixture(scope="module")
def benchmark():
    return import_example("data/benchmarks/online_latency.py")


def test_latency_benchmark_measures_each_batch_size(benchmark, feast_store):
    rows = benchmark.measure(feast_store, list(range(1001, 1011)), batches=(1, 10), calls=8)
    assert [r["batch"] for r in rows] == [1, 10]
    assert all(0 < r["p50"] <= r["p99"] and r["calls"] == 8 for r in rows)
    text = benchmark.table(rows)
    assert len(text.splitlines()) == 5 and "CPUs, Python" in text


def test_stored_latency_table_has_one_row_per_batch_size(benchmark):
    from tests.support.examples import ROOT

    stored = (ROOT / "examples/data/benchmarks/online_latency.out.txt").read_text()
    rows = [line.split() for line in stored.splitlines()[3:]]
    assert [int(r[0]) for r in rows] == list(benchmark.BATCHES), stored
    assert all(float(r[1]) <= float(r[2]) for r in rows), stored


def test_numbers_quoted_on_the_page_are_the_tested_ones(churn_tables):
    from tests.support.examples import ROOT

    page = (ROOT / "docs/data/feature-stores.md").read_text()
    customers = churn_tables["labels"]["customer_id"].nunique()
    assert f"generator: {customers:,} customers" in page.replace("\n", " ")
    assert f"reads all {customers:,} customers back" in page
    assert "compares 301 random moments" in page  # the historical test's 300 + 1
