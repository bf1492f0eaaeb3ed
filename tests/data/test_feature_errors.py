"""Bad input fails with the feature view, the field and the file named
(examples/data/feature_checks.py), and what Feast 0.67 does on its own with the same
input: it applies a view naming a missing column and fails later with a bare KeyError,
fails an entity dataframe of the wrong dtype inside a pandas merge, and silently accepts
a string key for an Int64 entity online."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta

import pandas as pd
import pytest

from tests.support.examples import import_example


@pytest.fixture(scope="module")
def checks():
    return import_example("data/feature_checks.py")


def activity_view(name: str, field: str, dtype: str):
    """A view over the activity file declaring one field (feast imported lazily: see
    conftest.py)."""
    from feast import Entity, FeatureView, Field, FileSource, types
    from feast.value_type import ValueType

    customer = Entity(name="customer", join_keys=["customer_id"], value_type=ValueType.INT64)
    source = FileSource(
        name=f"{name}_source", path="data/activity.parquet", timestamp_field="event_timestamp"
    )
    return FeatureView(
        name=name,
        entities=[customer],
        ttl=timedelta(days=2),
        schema=[Field(name=field, dtype=getattr(types, dtype))],
        source=source,
    )


BAD_VIEWS = {
    "missing column": (
        ("activity_30d", "logins_30d", "Int64"),
        "feature view 'activity_30d', field 'logins_30d':\n"
        "  not a column of data/activity.parquet\n"
        "  columns: customer_id, event_timestamp,\n"
        "    logins_7d, days_since_login,\n"
        "    computed_at",
    ),
    "wrong type": (
        ("activity_text", "logins_7d", "String"),
        "feature view 'activity_text', field 'logins_7d': declared String, "
        "but data/activity.parquet stores int64",
    ),
}


@pytest.mark.parametrize("case", list(BAD_VIEWS))
def test_a_view_that_does_not_match_its_file_is_refused_by_name(
    case, checks, walkthrough, page_output
):
    spec, message = BAD_VIEWS[case]
    view = activity_view(*spec)
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        checks.check_sources([view], walkthrough["repo"])
    if case == "missing column":
        page_output("examples/data/feature_checks.missing-column.out.txt", str(caught.value))


def test_the_repositorys_own_views_pass_the_check(checks, feast_store, walkthrough):
    checks.check_sources(feast_store.list_feature_views(), walkthrough["repo"])


ids = pd.DataFrame(
    {
        "customer_id": ["1001", "1002"],
        "event_timestamp": pd.to_datetime(["2026-02-10", "2026-02-11"], utc=True),
    }
)
BAD_ENTITIES = {
    "dataframe of strings": (
        ids,
        "feature view 'customer_activity': join key 'customer_id' is Int64, "
        "the entity dataframe has object",
    ),
    "online row with a string": (
        [{"customer_id": "1001"}],
        "feature view 'customer_activity': join key 'customer_id' is Int64, "
        "an entity row has '1001'",
    ),
    "online row with a float": (
        [{"customer_id": 1001.0}],
        "feature view 'customer_activity': join key 'customer_id' is Int64, "
        "an entity row has 1001.0",
    ),
    "dataframe without the key": (
        ids.rename(columns={"customer_id": "user_id"}),
        "feature view 'customer_activity': join key 'customer_id' is not a column "
        "of the entity dataframe",
    ),
}


@pytest.mark.parametrize("case", list(BAD_ENTITIES))
def test_an_entity_key_of_the_wrong_type_is_refused_by_name(case, checks, feast_store):
    entities, message = BAD_ENTITIES[case]
    with pytest.raises(ValueError, match=re.escape(message)):
        checks.check_entities(feast_store, ["customer_activity:logins_7d"], entities)


def test_good_entities_pass_the_check(checks, feast_store):
    good = ids.assign(customer_id=ids["customer_id"].astype("int64"))
    service = feast_store.get_feature_service("churn_model_v1")
    checks.check_entities(feast_store, service, good)
    checks.check_entities(feast_store, service, [{"customer_id": 1001}])


def test_feast_applies_a_missing_column_and_fails_later_without_naming_the_view(
    walkthrough, tmp_path
):
    from feast import FeatureStore

    repo = tmp_path / "feature_repo"
    shutil.copytree(walkthrough["repo"], repo)  # the shared repository stays as it is
    store = FeatureStore(repo_path=str(repo))
    view = activity_view(*BAD_VIEWS["missing column"][0])
    store.apply([view])  # no error: nothing reads the file at apply time
    assert store.get_feature_view("activity_30d").features[0].name == "logins_30d"
    with pytest.raises(KeyError) as caught:
        store.get_historical_features(
            entity_df=ids.assign(customer_id=[1001, 1002]), features=["activity_30d:logins_30d"]
        ).to_df()
    assert str(caught.value) == "\"['logins_30d'] not in index\""
    assert "activity_30d" not in str(caught.value)


@pytest.mark.filterwarnings("ignore:Merging dataframes with merge column data type mismatches")
def test_feast_fails_a_string_key_in_a_pandas_merge_and_accepts_it_online(feast_store):
    with pytest.raises(ValueError) as caught:
        feast_store.get_historical_features(
            entity_df=ids, features=["customer_activity:logins_7d"]
        ).to_df()
    assert str(caught.value).startswith(
        "You are trying to merge on object and int64 columns for key 'customer_id'"
    )
    assert "customer_activity" not in str(caught.value)
    as_text = feast_store.get_online_features(
        features=["customer_activity:logins_7d"], entity_rows=[{"customer_id": "1001"}]
    ).to_dict()
    as_int = feast_store.get_online_features(
        features=["customer_activity:logins_7d"], entity_rows=[{"customer_id": 1001}]
    ).to_dict()
    assert as_text == as_int  # the string was converted, silently
