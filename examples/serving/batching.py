"""Static, dynamic and continuous batching on one mixed workload: throughput
and time to first token (TTFT), over the same model and the same requests.

Most requests want 8 tokens; every sixth wants 200. They arrive at a steady
pace counted in decode steps of this machine (measured first), so the
workload has the same shape on a fast CPU and on a slow one.
"""

from __future__ import annotations

import json
import random
import sys
import time

import torch
from engine import Engine
from tiny_llm import build_model

REQUESTS = 24
SHORT, LONG, LONG_EVERY = 8, 200, 6
ARRIVAL_STEPS = 4  # a new request every 4 decode steps
MAX_BATCH = 8
POLICIES = ("static", "dynamic", "continuous")


def decode_step_seconds(model) -> float:
    """One decode step of a full batch here: the best of 3 runs after a
    warm-up (the one least disturbed by other processes)."""
    times = []
    for _ in range(4):
        with Engine(model, max_batch=MAX_BATCH) as engine:
            prompts = [[i + 1] * 32 for i in range(MAX_BATCH)]
            for gen in [engine.submit(p, 17) for p in prompts]:
                gen.result(timeout=120)
            stats = engine.stats()
        times.append(stats["decode_seconds"] / stats["steps"])
    return min(times[1:])


# --8<-- [start:workload]
def workload(step_s: float, seed: int = 0) -> list[tuple]:
    """(arrival time, prompt, max_new_tokens): mostly short, some long."""
    rng = random.Random(seed)
    requests = []
    for i in range(REQUESTS):
        prompt = [rng.randrange(512) for _ in range(rng.randrange(16, 33))]
        wants = LONG if i % LONG_EVERY == 0 else SHORT
        requests.append((i * ARRIVAL_STEPS * step_s, prompt, wants))
    return requests


# --8<-- [end:workload]


def run(model, policy: str, requests, max_wait_s: float) -> tuple:
    """Submit each request at its arrival time: (generations, seconds,
    the engine's stats)."""
    engine = Engine(
        model,
        policy=policy,
        max_batch=MAX_BATCH,
        max_wait_s=max_wait_s,
    )
    gens = []
    with engine:
        start = time.perf_counter()
        for arrival, prompt, wants in requests:
            delay = start + arrival - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            gens.append(engine.submit(prompt, wants))
        for gen in gens:
            gen.result(timeout=300)
        stats = engine.stats()
    return gens, max(g.finished_at for g in gens) - start, stats


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with p% of them at or below it."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * p // 100) - 1)]


def benchmark(model) -> dict:
    step_s = decode_step_seconds(model)
    requests = workload(step_s)
    record = {"step_ms": step_s * 1e3, "policies": {}}
    for policy in POLICIES:
        wait = 8 * step_s
        gens, seconds, stats = run(model, policy, requests, max_wait_s=wait)
        ttft = [g.first_token_at - g.submitted_at for g in gens]
        waited = [g.first_token_step - g.submitted_step for g in gens]
        tokens = sum(len(g.output) for g in gens)
        record["policies"][policy] = {
            "tokens_per_s": tokens / seconds,
            "p50_ttft_ms": percentile(ttft, 50) * 1e3,
            "p99_ttft_ms": percentile(ttft, 99) * 1e3,
            "p99_waited_steps": percentile(waited, 99),
            "outputs": [g.output for g in gens],
            "steps": stats["steps"],
            "decode_rows": stats["decode_rows"],
        }
    return record


def table(record: dict) -> str:
    runs = record["policies"]
    every = ARRIVAL_STEPS * record["step_ms"]
    lines = [
        f"{REQUESTS} requests, 1 every {ARRIVAL_STEPS} decode steps",
        f"({every:.0f} ms here); most want {SHORT} tokens,",
        f"every {LONG_EVERY}th wants {LONG}; max batch {MAX_BATCH}",
        f"{'policy':<10}{'tok/s':>7}{'p50 TTFT':>10}{'p99 TTFT':>10}",
    ]
    for policy, r in runs.items():
        lines.append(
            f"{policy:<10}{r['tokens_per_s']:>7.0f}"
            f"{r['p50_ttft_ms']:>7.0f} ms{r['p99_ttft_ms']:>7.0f} ms"
        )
    static, cont = runs["static"], runs["continuous"]
    p99 = static["p99_ttft_ms"] / cont["p99_ttft_ms"]
    throughput = cont["tokens_per_s"] / static["tokens_per_s"]
    same = all(r["outputs"] == cont["outputs"] for r in runs.values())
    steps = ", ".join(f"{p} {r['p99_waited_steps']}" for p, r in runs.items())
    version = torch.__version__.split("+")[0]
    threads = torch.get_num_threads()
    lines += [
        "p99 decode steps waited:",
        f"  {steps}",
        f"p99 TTFT, static / continuous: {p99:.0f}x",
        f"throughput, continuous / static: {throughput:.1f}x",
        f"same tokens under every policy: {same}",
        f"torch {version}, {threads} CPU thread(s)",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    model = build_model()
    record = benchmark(model)
    print(table(record))
    if len(sys.argv) > 1:  # the whole record, tokens too, as JSON
        with open(sys.argv[1], "w") as handle:
            json.dump(record, handle)
