"""Latency against offered load on the real server, beside the queueing model.

Against a server that runs one request at a time (`--max-batch 1`), with
one request shape: measure the service time and the capacity, then send
Poisson arrivals at 10% to 95% of that capacity and record each level's
latency. Prints the table; with --plot, draws it against M/D/1 and M/M/1
(SVG). --json writes the numbers for a test.

    LLM_SERVER_URL=http://127.0.0.1:8000 python examples/serving/queueing_sweep.py
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import time

from loadgen import Job, closed_loop, column, mean, open_loop, percentile
from queueing import latency

# 16 tokens in, 16 out: enough work per request that the server, not the
# load generator's own jitter, sets the pace, even on a fast CPU.
JOB = Job(prompt=list(range(1, 17)), max_tokens=16)
# Offered load (share of capacity): seconds of arrivals. A queue near
# saturation takes longer to settle (about service / (1 - load)^2), so the
# high levels run longer.
LEVELS = {0.1: 1.5, 0.5: 2.0, 0.8: 4.0, 0.9: 6.0, 0.95: 8.0}
BAND = 0.05  # how far the measured busy share may miss the level
RETRIES = 2  # runs of a level that missed it, each re-aimed
STEADY = 0.9  # from here, seconds of arrivals are too few for the steady state


# --8<-- [start:calibrate]
async def calibrate(url: str) -> dict:
    """Latency of one user alone (the median: robust to a neighbour's
    burst) and how much it varies, and capacity: throughput while two users
    keep it always busy."""
    jobs = itertools.repeat(JOB)
    alone = await closed_loop(url, jobs, users=1, requests=20, seconds=30)
    start = time.perf_counter()
    busy = await closed_loop(url, jobs, users=2, requests=60, seconds=30)
    capacity = len(column(busy, "e2e")) / (time.perf_counter() - start)
    alone_e2e = column(alone, "e2e")
    return {
        "service": percentile(alone_e2e, 50),
        "cs2": variance(alone_e2e) / mean(alone_e2e) ** 2,
        "capacity": capacity,
    }
    # --8<-- [end:calibrate]


# --8<-- [start:lindley]
def decompose(results: list) -> tuple[list[float], list[float]]:
    """Each request's wait and service from its arrival and departure (one
    server, first come first served): service starts when the request
    arrives or when the one before it leaves, whichever is later."""
    waits, services = [], []
    previous_left = 0.0
    answered = [r for r in results if r.status == 200]
    for r in sorted(answered, key=lambda r: r.sent):
        left = r.sent + r.e2e
        start = max(r.sent, previous_left)
        waits.append(start - r.sent)
        services.append(left - start)
        previous_left = left
    return waits, services
    # --8<-- [end:lindley]


# --8<-- [start:sweep]
async def level_run(url: str, level: float, rate: float) -> dict:
    """Poisson arrivals at `rate` per s; measured wait, service and busy."""
    seconds = LEVELS[level]
    results = await open_loop(
        url,
        itertools.repeat(JOB),
        rate=rate,
        requests=max(8, round(rate * seconds)),  # enough to measure a rate
        seconds=seconds + 30,  # arrivals end after `seconds`; it drains
        seed=int(level * 100),
    )
    e2e = column(results, "e2e")
    waits, services = decompose(results)
    sent = sorted(r.sent for r in results)
    arrivals = (len(sent) - 1) / (sent[-1] - sent[0])  # measured, per s
    service = mean(services)
    return {
        "load": level,
        "sent": len(results),
        "answered": len(e2e),
        "mean": mean(e2e),
        "p50": percentile(e2e, 50),
        "p99": percentile(e2e, 99),
        "wait": mean(waits),
        "service": service,
        # What the server really was: arrivals/s x seconds per request.
        "rho": arrivals * service,
    }


async def sweep(url: str, capacity: float) -> list[dict]:
    """Each level; re-aimed and run again (at most twice) when the
    machine's speed moved and the server was not as busy as intended."""
    rows = []
    for level in LEVELS:
        rate, tries = level * capacity, 0
        while tries <= RETRIES:
            tries += 1
            row = await level_run(url, level, rate)
            if abs(row["rho"] - level) <= BAND:
                break
            rate *= level / row["rho"]  # aim with what the server measured
        rows.append(row | {"tries": tries})
    return rows
    # --8<-- [end:sweep]


