"""Autoscaling signals during a load step: CPU against in-flight requests and queue depth.

Measures the server's capacity (16 users keeping its batch full, each asking for 64
tokens, not streamed), then offers Poisson load at 25%, 50% and 100% of it, then an
overload of 48 users (six times its 8 batch slots, whatever the machine's speed), a few
seconds each, while a sampler reads
/metrics four times a second: the server process's CPU (process_cpu_seconds_total,
which prometheus_client reads from /proc), llm_requests_in_flight and llm_queue_depth.
Prints the mean of each per step. --json writes the samples for a test.

    LLM_SERVER_URL=http://127.0.0.1:8000 python examples/serving/signals.py
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import time

import httpx
from loadgen import Job, closed_loop, column, mean, open_loop
from prometheus_client.parser import text_string_to_metric_families

# 64 tokens, not streamed: enough engine work per request that the engine, not the
# HTTP layer, is what fills up and queues, on any CPU.
JOB = Job(list(range(1, 25)), max_tokens=64, stream=False)
STEPS = (0.25, 0.5, 1.0)  # offered load, share of capacity
# Overload as users, not as a rate: a load generator starved of CPU cannot send a rate,
# but 48 users always hold 48 requests on a server that has 8 slots.
OVERLOAD_USERS = 48
SECONDS = 2.5  # per step
WANTED = (
    "process_cpu_seconds_total",
    "llm_requests_in_flight",
    "llm_queue_depth",
)


# --8<-- [start:sample]
async def sample(url: str, samples: list[dict], every: float = 0.25) -> None:
    """Scrape /metrics until cancelled, as Prometheus would (but more often)."""
    async with httpx.AsyncClient(base_url=url, timeout=5) as client:
        while True:
            text = (await client.get("/metrics")).text
            row = {"t": time.perf_counter()}
            for family in text_string_to_metric_families(text):
                for s in family.samples:
                    if s.name in WANTED:
                        row[s.name] = s.value
            samples.append(row)
            await asyncio.sleep(every)
            # --8<-- [end:sample]


async def drained(url: str, limit: float = 60.0) -> None:
    """Wait (up to `limit` s) until the server has worked off what the steps left."""
    deadline = time.perf_counter() + limit
    async with httpx.AsyncClient(base_url=url, timeout=5) as client:
        while time.perf_counter() < deadline:
            text = (await client.get("/metrics")).text
            left = {
                s.name: s.value
                for family in text_string_to_metric_families(text)
                for s in family.samples
                if s.name in ("llm_queue_depth", "llm_requests_running")
            }
            if not any(left.values()):
                return
            await asyncio.sleep(0.25)


# --8<-- [start:step]
async def load_step(url: str) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    jobs = itertools.repeat(JOB)
    full = await closed_loop(url, jobs, users=16, requests=64, seconds=20)
    capacity = len(column(full, "e2e")) / (time.perf_counter() - start)
    steps = []
    for step, share in enumerate(STEPS):
        samples: list[dict] = []
        sampler = asyncio.create_task(sample(url, samples))
        rate = share * capacity
        await open_loop(
            url,
            itertools.repeat(JOB),
            rate=rate,
            requests=round(rate * SECONDS),
            seconds=SECONDS,  # no draining: the next step starts on the rest
            seed=step,
        )
        sampler.cancel()
        await asyncio.gather(sampler, return_exceptions=True)
        steps.append({"load": share, "samples": samples})
    samples = []
    sampler = asyncio.create_task(sample(url, samples))
    await closed_loop(url, jobs, users=OVERLOAD_USERS, requests=10**6, seconds=SECONDS)
    sampler.cancel()
    await asyncio.gather(sampler, return_exceptions=True)
    steps.append({"load": "over", "samples": samples})
    await drained(url)
    return capacity, steps
    # --8<-- [end:step]


def summarise(steps: list[dict]) -> list[dict]:
    rows = []
    for step in steps:
        s = step["samples"]
        cpu = s[-1]["process_cpu_seconds_total"] - s[0]["process_cpu_seconds_total"]
        rows.append(
            {
                "load": step["load"],
                "cpu": cpu / (s[-1]["t"] - s[0]["t"]),  # cores busy
                "in_flight": mean([x["llm_requests_in_flight"] for x in s]),
                "queue": mean([x["llm_queue_depth"] for x in s]),
            }
        )
    return rows


def table(capacity: float, rows: list[dict]) -> str:
    lines = [f"capacity {capacity:.1f} req/s", "load   CPU  in-flight  queue"]
    for row in rows:
        load = row["load"] if row["load"] == "over" else f"{row['load']:.0%}"
        lines.append(f"{load:>4} {row['cpu']:5.2f} {row['in_flight']:10.1f} {row['queue']:6.1f}")
    lines.append(f"over: {OVERLOAD_USERS} users, each sending again when answered")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the samples here")
    args = parser.parse_args()
    url = os.environ.get("LLM_SERVER_URL", "http://127.0.0.1:8000")
    capacity, steps = asyncio.run(load_step(url))
    print(table(capacity, summarise(steps)))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"capacity": capacity, "steps": steps}, handle)


if __name__ == "__main__":
    main()
