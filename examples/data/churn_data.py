"""Seeded customer activity with churn labels, written as the Parquet files the Feast repo
in examples/data/feature_repo/ reads (its FileSources name data/<file>.parquet).

Every customer has a hidden engagement level. A daily batch job writes one activity row
per customer per day (logins in the last 7 days, days since the last login); a profile row
is written when the plan changes. Each customer has one labelled moment: "did they churn
within 30 days of this date?". Activity keeps being recorded after that date, so the
latest row of a churned customer shows the churn itself: that is the leak the
point-in-time page measures.

    python examples/data/churn_data.py <repo-dir>   # writes <repo-dir>/data/*.parquet
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

START = pd.Timestamp("2026-01-01", tz="UTC")
DAYS = 150  # daily activity rows for days 0..149
CUSTOMERS = 2000
HORIZON = 30  # the label: churned within 30 days of the labelled moment
TRAIN_DAYS = (14, 70)  # labelled moments of the training period
LATER_DAYS = (80, 110)  # labelled moments of the later, held-out period
PLANS = np.array([9.0, 19.0, 49.0])  # monthly price of each plan


def generate(seed: int = 7, customers: int = CUSTOMERS) -> dict[str, pd.DataFrame]:
    """The three tables: activity (daily), profile (on change) and labels (one per customer)."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1001, 1001 + customers, dtype=np.int64)
    engagement = rng.normal(0.0, 1.0, customers)

    # --8<-- [start:labels]
    # One labelled moment per customer, in the day; 35 % in the later period.
    later = rng.random(customers) < 0.35
    day = np.where(
        later,
        rng.integers(*LATER_DAYS, customers),
        rng.integers(*TRAIN_DAYS, customers),
    )
    hour = rng.integers(1, 23, customers)
    moment = START + pd.to_timedelta(day, "D") + pd.to_timedelta(hour, "h")
    # Less engaged customers churn more often; the churn happens within 30 days.
    p_churn = 1 / (1 + np.exp(1.2 + 1.3 * engagement))
    churned = rng.random(customers) < p_churn
    after = rng.integers(1, HORIZON, customers)
    churn_day = np.where(churned, day + after, DAYS + 999)
    # --8<-- [end:labels]

    # --8<-- [start:activity]
    # Daily logins: the engagement sets the rate, which fades in the two
    # weeks before a churn and drops to zero after it.
    d = np.arange(DAYS)
    rate = np.exp(0.3 + 0.5 * engagement)[:, None] * np.ones(DAYS)
    to_churn = churn_day[:, None] - d[None, :]
    fading = (to_churn > 0) & (to_churn <= 14)
    rate = np.where(fading, rate * to_churn / 14, rate)
    rate = np.where(to_churn <= 0, 0.0, rate)
    logins = rng.poisson(rate)
    window = np.cumsum(logins, axis=1)
    zeros = np.zeros((customers, 7), int)
    week_ago = np.concatenate([zeros, window[:, :-7]], axis=1)
    logins_7d = window - week_ago
    last_login = np.where(logins > 0, d[None, :], -1)
    last_login = np.maximum.accumulate(last_login, axis=1)
    since = d[None, :] - last_login
    days_since = np.where(last_login >= 0, since, d[None, :] + 1)
    # --8<-- [end:activity]

    # The batch job runs each night: the row for day d is computed at the end of day d.
    stamp = START + pd.to_timedelta(d + 1, "D") - pd.Timedelta("1s")
    activity = pd.DataFrame(
        {
            "customer_id": np.repeat(ids, DAYS),
            "event_timestamp": np.tile(stamp, customers),
            "logins_7d": logins_7d.ravel().astype(np.int64),
            "days_since_login": days_since.ravel().astype(np.int64),
        }
    )
    # The moment each row was computed, kept as a feature so a join can be checked.
    activity["computed_at"] = activity["event_timestamp"].astype("int64") // 10**9

    # Profile: a plan picked at sign-up (day 0), changed at most once later.
    plan = rng.integers(0, 3, customers)
    changes = rng.random(customers) < 0.4
    change_day = rng.integers(5, DAYS, customers)
    new_plan = (plan + rng.integers(1, 3, customers)) % 3
    rows = [(ids, np.zeros(customers, int), plan)]
    rows.append((ids[changes], change_day[changes], new_plan[changes]))
    profile = pd.DataFrame(
        {
            "customer_id": np.concatenate([r[0] for r in rows]),
            "event_timestamp": START + pd.to_timedelta(np.concatenate([r[1] for r in rows]), "D"),
            "plan_price": PLANS[np.concatenate([r[2] for r in rows])],
        }
    ).sort_values(["customer_id", "event_timestamp"], ignore_index=True)

    labels = pd.DataFrame(
        {
            "customer_id": ids,
            "event_timestamp": moment,
            "churned": churned.astype(np.int64),
            "period": np.where(later, "later", "train"),
        }
    )
    # The push source's batch copy: empty until something is pushed offline.
    live = pd.DataFrame(
        {
            "customer_id": pd.Series([], dtype="int64"),
            "event_timestamp": pd.Series([], dtype="datetime64[ns, UTC]"),
            "minutes_active_1h": pd.Series([], dtype="int64"),
        }
    )
    return {"activity": activity, "profile": profile, "labels": labels, "live": live}


def write(repo: Path, seed: int = 7, customers: int = CUSTOMERS) -> dict[str, pd.DataFrame]:
    """Write activity, profile, labels and live (empty) as Parquet under <repo>/data/."""
    tables = generate(seed, customers)
    folder = Path(repo) / "data"
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        table.to_parquet(folder / f"{name}.parquet", index=False)
    return tables


if __name__ == "__main__":
    tables = write(Path(sys.argv[1]))
    for name, table in tables.items():
        print(f"{name}: {len(table)} rows")
