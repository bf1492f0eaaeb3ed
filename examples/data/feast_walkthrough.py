"""Feast end to end on one machine: copy the repository into a folder, generate its data,
`feast apply` (the CLI, as a reader types it), materialize into SQLite, then read features
back for training (point in time) and for serving (online), and push a fresh value.

    python examples/data/feast_walkthrough.py [workdir]   # a temporary folder by default
"""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
from feast import FeatureStore
from feast.data_source import PushMode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import churn_data
from feature_checks import check_entities, check_sources

REPO = HERE / "feature_repo"
CUSTOMER = 1001  # the customer the printout follows
END = churn_data.START + pd.Timedelta(days=churn_data.DAYS)  # after the last nightly row


def prepare(workdir: Path) -> Path:
    """The repository's definitions copied under workdir, its Parquet files generated."""
    repo = Path(workdir) / "feature_repo"
    repo.mkdir(parents=True, exist_ok=True)
    for name in ("feature_store.yaml", "definitions.py"):
        shutil.copy(REPO / name, repo / name)
    churn_data.write(repo)
    return repo


def feast_apply(repo: Path) -> str:
    """`feast apply` run in the repository, as on the page; what it printed."""
    feast = Path(sys.executable).with_name("feast")
    done = subprocess.run(
        [str(feast) if feast.exists() else "feast", "apply"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"feast apply failed in {repo}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


# --8<-- [start:historical]
def as_of(store: FeatureStore, customer: int, moments: list[str]):
    """The activity features of one customer as they were at each moment."""
    entity_df = pd.DataFrame(
        {
            "customer_id": [customer] * len(moments),
            "event_timestamp": pd.to_datetime(moments, utc=True),
        }
    )
    features = [
        "customer_activity:logins_7d",
        "customer_activity:computed_at",
    ]
    check_entities(store, features, entity_df)
    job = store.get_historical_features(entity_df=entity_df, features=features)
    return job.to_df().sort_values("event_timestamp", ignore_index=True)


# --8<-- [end:historical]


# --8<-- [start:online]
def materialize_and_read(store: FeatureStore, customers: list[int]) -> dict:
    """Load the latest value per key up to END into SQLite, then read it back
    as a model server would."""
    with contextlib.redirect_stdout(io.StringIO()):  # progress bars, in colour
        store.materialize(start_date=churn_data.START, end_date=END)
    service = store.get_feature_service("churn_model_v1")
    rows = [{"customer_id": c} for c in customers]
    check_entities(store, service, rows)
    response = store.get_online_features(features=service, entity_rows=rows)
    return response.to_dict()


# --8<-- [end:online]


# --8<-- [start:push]
def push_live(store: FeatureStore, minutes: dict[int, int]) -> dict:
    """Push fresh values to the online store, as a stream job does; read them
    back."""
    now = pd.Timestamp.now(tz="UTC")
    rows = pd.DataFrame(
        {
            "customer_id": list(minutes),
            "event_timestamp": [now] * len(minutes),
            "minutes_active_1h": list(minutes.values()),
        }
    )
    store.push("live_push", rows, to=PushMode.ONLINE)
    entity_rows = [{"customer_id": c} for c in [*minutes, CUSTOMER + 2]]
    return store.get_online_features(
        features=["customer_live:minutes_active_1h"], entity_rows=entity_rows
    ).to_dict()


# --8<-- [end:push]


def day(epoch: float) -> str:
    return "-" if pd.isna(epoch) else str(pd.Timestamp(int(epoch), unit="s"))[5:16]


def main(workdir: Path) -> dict:
    repo = prepare(workdir)
    applied = feast_apply(repo)
    store = FeatureStore(repo_path=str(repo))
    check_sources(store.list_feature_views(), repo)
    print(
        f"applied: {len(store.list_feature_views())} feature views, "
        f"{len(store.list_feature_services())} feature service"
    )

    moments = ["2026-02-10 12:00", "2026-02-11 08:00", "2026-06-04 12:00"]
    history = as_of(store, CUSTOMER, moments)
    print(f"\ncustomer {CUSTOMER}, ttl 2 days, 2026:")
    print(f"{'asked at':<12} {'logins_7d':>9}  computed at")
    for row in history.itertuples():
        logins = "null" if pd.isna(row.logins_7d) else int(row.logins_7d)
        asked = str(row.event_timestamp)[5:16]
        print(f"{asked:<12} {logins:>9}  {day(row.computed_at)}")
    returned = set(history["event_timestamp"])
    for moment in pd.to_datetime(moments, utc=True):
        if moment not in returned:
            print(f"{str(moment)[5:16]:<12} no row (past the ttl)")

    online = materialize_and_read(store, [CUSTOMER, CUSTOMER + 1])
    print("\nonline, materialized to", str(END)[:10])
    for key in sorted(online, key=lambda k: (k != "customer_id", k)):  # a fixed order
        print(f"  {key:<17} {online[key]}")

    pushed = push_live(store, {CUSTOMER: 42, CUSTOMER + 1: 7})
    print("\npushed, then read online:")
    for key, values in pushed.items():
        print(f"  {key:<17} {values}")
    return {"repo": repo, "apply": applied, "history": history, "online": online, "pushed": pushed}


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as scratch:
            main(Path(scratch))
