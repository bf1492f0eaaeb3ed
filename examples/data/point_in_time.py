"""The same churn model trained twice: on a naive join (the latest value of each feature
per customer) and on Feast's point-in-time join. Each is scored twice: offline, by
5-fold cross-validation on its own training table (what a team reports), and honestly,
on the later period's customers with features as they were at each labelled moment
(what the model sees in production).

    python examples/data/point_in_time.py [feature-repo]   # a fresh one by default
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd
from feast import FeatureStore
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_val_score

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from feast_walkthrough import feast_apply, prepare

FEATURES = ["logins_7d", "days_since_login", "plan_price"]


# --8<-- [start:naive]
def naive_join(repo: Path, labels: pd.DataFrame) -> pd.DataFrame:
    """A common mistake: join each label to the newest row per customer."""
    frame = labels
    for name in ("activity", "profile"):
        table = pd.read_parquet(Path(repo) / "data" / f"{name}.parquet")
        table = table.sort_values("event_timestamp")
        latest = table.groupby("customer_id").last()
        latest = latest.drop(columns="event_timestamp")
        frame = frame.merge(latest, on="customer_id")
    return frame


# --8<-- [end:naive]


# --8<-- [start:pit]
def point_in_time_join(store: FeatureStore, labels: pd.DataFrame):
    """Feast's join: each feature's newest row at or before each label's
    moment."""
    features = [
        "customer_activity:logins_7d",
        "customer_activity:days_since_login",
        "customer_activity:computed_at",
        "customer_profile:plan_price",
    ]
    job = store.get_historical_features(entity_df=labels, features=features)
    return job.to_df()


# --8<-- [end:pit]


def violations(frame: pd.DataFrame) -> int:
    """Rows whose activity features were computed after the label's moment."""
    moment = frame["event_timestamp"].astype("int64") // 10**9
    return int((frame["computed_at"] > moment).sum())


# --8<-- [start:scores]
def model() -> GradientBoostingClassifier:
    return GradientBoostingClassifier(
        max_depth=3,
        n_estimators=60,
        random_state=0,
    )


def scores(train: pd.DataFrame, later: pd.DataFrame) -> tuple[float, float]:
    """Offline AUC (5-fold CV on the training table) and honest AUC (the
    later period, joined point in time)."""
    offline = cross_val_score(
        model(), train[FEATURES], train["churned"], cv=5, scoring="roc_auc"
    ).mean()
    fitted = model().fit(train[FEATURES], train["churned"])
    predicted = fitted.predict_proba(later[FEATURES])[:, 1]
    honest = roc_auc_score(later["churned"], predicted)
    return float(offline), float(honest)


# --8<-- [end:scores]


def measure(repo: Path) -> dict:
    store = FeatureStore(repo_path=str(repo))
    labels = pd.read_parquet(Path(repo) / "data" / "labels.parquet")
    entity = labels[["customer_id", "event_timestamp", "churned", "period"]]
    train, later = entity[entity.period == "train"], entity[entity.period == "later"]
    tables = {
        "latest value": naive_join(repo, train),
        "point in time": point_in_time_join(store, train),
    }
    honest_later = point_in_time_join(store, later)  # what production sees
    results = {}
    for name, table in tables.items():
        offline, honest = scores(table, honest_later)
        results[name] = {
            "rows": len(table),
            "offline": offline,
            "honest": honest,
            "violations": violations(table),
        }
    return {"results": results, "later_rows": len(honest_later), "labels": len(labels)}


def report(measured: dict) -> str:
    lines = [f"{'join':<14} {'rows':>5} {'offline':>8} {'honest':>7}"]
    for name, r in measured["results"].items():
        row = f"{r['rows']:>5} {r['offline']:>8.3f} {r['honest']:>7.3f}"
        lines.append(f"{name:<14} {row}")
    lines.append("AUC; offline: 5-fold CV of the table,")
    lines.append(f"honest: {measured['later_rows']} later customers,")
    lines.append("joined point in time")
    lines.append("\nrows with a feature from after the label:")
    for name, r in measured["results"].items():
        lines.append(f"  {name:<14} {r['violations']:>5} of {r['rows']}")
    return "\n".join(lines) + "\n"


def main(repo: Path | None = None) -> dict:
    if repo is None:  # a fresh repository, applied with the CLI as on the Feast page
        repo = prepare(Path(tempfile.mkdtemp()))
        feast_apply(repo)
    measured = measure(repo)
    print(report(measured), end="")
    return measured


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
