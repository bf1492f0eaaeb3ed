"""The features of a payment-fraud model, computed twice: by the training pipeline from the
warehouse, and by the fraud service from the payment events it keeps in memory.

A payment event, as the payments API sends it (and as the stream carries it):

    {"payment_id": 7, "customer_id": 1042, "ts": 1767312000, "amount": 4599}

`ts` is in seconds (UTC) and `amount` is in cents, the smallest unit of the currency, as
payment APIs send money. The warehouse's ETL loads the same events as rows with
`amount_usd` in dollars. Each feature describes the customer's payments in the 7 days
before the one being scored (that payment itself excluded).

    python examples/data/skew_features.py   # one customer, the three implementations
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

DAY = 86_400  # seconds
WINDOW = 7 * DAY
NO_PAYMENT = 7 * 24.0  # hours_since when the window holds no payment
FEATURES = ("spend_7d", "payments_7d", "hours_since", "age_days")


# --8<-- [start:etl]
def warehouse_row(event: Mapping) -> dict:
    """The ETL, one event: the warehouse's `payments` row, in dollars."""
    cents, payment = event["amount"], event["payment_id"]
    if not isinstance(cents, (int, np.integer)):
        raise TypeError(f"payment {payment}: 'amount' must be integer cents")
    return {
        "payment_id": event["payment_id"],
        "customer_id": event["customer_id"],
        "ts": event["ts"],
        "amount_usd": cents / 100,
    }


def warehouse_table(events: Iterable[Mapping]) -> pd.DataFrame:
    """The nightly load: every event of the stream as a row of `payments`."""
    return pd.DataFrame([warehouse_row(e) for e in events])


# --8<-- [end:etl]


# --8<-- [start:offline]
def window_features(ts: np.ndarray, usd: np.ndarray, now: int, signup: int):
    """The features at `now`, from one customer's payments (times, dollars)."""
    recent = (ts >= now - WINDOW) & (ts < now)  # [now - 7 days, now)
    hours = (now - ts[recent].max()) / 3600 if recent.any() else NO_PAYMENT
    return {
        "spend_7d": float(usd[recent].sum()),
        "payments_7d": int(recent.sum()),
        "hours_since": hours,
        "age_days": (now - signup) / DAY,
    }


def training_features(payments: pd.DataFrame, signups: pd.Series):
    """The training pipeline: features for every payment of the warehouse."""
    rows = []
    for customer, past in payments.groupby("customer_id", sort=False):
        ts, usd = past["ts"].to_numpy(), past["amount_usd"].to_numpy()
        signup = signups[customer]
        for payment, now in zip(past["payment_id"], ts, strict=True):
            features = window_features(ts, usd, now, signup)
            rows.append({"payment_id": payment} | features)
    return pd.DataFrame(rows).set_index("payment_id")


# --8<-- [end:offline]


# --8<-- [start:online]
def online_features(events: list[dict], request: dict) -> dict:
    """The fraud service, as shipped: its own code for the same features."""
    now = request["ts"]
    recent = [e for e in events if now - WINDOW <= e["ts"] < now]
    last = max((e["ts"] for e in recent), default=None)
    return {
        "spend_7d": float(sum(e["amount"] for e in recent)),
        "payments_7d": len(recent),
        "hours_since": NO_PAYMENT if last is None else (now - last) / 3600,
        "age_days": (now - request["signup_ts"]) / DAY,
    }


# --8<-- [end:online]


# --8<-- [start:fixed]
def online_features_fixed(events: list[dict], request: dict) -> dict:
    """The fraud service, fixed: the ETL's conversion, the training code."""
    rows = [warehouse_row(e) for e in events]
    ts = np.array([r["ts"] for r in rows], dtype=np.int64)
    usd = np.array([r["amount_usd"] for r in rows], dtype=np.float64)
    return window_features(ts, usd, request["ts"], request["signup_ts"])


# --8<-- [end:fixed]


if __name__ == "__main__":
    start = 1_767_225_600  # 2026-01-01 00:00 UTC
    events = [
        {"payment_id": i, "customer_id": 1, "ts": start + hours * 3600, "amount": cents}
        for i, (hours, cents) in enumerate([(1, 2500), (30, 4000), (200, 1999)])
    ]
    request = {"customer_id": 1, "ts": start + 210 * 3600, "signup_ts": start - 90 * DAY}
    payments = warehouse_table(events)
    ts, usd = payments["ts"].to_numpy(), payments["amount_usd"].to_numpy()
    offline = window_features(ts, usd, request["ts"], request["signup_ts"])
    print(f"{'feature':11}{'offline':>9}{'online':>9}{'fixed':>9}")
    both = online_features(events, request), online_features_fixed(events, request)
    for name in FEATURES:
        values = [offline[name], *(f[name] for f in both)]
        print(f"{name:11}" + "".join(f"{v:>9.2f}" for v in values))
