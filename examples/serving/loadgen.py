"""A bounded load generator for the LLM server, closed loop or open loop.

Closed loop: N users, each sends its next request when the last one ends (the load
adapts to the server). Open loop: requests arrive at random (Poisson) at a fixed rate,
whatever the server does, as independent users do. Every run stops at a request count
and at a wall-time limit; requests still open at the limit are cancelled and kept
with status 0. Each request records its TTFT, TPOT, end-to-end latency and tokens.

    LLM_SERVER_URL=http://127.0.0.1:8000 python examples/serving/loadgen.py \\
        --users 4 --requests 40          # closed loop
        --rate 20 --requests 100         # open loop, 20 requests/s
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import random
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Job:
    prompt: list[int]
    max_tokens: int
    label: str = "default"
    stream: bool = True


# --8<-- [start:result]
@dataclass
class Result:
    label: str
    sent: float  # seconds after the run started
    status: int = 0  # HTTP status; 0: no answer (time limit, no connection)
    tokens: int = 0
    ttft: float | None = None  # to the first token (not streaming: to the body)
    e2e: float | None = None  # send to last token

    @property
    def tpot(self) -> float | None:
        """Time per output token after the first: (e2e - ttft) / (n - 1)."""
        if self.status != 200 or self.tokens < 2 or self.e2e is None:
            return None
        return (self.e2e - self.ttft) / (self.tokens - 1)
        # --8<-- [end:result]


# --8<-- [start:send]
async def send(client: httpx.AsyncClient, job: Job, result: Result) -> None:
    """One request; fills `result` as the answer arrives."""
    body = {
        "prompt": job.prompt,
        "max_tokens": job.max_tokens,
        "stream": job.stream,
    }
    start = time.perf_counter()
    if not job.stream:  # the user sees nothing until the whole answer is there
        response = await client.post("/generate", json=body)
        result.status = response.status_code
        result.e2e = result.ttft = time.perf_counter() - start
        if response.status_code == 200:
            result.tokens = len(response.json()["tokens"])
        return
    async with client.stream("POST", "/generate", json=body) as response:
        result.status = response.status_code
        async for line in response.aiter_lines():
            if not line.startswith("data: "):
                continue  # the blank line that ends each event
            event = json.loads(line.removeprefix("data: "))
            if "token" in event:
                if result.tokens == 0:
                    result.ttft = time.perf_counter() - start
                result.tokens += 1
            elif "error" in event:
                result.status = 500
    result.e2e = time.perf_counter() - start
    # --8<-- [end:send]


def client(url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=url,
        timeout=httpx.Timeout(10.0, read=None),  # a stream may pause; the run has a limit
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=256),
    )


async def _until(tasks: list[asyncio.Task], deadline: float) -> None:
    """Wait for the tasks until the deadline, then cancel what is left."""
    if tasks:
        _, pending = await asyncio.wait(tasks, timeout=max(0.0, deadline - time.perf_counter()))
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


async def _record(c: httpx.AsyncClient, job: Job, result: Result) -> None:
    try:
        await send(c, job, result)
    except httpx.HTTPError:
        result.status = 0
    except asyncio.CancelledError:  # the run's time limit: an unfinished answer
        result.status = 0
        raise


# --8<-- [start:loops]
async def closed_loop(
    url: str, jobs: Iterator[Job], *, users: int, requests: int, seconds: float
) -> list[Result]:
    """`users` users, each sending its next request when its last one ended."""
    results: list[Result] = []
    t0 = time.perf_counter()

    def now() -> float:
        return time.perf_counter() - t0

    async with client(url) as c:

        async def user() -> None:
            while len(results) < requests and now() < seconds:
                job = next(jobs)
                results.append(result := Result(job.label, now()))
                await _record(c, job, result)

        tasks = [asyncio.create_task(user()) for _ in range(users)]
        await _until(tasks, t0 + seconds)
    return results


async def open_loop(
    url: str,
    jobs: Iterator[Job],
    *,
    rate: float,
    requests: int,
    seconds: float,
    seed=0,
) -> list[Result]:
    """`requests` Poisson arrivals at `rate` per second: exponential gaps,
    scaled to span exactly requests / rate seconds (a Poisson process given
    its count), so every run offers exactly the load asked for."""
    draw = random.Random(seed)
    gaps = [draw.expovariate(1.0) for _ in range(requests + 1)]
    gaps = list(itertools.accumulate(gaps))
    window = requests / rate
    results: list[Result] = []
    tasks: list[asyncio.Task] = []
    t0 = time.perf_counter()
    async with client(url) as c:
        for job, gap in zip(jobs, gaps[:requests], strict=False):
            arrival = window * gap / gaps[-1]
            if arrival >= seconds:
                break
            await asyncio.sleep(max(0.0, t0 + arrival - time.perf_counter()))
            sent = time.perf_counter() - t0
            results.append(result := Result(job.label, sent))
            tasks.append(asyncio.create_task(_record(c, job, result)))
        await _until(tasks, t0 + seconds)
    return results
    # --8<-- [end:loops]


def mix(classes: Iterable[tuple[float, Job]], seed: int = 0) -> Iterator[Job]:
    """Jobs drawn at random from weighted classes, reproducibly."""
    weights, jobs = zip(*classes, strict=True)
    pick = random.Random(seed)
    while True:
        yield pick.choices(jobs, weights)[0]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), linear between the nearest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def column(results: Iterable[Result], name: str) -> list[float]:
    """One measure (ttft, tpot, e2e) of the answered requests."""
    values = (getattr(r, name) for r in results if r.status == 200)
    return [v for v in values if v is not None]


def scrape(url: str) -> dict[str, float]:
    """The server's /metrics as {'name{label="v"}': value} (what Prometheus stores)."""
    from prometheus_client.parser import text_string_to_metric_families

    text = httpx.get(f"{url}/metrics", timeout=10).text
    samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
            samples[f"{s.name}{{{labels}}}" if labels else s.name] = s.value
    return samples


def summary(results: list[Result]) -> str:
    ok = [r for r in results if r.status == 200]
    lines = [f"requests {len(results)}, answered 200: {len(ok)}"]
    for name in ("ttft", "tpot", "e2e"):
        values = column(ok, name)
        lines.append(
            f"{name:5} mean {mean(values) * 1e3:7.1f} ms  p50 {percentile(values, 50) * 1e3:7.1f}"
            f" ms  p99 {percentile(values, 99) * 1e3:7.1f} ms"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, help="closed loop with this many users")
    parser.add_argument("--rate", type=float, help="open loop at this many requests/s")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=30.0, help="wall-time limit")
    parser.add_argument("--prompt-tokens", type=int, default=16)
    parser.add_argument("--max-tokens", type=int, default=16)
    args = parser.parse_args()
    url = os.environ.get("LLM_SERVER_URL", "http://127.0.0.1:8000")
    jobs = itertools.repeat(Job(list(range(1, args.prompt_tokens + 1)), args.max_tokens))
    bounds = {"requests": args.requests, "seconds": args.seconds}
    if args.rate:
        results = asyncio.run(open_loop(url, jobs, rate=args.rate, **bounds))
    else:
        results = asyncio.run(closed_loop(url, jobs, users=args.users or 1, **bounds))
    print(summary(results))


if __name__ == "__main__":
    main()
