"""TTFT, TPOT and end-to-end latency per request class, alone and in a busy hour.

Two classes share the server: short chat answers (16 tokens) and long reports (96
tokens), both streamed. First each class alone (one user), then a busy hour: 16 users
on a server with 8 batch slots, three chats to one report. Prints, per class, what the
user feels (time to the first token) beside what a per-token dashboard shows (TPOT).
--json writes every request for a test.

    LLM_SERVER_URL=http://127.0.0.1:8000 python examples/serving/latency_classes.py
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from dataclasses import asdict

from loadgen import Job, closed_loop, column, mean, mix, percentile

# --8<-- [start:classes]
PROMPT = list(range(1, 25))  # 24 tokens
CHAT = Job(PROMPT, max_tokens=16, label="chat")
REPORT = Job(PROMPT, max_tokens=96, label="report")
CLASSES = [(3, CHAT), (1, REPORT)]


async def measure(url: str) -> dict[str, list]:
    quiet, rush = mix(CLASSES, seed=1), mix(CLASSES, seed=2)
    alone = await closed_loop(url, quiet, users=1, requests=12, seconds=30)
    busy = await closed_loop(url, rush, users=16, requests=128, seconds=30)
    return {"alone": alone, "busy": busy}
    # --8<-- [end:classes]


def table(runs: dict[str, list]) -> str:
    ms = 1e3
    lines = []
    for label in ("chat", "report"):
        part = {name: [r for r in rs if r.label == label] for name, rs in runs.items()}
        lines.append(f"{label} (ms)       alone    busy")
        rows = (
            ("TTFT p50", "ttft", 50),
            ("TTFT p99", "ttft", 99),
            ("TPOT mean", "tpot", None),
            ("e2e mean", "e2e", None),
        )
        for name, measure_, q in rows:
            cells = []
            for run in ("alone", "busy"):
                values = column(part[run], measure_)
                cells.append(mean(values) if q is None else percentile(values, q))
            lines.append(f"  {name:12} {cells[0] * ms:7.1f} {cells[1] * ms:7.1f}")
    busy = runs["busy"]
    per_token = sum(column(busy, "e2e")) / sum(r.tokens for r in busy if r.status == 200)
    lines.append(f"busy hour, mean latency per token: {per_token * ms:.1f} ms")
    lines.append(f"busy hour, mean TPOT: {mean(column(busy, 'tpot')) * ms:.1f} ms")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write every request here")
    args = parser.parse_args()
    url = os.environ.get("LLM_SERVER_URL", "http://127.0.0.1:8000")
    runs = asyncio.run(measure(url))
    print(table(runs))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({k: [asdict(r) for r in v] for k, v in runs.items()}, handle)


if __name__ == "__main__":
    main()
