"""Online retrieval latency: get_online_features against the SQLite online store, in
process, for a few batch sizes (entity rows per call). One machine's figures.

    python examples/data/benchmarks/online_latency.py   # nox -s data-figures
writes online_latency.out.txt beside this file.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the examples this measures

from feast import FeatureStore
from feast_walkthrough import feast_apply, materialize_and_read, prepare

BATCHES = (1, 10, 100)
CALLS = 300


# --8<-- [start:measure]
def measure(store: FeatureStore, customers, batches=BATCHES, calls=CALLS):
    """p50 and p99 in ms of get_online_features, for each batch size."""
    service = store.get_feature_service("churn_model_v1")
    rows = []
    for batch in batches:
        keys = [{"customer_id": c} for c in customers[:batch]]
        store.get_online_features(features=service, entity_rows=keys)  # warm up
        times = []
        for _ in range(calls):
            start = time.perf_counter()
            store.get_online_features(features=service, entity_rows=keys)
            times.append((time.perf_counter() - start) * 1000)
        cuts = statistics.quantiles(times, n=100)
        rows.append(
            {"batch": batch, "p50": cuts[49], "p99": cuts[98], "calls": calls},
        )
    return rows


# --8<-- [end:measure]


def table(rows) -> str:
    lines = [
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
        "SQLite online store, in process",
        f"{'entity rows':>11} {'p50 ms':>8} {'p99 ms':>8} {'calls':>6}",
    ]
    for r in rows:
        lines.append(f"{r['batch']:>11} {r['p50']:>8.2f} {r['p99']:>8.2f} {r['calls']:>6}")
    return "\n".join(lines) + "\n"


def main() -> str:
    with tempfile.TemporaryDirectory() as scratch:
        repo = prepare(Path(scratch))
        feast_apply(repo)
        store = FeatureStore(repo_path=str(repo))
        customers = list(range(1001, 1001 + max(BATCHES)))
        materialize_and_read(store, customers[:1])
        text = table(measure(store, customers))
    (HERE / "online_latency.out.txt").write_text(text)
    return text


if __name__ == "__main__":
    print(main(), end="")
