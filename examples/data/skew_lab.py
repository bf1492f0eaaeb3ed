"""The training/serving skew lab's plumbing (docs/labs/training-serving-skew.ipynb).

A payment-fraud model is trained on features the training pipeline computes from the
warehouse, then served by a fraud service that computes the same features its own way
(examples/data/skew_features.py). Everything is generated here, seeded: customers, their
payment events over 60 days, and a chargeback label per payment that arrives weeks later.

    python examples/data/skew_lab.py [customers]   # the whole story, printed
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from skew_features import (
    DAY,
    FEATURES,
    online_features,
    online_features_fixed,
    training_features,
    warehouse_table,
)

START = 1_767_225_600  # 2026-01-01 00:00 UTC, in seconds
DAYS = 60
TRAIN_DAYS = (7, 38)  # payments the model learns from
TEST_DAYS = (38, 48)  # held out, scored offline
LIVE_DAYS = (48, 60)  # the requests the service scores after launch
CUSTOMERS = 800
SEED = 24


@dataclass
class World:
    events: list[dict]  # every payment event, in time order, as the API sends them
    signups: pd.Series  # customer_id -> signup time (seconds)
    labels: pd.Series  # payment_id -> 1 if charged back as fraud (known weeks later)


def generate(seed: int = SEED, customers: int = CUSTOMERS) -> World:
    """Customers with their own pace and basket size; payments as a Poisson process."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1001, 1001 + customers)
    signup = START - rng.integers(1, 900, customers) * DAY - rng.integers(0, DAY, customers)
    per_day = rng.lognormal(np.log(0.8), 0.5, customers)
    basket = rng.lognormal(np.log(40), 0.9, customers)  # typical payment, dollars
    counts = rng.poisson(per_day * DAYS)
    customer = np.repeat(np.arange(customers), counts)
    ts = START + rng.integers(0, DAYS * DAY, counts.sum())
    cents = np.round(100 * basket[customer] * rng.lognormal(0, 0.5, counts.sum()))
    order = np.lexsort((ts, customer))
    frame = pd.DataFrame(
        {
            "customer_id": ids[customer[order]],
            "ts": ts[order],
            "amount": cents[order].astype(np.int64),
        }
    ).drop_duplicates(["customer_id", "ts"])
    frame = frame.sort_values("ts", kind="stable", ignore_index=True)
    frame.insert(0, "payment_id", np.arange(len(frame)))
    events = frame.to_dict("records")
    signups = pd.Series(signup, index=ids)

    # The chargebacks: a hidden rule of the true features, plus chance. High spend in the
    # last week, fast repeat payments and young accounts are riskier.
    true = training_features(warehouse_table(events), signups)
    z = {
        "spend": np.log1p(true["spend_7d"]),
        "fast": -np.log1p(true["hours_since"]),
        "young": -np.log(true["age_days"]),
    }
    z = {k: (v - v.mean()) / v.std() for k, v in z.items()}
    logit = -5 + 5 * z["spend"] + z["fast"] + z["young"]
    fraud = rng.random(len(true)) < 1 / (1 + np.exp(-logit))
    labels = pd.Series(fraud.astype(int), index=true.index, name="fraud")
    return World(events, signups, labels)


def day_of(payment_ids: pd.Index, events: list[dict]) -> np.ndarray:
    ts = np.array([events[i]["ts"] for i in payment_ids])
    return (ts - START) // DAY


def split(world: World, features: pd.DataFrame, days: tuple[int, int]) -> pd.DataFrame:
    """The payments of [first day, last day), with their features and label."""
    day = day_of(features.index, world.events)
    rows = features[(day >= days[0]) & (day < days[1])]
    return rows.join(world.labels)


def train(rows: pd.DataFrame, seed: int = 0) -> HistGradientBoostingClassifier:
    model = HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=seed)
    with threadpool_limits(1, user_api="openmp"):  # one thread: as fast on 2 busy cores
        return model.fit(rows[list(FEATURES)], rows["fraud"])


def auc(model, rows: pd.DataFrame) -> float:
    """ROC AUC of the model's scores on rows with features and a `fraud` label."""
    return float(roc_auc_score(rows["fraud"], model.predict_proba(rows[list(FEATURES)])[:, 1]))


# --8<-- [start:service]
class FraudService:
    """The online path: keeps each customer's payment events as they stream in,
    computes the features of each scoring request, and logs what it served."""

    def __init__(self, compute: Callable, signups: pd.Series):
        self.compute, self.signups = compute, signups  # signup per customer
        self.recent: dict[int, list[dict]] = defaultdict(list)
        self.log: list[dict] = []  # the feature log: one row per request

    def features(self, payment: dict) -> dict:
        customer = payment["customer_id"]
        signup = int(self.signups[customer])
        request = {"ts": payment["ts"], "signup_ts": signup}
        served = self.compute(self.recent[customer], request)
        self.log.append({"payment_id": payment["payment_id"], **served})
        self.recent[customer].append(payment)  # streamed in after scoring
        return served


# --8<-- [end:service]


