"""The plumbing of the lab "The assistant that feels slow" (docs/labs/slow-assistant.ipynb).

The lab runs the chapter's real server (server.py) as a separate process on 127.0.0.1 and
replays traffic at it with loadgen.py. This file keeps what would clutter the notebook:
starting and stopping the servers, the traffic mix, and reading the "dashboard" from the
server's Prometheus metrics the way Prometheus would (the difference of two scrapes).
"""

from __future__ import annotations

import atexit
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from loadgen import Job, Result, client, column, mean, mix, open_loop, percentile, scrape, send
from matplotlib.patches import Patch

HERE = Path(__file__).resolve().parent


class LocalServer:
    """examples/serving/server.py on 127.0.0.1 and a free port, stopped by `stop()` or, if a
    cell failed before that, when the Python process that started it exits."""

    def __init__(self, policy: str, max_batch: int = 8):
        self.policy = policy
        with socket.socket() as sock:  # a port nothing listens on now
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self._log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed by stop)
            prefix=f"assistant-{policy}-", suffix=".log", delete=False
        )
        args = [sys.executable, str(HERE / "server.py"), "--host", "127.0.0.1"]
        args += ["--port", str(port), "--policy", policy, "--max-batch", str(max_batch)]
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
        self.process = subprocess.Popen(
            args, env=env, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        atexit.register(self.stop)

    def wait_ready(self, timeout: float = 180.0) -> LocalServer:
        """Wait until /healthz answers (the server opens its port once the model is warm)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"server.py exited with {self.process.returncode}:\n{self.log()}"
                )
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"server.py not ready after {timeout:.0f} s:\n{self.log()}")

    def log(self) -> str:
        return Path(self._log.name).read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self._log.closed:
            self._log.close()
            Path(self._log.name).unlink(missing_ok=True)
        atexit.unregister(self.stop)


# --8<-- [start:traffic]
# Two kinds of requests share the assistant. Prompts are token ids (no tokenizer).
CHAT = Job(prompt=list(range(1, 25)), max_tokens=16, label="chat")  # a quick answer
LONG = Job(prompt=list(range(100, 132)), max_tokens=384, label="long")  # "write a report"


def traffic(seed: int = 0):
    """One request in eight is a long one; which ones is fixed by `seed`."""
    return mix([(7, CHAT), (1, LONG)], seed=seed)
    # --8<-- [end:traffic]


async def replay(url: str, *, rate: float, requests: int, seed: int = 0) -> list[Result]:
    """`requests` Poisson arrivals at `rate` per second (the same ones for the same seed),
    each request streamed and timed; every request must end within a minute."""
    return await open_loop(
        url, traffic(seed), rate=rate, requests=requests, seconds=60.0, seed=seed
    )


async def alone(url: str, job: Job = CHAT, times: int = 5) -> list[Result]:
    """`job` sent `times` times, one after the other, to an idle server: the floor."""
    results = []
    async with client(url) as c:
        for _ in range(times):
            results.append(result := Result(job.label, 0.0))
            await send(c, job, result)
    return results


def answer(url: str, job: Job) -> list[int]:
    """The tokens of one request, not streamed."""
    body = {"prompt": job.prompt, "max_tokens": job.max_tokens, "stream": False}
    response = httpx.post(f"{url}/generate", json=body, timeout=60)
    response.raise_for_status()
    return response.json()["tokens"]


# --8<-- [start:dashboard]
def dashboard(before: dict[str, float], after: dict[str, float], seconds: float) -> dict:
    """What a dashboard shows for the window between two scrapes of /metrics: Prometheus'
    rate(x_sum) / rate(x_count) for a mean, histogram_quantile() for a percentile."""

    def delta(name: str) -> float:
        return after.get(name, 0.0) - before.get(name, 0.0)

    def mean_of(histogram: str) -> float:
        count = delta(f"{histogram}_count")
        return delta(f"{histogram}_sum") / count if count else math.nan

    return {
        "requests_per_s": delta('llm_requests_total{status="200"}') / seconds,
        "tokens_per_s": delta("llm_generated_tokens_total") / seconds,
        "tpot_mean_s": mean_of("llm_time_per_output_token_seconds"),
        "ttft_mean_s": mean_of("llm_time_to_first_token_seconds"),
        "ttft_p99_s": histogram_quantile(0.99, before, after, "llm_time_to_first_token_seconds"),
    }
    # --8<-- [end:dashboard]


def histogram_quantile(q: float, before: dict, after: dict, histogram: str) -> float:
    """Prometheus' histogram_quantile over the window: find the bucket the q-th observation
    falls in, then interpolate linearly inside it."""
    prefix = f'{histogram}_bucket{{le="'
    bounds = sorted(
        (float(name[len(prefix) : -2]), after[name] - before.get(name, 0.0))
        for name in after
        if name.startswith(prefix)
    )
    total = bounds[-1][1]  # the +Inf bucket counts every observation
    if not total:
        return math.nan  # nothing observed in the window
    rank, lower, below = q * total, 0.0, 0.0
    for upper, count in bounds:
        if count >= rank:
            if math.isinf(upper):
                return lower  # beyond the last finite bucket: its bound, as Prometheus does
            return lower + (upper - lower) * (rank - below) / max(count - below, 1e-9)
        lower, below = upper, count
    return math.nan


def answered(results: list[Result]) -> dict[str, dict]:
    """Per request class: requests sent, answered with 200, and the token counts they got."""
    counts = {}
    for label in sorted({r.label for r in results}):
        rows = [r for r in results if r.label == label]
        counts[label] = {
            "requests": len(rows),
            "status_200": sum(r.status == 200 for r in rows),
            "tokens": sorted({r.tokens for r in rows}),
        }
    return counts


def by_class(results: list[Result]) -> dict[str, dict[str, float]]:
    """Per request class: count, TTFT p50/p90/p99, TPOT mean (ms)."""
    table = {}
    for label in sorted({r.label for r in results}):
        rows = [r for r in results if r.label == label]
        ttft, tpot = column(rows, "ttft"), column(rows, "tpot")
        table[label] = {
            "requests": len(rows),
            "ttft_p50_ms": round(percentile(ttft, 50) * 1e3, 1),
            "ttft_p90_ms": round(percentile(ttft, 90) * 1e3, 1),
            "ttft_p99_ms": round(percentile(ttft, 99) * 1e3, 1),
            "tpot_mean_ms": round(mean(tpot) * 1e3, 2),
        }
    return table


def compact_json(value, width: int = 76) -> str:
    """JSON indented by one space a level, like json.dumps(indent=1), except that an object
    or a list that fits on the rest of its line stays on one line (short, for a phone)."""

    def dump(item, indent: int, column: int) -> str:
        flat = json.dumps(item)
        if not isinstance(item, dict | list) or column + len(flat) <= width:
            return flat
        pad = " " * (indent + 1)
        if isinstance(item, dict):
            heads = [f"{pad}{json.dumps(key)}: " for key in item]
            rows = [
                h + dump(v, indent + 1, len(h)) for h, v in zip(heads, item.values(), strict=True)
            ]
        else:
            rows = [pad + dump(v, indent + 1, len(pad)) for v in item]
        ends = "{}" if isinstance(item, dict) else "[]"
        return ends[0] + "\n" + ",\n".join(rows) + "\n" + " " * indent + ends[1]

    return dump(value, 0, 0)


# ---- the lab's figures -------------------------------------------------------------------
COLOURS = {"chat": "tab:blue", "long": "tab:orange"}


def plot_timeline(ax, results: list[Result], title: str) -> None:
    """One row per request, in the order sent: waiting (grey), then streaming."""
    for row, r in enumerate(sorted(results, key=lambda r: r.sent)):
        first, last = r.sent + r.ttft, r.sent + r.e2e
        ax.plot([r.sent, first], [row, row], color="0.6", lw=2.5)
        ax.plot([first, last], [row, row], color=COLOURS[r.label], lw=2.5)
    ax.plot([], [], color="0.6", lw=2.5, label="waiting")
    for label, colour in COLOURS.items():
        ax.plot([], [], color=colour, lw=2.5, label=f"{label}: streaming")
    ax.set(xlabel="seconds into the load test", ylabel="request (in order sent)")
    ax.set_title(title, fontsize=11)
    ax.legend(loc="upper left", fontsize=10)


def plot_against_slo(ax, bars: dict[str, tuple[float, float]], title: str) -> None:
    """Pairs of bars (static, continuous), each a measurement over its SLO, on a log
    scale with the SLO at 1."""
    colours = ("tab:red", "tab:green")
    for i, values in enumerate(bars.values()):
        for dx, value, colour in zip((-0.2, 0.2), values, colours, strict=True):
            ax.bar(i + dx, value, 0.4, color=colour)
            ax.annotate(f"{value:.2g}", (i + dx, value), ha="center", va="bottom")
    line = ax.axhline(1, color="black", ls="--", lw=1)
    handles = [Patch(color=colours[0]), Patch(color=colours[1]), line]
    ax.legend(handles, ["static", "continuous", "SLO"], loc="upper left", fontsize=10)
    ax.set_xticks(range(len(bars)), list(bars))
    ax.set_yscale("log")
    every = [v for values in bars.values() for v in values]
    ax.set_ylim(min(0.1, min(every)) / 2, max(1, max(every)) * 3)
    ax.set_yticks([0.1, 0.3, 1, 3, 10], ["0.1", "0.3", "1", "3", "10"])
    ax.set_ylabel("measured / SLO (log scale)")
    ax.set_title(title, fontsize=11)


__all__ = [
    "CHAT",
    "LONG",
    "LocalServer",
    "alone",
    "answer",
    "answered",
    "by_class",
    "compact_json",
    "dashboard",
    "histogram_quantile",
    "plot_against_slo",
    "plot_timeline",
    "replay",
    "scrape",
    "traffic",
]