def variance(values: list[float]) -> float:
    average = mean(values)
    return mean([(x - average) ** 2 for x in values])


def model(row: dict, cs2: float) -> float:
    """Pollaczek-Khinchine with the level's own measured utilisation and
    service time, and `cs2` measured alone: under load, the load generator's
    own hiccups make service times look far more variable than they are."""
    if row["rho"] >= 1:
        return math.inf
    return latency(row["rho"], row["service"], cs2)


def table(calibration: dict, rows: list[dict]) -> str:
    ms = 1e3
    service, capacity = calibration["service"] * ms, calibration["capacity"]
    lines = [
        f"alone {service:.1f} ms, cs2 {calibration['cs2']:.2f}, {capacity:.0f} req/s",
        "load busy   mean    p99   M/G/1 (ms)",
    ]
    for row in rows:
        steady = row["rho"] < STEADY
        predicted = f"{model(row, calibration['cs2']) * ms:7.1f}" if steady else "      -"
        lines.append(
            f"{row['load']:4.0%} {row['rho']:4.0%} {row['mean'] * ms:6.1f}"
            f" {row['p99'] * ms:6.1f} {predicted}"
        )
    lines.append(f"- : busy >= {STEADY:.0%}, a few seconds never reach the")
    lines.append("    steady state the M/G/1 mean describes")
    retried = [f"{r['load']:.0%} x{r['tries']}" for r in rows if r["tries"] > 1]
    if retried:
        lines.append("re-aimed and run again: " + ", ".join(retried))
    return "\n".join(lines)


def plot(rows: list[dict], path: str) -> None:
    """Latency in service times against utilisation: the same curve on any
    machine."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 11, "svg.hashsalt": "queueing", "svg.fonttype": "none"})
    grid = [i / 200 for i in range(0, 193)]
    fig, ax = plt.subplots(figsize=(4.2, 3.4), layout="constrained")
    for cs2, name, style in ((1.0, "M/M/1", ":"), (0.0, "M/D/1", "-")):
        ax.plot(
            [x * 100 for x in grid],
            [latency(x, 1.0, cs2) for x in grid],
            style,
            color="0.35",
            label=name,
        )
    stable = [row for row in rows if row["rho"] < 1]
    ax.plot(
        [row["rho"] * 100 for row in stable],
        [row["mean"] / row["service"] for row in stable],
        "o",
        color="#1565c0",
        label="measured mean",
    )
    over = [row for row in rows if row["rho"] >= 1]
    if over:  # a level the machine's drift pushed past 100% busy: off the chart
        ax.plot([99] * len(over), [24] * len(over), ">", color="#c62828")
        ax.annotate("over 100%", (97, 24), ha="right", va="center", color="#c62828")
    ax.set_ylim(0, 25)
    ax.set_xlim(0, 100)
    ax.set_xlabel("server busy, % of the time")
    ax.set_ylabel("latency / service time")
    ax.legend(frameon=False, loc="upper left")
    fig.savefig(path, metadata={"Date": None})
    plt.close(fig)


async def run(url: str) -> tuple[dict, list[dict]]:
    calibration = await calibrate(url)
    return calibration, await sweep(url, calibration["capacity"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot", help="write the figure (SVG) here")
    parser.add_argument("--json", help="write the measured numbers here")
    args = parser.parse_args()
    url = os.environ.get("LLM_SERVER_URL", "http://127.0.0.1:8000")
    calibration, rows = asyncio.run(run(url))
    print(table(calibration, rows))
    if args.plot:
        plot(rows, args.plot)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"calibration": calibration, "rows": rows}, handle, indent=1)


if __name__ == "__main__":
    main()