def go_live(world: World, compute, days=LIVE_DAYS) -> pd.DataFrame:
    """Replay the event stream through a service; the live days' requests' features."""
    service = FraudService(compute, world.signups)
    live = []
    for event in world.events:
        day = (event["ts"] - START) // DAY
        if day >= days[1]:
            break
        if day < days[0]:
            service.recent[event["customer_id"]].append(event)  # history before launch
        else:
            service.features(event)
            live.append(event["payment_id"])
    return pd.DataFrame(service.log).set_index("payment_id").loc[live]


def write_log(served: pd.DataFrame, folder: Path) -> Path:
    path = folder / "feature_log.parquet"
    served.reset_index().to_parquet(path, index=False)
    return path


# --8<-- [start:compare]
def compare(log: pd.DataFrame, offline: pd.DataFrame, rtol: float = 1e-6):
    """Per feature: the share of requests whose served value differs from the
    offline recomputation, the mean |difference|, the median online/offline."""
    offline = offline.loc[log.index]
    rows = {}
    for name in FEATURES:
        served, truth = log[name].to_numpy(float), offline[name].to_numpy(float)
        same = np.isclose(served, truth, rtol=rtol, atol=rtol)
        both = (truth != 0) & (served != 0)
        rows[name] = {
            "mismatch": float(1 - same.mean()),
            "mean_abs_diff": float(np.abs(served - truth).mean()),
            "ratio_p50": float(np.median(served[both] / truth[both])),
        }
    return pd.DataFrame(rows).T


# --8<-- [end:compare]


def table(comparison: pd.DataFrame) -> str:
    """The comparison, narrow enough for a phone (34 columns): the share of
    requests that differ, the mean |difference|, the median ratio."""
    lines = [f"{'feature':11}{'differs':>8}{'|diff|':>9}{'ratio':>6}"]
    for name, row in comparison.iterrows():
        differs, diff = row["mismatch"], row["mean_abs_diff"]
        lines.append(f"{name:11}{differs:>8.1%}{diff:>9.2f}{row['ratio_p50']:>6.1f}")
    return "\n".join(lines)


def flagged(comparison: pd.DataFrame, threshold: float = 0.01) -> list[str]:
    """The features served differently for more than 1% of requests."""
    return [n for n, row in comparison.iterrows() if row["mismatch"] > threshold]


def plot_spend(ax, log: pd.DataFrame, offline: pd.DataFrame, train_max: float) -> None:
    """Each request's spend_7d as served against the offline recomputation (log-log),
    and the largest spend_7d the model saw in training."""
    served, truth = log["spend_7d"], offline.loc[log.index, "spend_7d"]
    keep = (served > 0) & (truth > 0)
    edge = [truth[keep].min(), truth[keep].max()]
    ax.plot(edge, edge, "k--", lw=1, label="served = offline")
    ax.scatter(truth[keep], served[keep], s=4, alpha=0.3, color="tab:red", lw=0)
    ax.plot(edge, [100 * e for e in edge], ":", color="tab:blue", lw=1.5, label="x 100")
    ax.axhline(train_max, color="tab:grey", lw=1, label="training max")
    ax.set(xscale="log", yscale="log", xlabel="offline spend_7d ($)")
    ax.set(ylabel="served spend_7d")
    ax.set_title("spend_7d: served vs offline", fontsize=11)
    ax.legend(loc="upper left", fontsize=9)


def plot_scores(ax, scores: dict[str, float]) -> None:
    """The three ROC AUCs as bars, with 0.5 (a coin) marked."""
    names = {"offline": "offline\n(held out)", "online_before": "online\nbefore fix"}
    names["online_after"] = "online\nafter fix"
    colours = ["tab:grey", "tab:red", "tab:green"]
    bars = ax.bar([names[k] for k in scores], list(scores.values()), color=colours)
    ax.bar_label(bars, fmt="%.3f", fontsize=10)
    ax.axhline(0.5, color="k", lw=1, ls=":")
    ax.set(ylim=(0.4, 1.05), ylabel="ROC AUC")
    ax.set_title("The same model, three ways to feed it", fontsize=11)


def json_summary(summary: dict, width: int = 72) -> str:
    """JSON that breaks a dict over lines only where one line would pass `width`."""

    def dump(value, indent: int) -> str:
        flat = json.dumps(value)
        if not isinstance(value, dict) or indent + len(flat) <= width:
            return flat
        pad = " " * (indent + 1)
        items = [f"{pad}{json.dumps(k)}: {dump(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"

    return dump(summary, 0)


def main(customers: int = CUSTOMERS) -> dict:
    world = generate(customers=customers)
    offline = training_features(warehouse_table(world.events), world.signups)
    model = train(split(world, offline, TRAIN_DAYS))
    scores = {"offline": auc(model, split(world, offline, TEST_DAYS))}
    with tempfile.TemporaryDirectory() as folder:
        for name, compute in (("before", online_features), ("after", online_features_fixed)):
            log = pd.read_parquet(write_log(go_live(world, compute), Path(folder)))
            log = log.set_index("payment_id")
            scores[f"online_{name}"] = auc(model, log.join(world.labels))
            comparison = compare(log, offline)
            print(f"--- {name} the fix: {len(log)} requests logged")
            print(table(comparison))
            print("flagged:", ", ".join(flagged(comparison)) or "none")
    print("--- ROC AUC")
    for name, value in scores.items():
        print(f"{name:14} {value:.3f}")
    return scores


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:2]))  # optional: the number of customers
