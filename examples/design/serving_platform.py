"""Capacity estimate for an LLM and model serving platform.

Run it: python examples/design/serving_platform.py

Every input below is an ASSUMPTION to say out loud in the interview and to
replace with the interviewer's numbers (and, for throughput, with a load test
at your latency SLO), not a fact about any GPU, model or cloud. The formulas
are the guide's: the KV cache's bytes per token (docs/serving/llm-inference.md),
Little's law (docs/serving/queueing.md), planning 60-70% busy at peak.
Pure arithmetic, standard library only. GB = 10**9 bytes, TB = 10**12.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from estimates import check_inputs, row

GB, TB = 10**9, 10**12
HOURS_PER_MONTH = 730  # 365 x 24 / 12
DAYS_PER_MONTH = HOURS_PER_MONTH / 24


# --8<-- [start:inputs]
@dataclass(frozen=True)
class Gpu:
    """ASSUMPTIONS about the hardware, its price and its measured speed."""

    memory_gb: float = 80
    # the rest: CUDA context, activations
    usable_share: float = 0.90
    # per GPU at the TPOT SLO: load-test
    # it
    output_tokens_s: float = 500
    # plan peak this busy (queueing.md)
    busy_share: float = 0.70
    # node-local cache to GPU, cold start
    weight_read_gb_s: float = 2
    # small slices per GPU for small
    # models
    mig_slices: int = 7
    hour_usd: float = 2.50

    def __post_init__(self) -> None:
        check_inputs(self)


@dataclass(frozen=True)
class Llm:
    """A 70B-class GQA model served in 16-bit, split over `gpus` GPUs."""

    params: float = 70.55e9
    layers: int = 80
    kv_heads: int = 8
    head_dim: int = 128
    # weights and cache, bf16
    bytes_per_value: float = 2
    # tensor parallel: one replica
    gpus: int = 4
    versions_kept: int = 5

    def __post_init__(self) -> None:
        check_inputs(self)


@dataclass(frozen=True)
class Traffic:
    """ASSUMPTIONS about the load: ask for them, then restate them."""

    requests_per_day: float = 10e6
    peak_to_mean: float = 3
    prompt_tokens: int = 1000
    output_tokens: int = 250
    # SLO, p99 time to first token
    ttft_s: float = 0.5
    # SLO, time per output token
    tpot_s: float = 0.04
    # classic models, one MIG slice each
    small_models: int = 40
    # prompt, answer, metadata
    log_kb_per_request: float = 8
    log_days: int = 30

    def __post_init__(self) -> None:
        check_inputs(self)


# --8<-- [end:inputs]


# --8<-- [start:load]
def peak_rps(t: Traffic) -> float:
    return t.requests_per_day / 86400 * t.peak_to_mean


def peak_output_tokens_s(t: Traffic) -> float:
    return peak_rps(t) * t.output_tokens


def replicas(t: Traffic, m: Llm, g: Gpu, rps: float | None = None) -> int:
    """Replicas for a load: output tokens/s over what one replica gives
    at the planned busy share, rounded up to whole replicas."""
    rps = peak_rps(t) if rps is None else rps
    per_replica = g.output_tokens_s * m.gpus * g.busy_share
    return math.ceil(rps * t.output_tokens / per_replica)


# --8<-- [end:load]


# --8<-- [start:memory]
def weights_gb(m: Llm) -> float:
    return m.params * m.bytes_per_value / GB


def kv_bytes_per_token(m: Llm) -> float:
    """2 (a key and a value) x layers x KV heads x head dim x bytes."""
    return 2 * m.layers * m.kv_heads * m.head_dim * m.bytes_per_value


def kv_pool_gb(m: Llm, g: Gpu) -> float:
    """What a replica's GPUs keep for the cache once weights are loaded."""
    pool = m.gpus * g.memory_gb * g.usable_share - weights_gb(m)
    if pool <= 0:
        raise ValueError(f"Llm.gpus: {m.gpus} GPUs cannot hold the weights")
    return pool


def in_flight(t: Traffic) -> float:
    """Little's law: arrival rate x time in the system (at the SLO)."""
    return peak_rps(t) * (t.ttft_s + t.output_tokens * t.tpot_s)


