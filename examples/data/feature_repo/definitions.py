"""The churn repository's definitions: `feast apply` reads this file and writes them into
the registry. Paths are relative to the repository; examples/data/churn_data.py writes
the Parquet files."""

from datetime import timedelta

from feast import Entity, FeatureService, FeatureView, Field, FileSource, Project, PushSource
from feast.types import Float64, Int64
from feast.value_type import ValueType

project = Project(name="churn", description="Churn features, run locally")

# --8<-- [start:entity]
customer = Entity(
    name="customer",
    join_keys=["customer_id"],
    value_type=ValueType.INT64,
    description="A paying customer; the key every feature view joins on.",
)
# --8<-- [end:entity]

# --8<-- [start:views]
activity_source = FileSource(
    name="activity_source",
    path="data/activity.parquet",
    timestamp_field="event_timestamp",
)

customer_activity = FeatureView(
    name="customer_activity",
    entities=[customer],
    ttl=timedelta(days=2),  # a nightly job: a row older than 2 days is stale
    schema=[
        Field(name="customer_id", dtype=Int64),
        Field(name="logins_7d", dtype=Int64),
        Field(name="days_since_login", dtype=Int64),
        Field(name="computed_at", dtype=Int64),
    ],
    source=activity_source,
)

customer_profile = FeatureView(
    name="customer_profile",
    entities=[customer],
    ttl=timedelta(days=365),  # written only when the plan changes
    schema=[
        Field(name="customer_id", dtype=Int64),
        Field(name="plan_price", dtype=Float64),
    ],
    source=FileSource(
        name="profile_source",
        path="data/profile.parquet",
        timestamp_field="event_timestamp",
    ),
)
# --8<-- [end:views]

# --8<-- [start:service]
churn_model_v1 = FeatureService(
    name="churn_model_v1",
    features=[
        customer_activity[["logins_7d", "days_since_login"]],
        customer_profile,
    ],
)
# --8<-- [end:service]

# --8<-- [start:push]
# Fresh values, pushed by a stream job (or an app) to the online store.
live_push = PushSource(
    name="live_push",
    batch_source=FileSource(
        name="live_source",
        path="data/live.parquet",
        timestamp_field="event_timestamp",
    ),
)

customer_live = FeatureView(
    name="customer_live",
    entities=[customer],
    ttl=timedelta(hours=1),
    schema=[
        Field(name="customer_id", dtype=Int64),
        Field(name="minutes_active_1h", dtype=Int64),
    ],
    source=live_push,
)
# --8<-- [end:push]
