"""Capacity estimate for a shared feature store: online and offline, batch and streaming.

Every input below is an assumption to say out loud in the interview ("I'll assume ...") and
to change when the interviewer gives other numbers; none of them is a measured fact. Units:
GB = 10**9 bytes, TB = 10**12 bytes, a month = 30 days.

    python examples/design/feature_store.py
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from estimates import check_inputs, table

DAY_S = 86_400
MONTH_DAYS = 30
GB = 10**9


# --8<-- [start:inputs]
@dataclass(frozen=True)
class FeatureStoreInputs:
    """Assumptions, not facts: restate each one in the interview."""

    # --- The data ---
    # keys with online features (users,
    # items, merchants)
    entities: int = 200_000_000
    # values stored per key online
    online_features: int = 200
    # float64 or int64
    bytes_per_value: int = 8
    # key, timestamps, the store's
    # per-entry overhead
    row_overhead_bytes: int = 64
    # values in one streaming update
    stream_features: int = 4
    # share of keys whose batch features
    # change daily
    daily_changed_share: float = 0.3

    # --- The traffic ---
    # predictions per second, all models
    # together
    peak_requests_per_s: int = 20_000
    # one user and 49 candidates, say
    keys_per_request: int = 50
    # a model reads a subset of a key's
    # features
    features_read_per_key: int = 40
    # events that update a streaming
    # feature
    stream_events_per_s: int = 50_000

    # --- The online store ---
    # copies of each key, for availability
    replicas: int = 2
    node_memory_gb: float = 64.0
    # keep 30% free: fragmentation,
    # resharding, growth
    node_fill: float = 0.7
    # key reads or writes one node serves
    # at p99 budget
    node_ops_per_s: int = 100_000
    # the nightly load of batch features
    materialize_hours: float = 2.0

    # --- Offline store, feature log ---
    # Parquet bytes / raw bytes
    compression: float = 0.3
    # two years of history for
    # point-in-time joins
    retention_days: int = 730
    # share of served requests whose
    # features are logged
    log_sample: float = 0.05
    log_retention_days: int = 90

    # --- Compute ---
    # windowed aggregation in the stream
    # job
    events_per_core_per_s: int = 10_000
    # headroom to drain a backlog after an
    # outage
    catchup_factor: float = 2.0
    cores_per_worker: int = 4
    # point-in-time joins that build
    # training sets
    training_sets_per_day: int = 20
    # history one training set reads
    scan_days: int = 180
    # share of the offline columns one
    # training set reads
    scan_share: float = 0.1
    # compressed Parquet one core scans
    # and joins per hour
    gb_per_core_hour: float = 50.0

    # --- Prices (vary by provider) ---
    # one 64 GB in-memory store node,
    # managed
    usd_per_node_month: float = 600.0
    # object storage
    usd_per_gb_month: float = 0.02
    # one 4-core stream worker
    usd_per_worker_month: float = 150.0
    # batch compute (Spark)
    usd_per_core_hour: float = 0.05

    def __post_init__(self) -> None:
        check_inputs(self, shares=("node_fill", "compression", "log_sample", "scan_share"))
        if self.features_read_per_key > self.online_features:
            raise ValueError("features_read_per_key cannot exceed online_features")


# --8<-- [end:inputs]


# --8<-- [start:online]
def online_row_bytes(i: FeatureStoreInputs) -> int:
    return i.online_features * i.bytes_per_value + i.row_overhead_bytes


def online_gb(i: FeatureStoreInputs) -> float:
    """All keys, every replica, in memory."""
    return i.entities * online_row_bytes(i) * i.replicas / GB


def reads_per_s(i: FeatureStoreInputs) -> int:
    return i.peak_requests_per_s * i.keys_per_request


def writes_per_s(i: FeatureStoreInputs) -> float:
    """Stream updates plus the nightly materialization, spread over its window."""
    batch = i.entities * i.daily_changed_share / (i.materialize_hours * 3600)
    return i.stream_events_per_s + batch


def online_nodes(i: FeatureStoreInputs) -> tuple[int, int]:
    """Nodes that memory needs, nodes that operations need: whole machines, rounded up.
    A read goes to one replica; a write goes to every replica."""
    by_memory = math.ceil(online_gb(i) / (i.node_memory_gb * i.node_fill))
    ops = reads_per_s(i) + writes_per_s(i) * i.replicas
    by_ops = math.ceil(ops / i.node_ops_per_s)
    return by_memory, by_ops


# --8<-- [end:online]


# --8<-- [start:offline]
def offline_gb_per_day(i: FeatureStoreInputs) -> float:
    """History written per day, compressed: batch rows plus one row per stream update."""
    batch = i.entities * i.daily_changed_share * online_row_bytes(i)
    stream_row = i.stream_features * i.bytes_per_value + i.row_overhead_bytes
    stream = i.stream_events_per_s * DAY_S * stream_row
    return (batch + stream) * i.compression / GB


def read_bytes_per_s(i: FeatureStoreInputs) -> float:
    return reads_per_s(i) * i.features_read_per_key * i.bytes_per_value


def log_gb_per_day(i: FeatureStoreInputs) -> float:
    """The served features of a sample of requests, kept to find skew."""
    return read_bytes_per_s(i) * i.log_sample * DAY_S * i.compression / GB


def stored_tb(i: FeatureStoreInputs) -> float:
    history = offline_gb_per_day(i) * i.retention_days
    log = log_gb_per_day(i) * i.log_retention_days
    return (history + log) / 1000


# --8<-- [end:offline]


def stream_workers(i: FeatureStoreInputs) -> int:
    cores = i.stream_events_per_s / i.events_per_core_per_s * i.catchup_factor
    return math.ceil(cores / i.cores_per_worker)


def batch_core_hours_per_day(i: FeatureStoreInputs) -> float:
    scanned = i.training_sets_per_day * i.scan_days * offline_gb_per_day(i) * i.scan_share
    return scanned / i.gb_per_core_hour


# --8<-- [start:cost]
def monthly_cost(i: FeatureStoreInputs) -> dict[str, float]:
    cost = {
        "online store": max(online_nodes(i)) * i.usd_per_node_month,
        "offline + log": stored_tb(i) * 1000 * i.usd_per_gb_month,
        "stream jobs": stream_workers(i) * i.usd_per_worker_month,
        "batch joins": batch_core_hours_per_day(i) * MONTH_DAYS * i.usd_per_core_hour,
    }
    cost["total"] = sum(cost.values())
    return cost


# --8<-- [end:cost]


def sections(i: FeatureStoreInputs) -> dict[str, list[tuple[str, str]]]:
    """The report's figures, by section: (what, value with its unit)."""
    by_memory, by_ops = online_nodes(i)
    return {
        "Online store, at peak": [
            ("predictions", f"{i.peak_requests_per_s:,} req/s"),
            ("key reads", f"{reads_per_s(i):,} keys/s"),
            ("writes", f"{writes_per_s(i):,.0f} rows/s"),
            ("row", f"{online_row_bytes(i):,} bytes"),
            (f"data, {i.replicas} replicas", f"{online_gb(i):,.1f} GB"),
            ("nodes for memory", f"{by_memory} nodes"),
            ("nodes for operations", f"{by_ops} nodes"),
            ("read traffic", f"{read_bytes_per_s(i) * 8 / GB:,.2f} Gbit/s"),
        ],
        "Offline store": [
            ("history growth", f"{offline_gb_per_day(i):,.1f} GB/day"),
            (f"feature log, {i.log_sample:.0%} sample", f"{log_gb_per_day(i):,.1f} GB/day"),
            ("stored, history + log", f"{stored_tb(i):,.1f} TB"),
        ],
        "Compute": [
            ("stream workers", f"{stream_workers(i)} workers"),
            ("training-set joins", f"{batch_core_hours_per_day(i):,.0f} core-h/day"),
        ],
        "Cost, USD per month": [(name, f"{usd:,.0f}") for name, usd in monthly_cost(i).items()],
    }


def report(i: FeatureStoreInputs) -> str:
    heading = [
        "Feature store (inputs: assumptions)",
        "GB = 10^9 bytes, TB = 10^12, month = 30 d",
    ]
    return table(heading, sections(i))


if __name__ == "__main__":
    print(report(FeatureStoreInputs()))