def kv_in_use_gb(t: Traffic, m: Llm, g: Gpu) -> float:
    """Per replica at peak, every sequence at its full length."""
    per_replica = in_flight(t) / replicas(t, m, g)
    tokens = t.prompt_tokens + t.output_tokens
    return per_replica * tokens * kv_bytes_per_token(m) / GB


# --8<-- [end:memory]


def small_model_gpus(t: Traffic, g: Gpu) -> int:
    return math.ceil(t.small_models / g.mig_slices)


def storage_tb(t: Traffic, m: Llm) -> dict[str, float]:
    logs = t.requests_per_day * t.log_days * t.log_kb_per_request * 1e3
    return {"weights": m.versions_kept * weights_gb(m) * GB / TB, "logs": logs / TB}


def monthly_usd(gpus: int, g: Gpu) -> float:
    return gpus * HOURS_PER_MONTH * g.hour_usd


def report(t: Traffic, m: Llm, g: Gpu) -> list[str]:
    peak, n = peak_rps(t), replicas(t, m, g)
    mean_n = replicas(t, m, g, rps=peak / t.peak_to_mean)
    llm_gpus, small = n * m.gpus, small_model_gpus(t, g)
    per_replica = in_flight(t) / n
    pool, used = kv_pool_gb(m, g), kv_in_use_gb(t, m, g)
    store = storage_tb(t, m)
    cost = monthly_usd(llm_gpus + small, g)
    tokens_month = t.requests_per_day * DAYS_PER_MONTH * t.output_tokens
    llm_cost = monthly_usd(llm_gpus, g)
    floor = monthly_usd(mean_n * m.gpus + small, g)
    capacity = g.output_tokens_s * m.gpus * g.busy_share
    lines = [
        "LLM and model serving platform",
        "Assumptions (restate them):",
        f"  {g.memory_gb:.0f} GB GPUs, ${g.hour_usd:.2f} per GPU-hour,",
        f"  {g.output_tokens_s:.0f} output tokens/s per GPU",
        "  at the TPOT SLO (load-test it)",
        "  GB = 10^9 bytes, TB = 10^12",
        "",
        "Traffic",
        row("requests per day", f"{t.requests_per_day:,.0f}"),
        row(f"peak, {t.peak_to_mean:g}x the mean", f"{peak:.1f} req/s"),
        row("output tokens at peak", f"{peak_output_tokens_s(t):,.0f} /s"),
        row("prompt tokens at peak", f"{peak * t.prompt_tokens:,.0f} /s"),
        "",
        f"LLM replicas: {m.gpus} GPUs each",
        row(f"weights, {m.bytes_per_value:g} B/param", f"{weights_gb(m):.1f} GB"),
        row(f"per replica, {g.busy_share:.0%} busy", f"{capacity:,.0f} tok/s"),
        row("replicas at peak", f"{n} = {llm_gpus} GPUs"),
        row("replicas at the mean", f"{mean_n}"),
        "",
        "KV cache per replica",
        row("per token", f"{kv_bytes_per_token(m):,.0f} B"),
        row("pool after weights", f"{pool:.1f} GB"),
        row("in flight, peak", f"{in_flight(t):,.0f} seqs"),
        row("in flight per replica", f"{per_replica:.1f} seqs"),
        row("their KV, full length", f"{used:.1f} GB"),
        row("pool in use", f"{used / pool:.0%}"),
        "",
        "Small models",
        row(f"{t.small_models} on MIG slices", f"{small} GPUs"),
        "",
        "Storage and network",
        row(f"weights, {m.versions_kept} versions", f"{store['weights']:.1f} TB"),
        row(f"logs, {t.log_days} days", f"{store['logs']:.1f} TB"),
        row("load one replica", f"{weights_gb(m) / g.weight_read_gb_s:.0f} s"),
        row("weights read, mean>peak", f"{(n - mean_n) * weights_gb(m) * GB / TB:.1f} TB"),
        "",
        f"Cost per month ({HOURS_PER_MONTH} h)",
        row("sized for peak", f"${cost:,.0f}"),
        row("floor: sized for mean", f"${floor:,.0f}"),
        row("per 1M output tokens", f"${llm_cost / tokens_month * 1e6:.2f}"),
    ]
    return lines


if __name__ == "__main__":
    print("\n".join(report(Traffic(), Llm(), Gpu())))
