"""Capacity estimate for a multi-tenant GPU training platform (~20 teams).

Run it: python examples/design/training_platform.py

Every input below is an ASSUMPTION to say out loud in the interview and to
replace with the interviewer's numbers, not a fact about any GPU or cloud.
The formulas are the guide's: 16 bytes per parameter of model states with
Adam in mixed precision and the activations of full checkpointing
(docs/training/memory.md), ZeRO-3's three passes of ring traffic
(docs/training/distributed-training.md), Young's checkpoint interval.
Pure arithmetic, standard library only. GB = 10**9 bytes, TB = 10**12.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from estimates import check_inputs, row

GB, TB = 10**9, 10**12
HOURS_PER_WEEK = 168
HOURS_PER_MONTH = 730  # 365 x 24 / 12


# --8<-- [start:inputs]
@dataclass(frozen=True)
class Gpu:
    """ASSUMPTIONS about the hardware and its price: restate them."""

    memory_gb: float = 80
    # the rest: buffers, gathered layers,
    # CUDA
    usable_share: float = 0.85
    # dense bf16, from the data sheet you
    # assume
    peak_tflops: float = 989
    # model FLOPs utilisation a good job
    # reaches
    mfu_share: float = 0.40
    per_node: int = 8
    # network per GPU between nodes, GB/s
    link_gb_s: float = 50
    # per GPU-hour, reserved or committed
    # price
    hour_usd: float = 2.50

    def __post_init__(self) -> None:
        check_inputs(self)


@dataclass(frozen=True)
class Demand:
    """ASSUMPTIONS about the teams: ask for them, then restate them."""

    teams: int = 20
    # ~12 GPUs busy, on average
    gpu_hours_per_team_week: float = 2000
    # plan the fleet this busy: queues,
    # gaps
    busy_share: float = 0.75
    dataset_tb_per_team: float = 50
    checkpoint_tb_per_team: float = 20
    storage_tb_month_usd: float = 20

    def __post_init__(self) -> None:
        check_inputs(self)


@dataclass(frozen=True)
class LargestJob:
    """The biggest run the platform must hold: a 70B-class model."""

    params: float = 70e9
    layers: int = 80
    hidden: int = 8192
    seq: int = 4096
    micro_batch: int = 2
    # tokens the run trains on
    tokens: float = 20e9
    # C: one save, written in this time
    checkpoint_minutes: float = 2
    # faults + quota reclaims: M
    interruptions_per_day: float = 2

    def __post_init__(self) -> None:
        check_inputs(self)


# --8<-- [end:inputs]


# --8<-- [start:fleet]
def busy_gpus(d: Demand) -> float:
    """GPUs busy on average: the teams' GPU-hours spread over a week."""
    return d.teams * d.gpu_hours_per_team_week / HOURS_PER_WEEK


def sized_gpus(d: Demand) -> int:
    """Busy GPUs / the busy share we plan for, rounded up."""
    return math.ceil(busy_gpus(d) / d.busy_share)


def fleet_gpus(d: Demand, g: Gpu) -> int:
    """GPUs to buy: whole nodes."""
    return math.ceil(sized_gpus(d) / g.per_node) * g.per_node


def guaranteed_per_team(d: Demand, g: Gpu) -> int:
    """Each team's nominal quota; idle quota is lent to the others."""
    return fleet_gpus(d, g) // d.teams


# --8<-- [end:fleet]


# --8<-- [start:job]
def model_states_gb(j: LargestJob) -> float:
    """Adam, bf16 weights and grads, fp32 master and moments: 16 B/param."""
    return 16 * j.params / GB


def activations_gb(j: LargestJob) -> float:
    """Per GPU, full checkpointing, fused attention (memory.md):
    each layer's input kept, one layer's full set while it recomputes."""
    sbh = j.seq * j.micro_batch * j.hidden
    return ((j.layers - 1) * 2 * sbh + 34 * sbh) / GB


def job_gpus(j: LargestJob, g: Gpu) -> int:
    """ZeRO-3 shards the states over N GPUs; activations do not shrink.
    The smallest N whose share fits, up to whole nodes."""
    free = g.memory_gb * g.usable_share - activations_gb(j)
    if free <= 0:
        raise ValueError("LargestJob.micro_batch: activations fill the GPU")
    gpus = math.ceil(model_states_gb(j) / free)
    return math.ceil(gpus / g.per_node) * g.per_node


def compute_s(j: LargestJob, g: Gpu) -> float:
    """One micro-batch on one GPU: 6 FLOPs per parameter per token."""
    flops = 6 * j.params * j.seq * j.micro_batch
    return flops / (g.peak_tflops * 1e12 * g.mfu_share)


def zero3_traffic_s(j: LargestJob, g: Gpu) -> float:
    """Gather weights (forward, backward), reduce-scatter grads: three
    ring passes of the bf16 weights, (N-1)/N of them sent per GPU."""
    n = job_gpus(j, g)
    return 3 * (n - 1) / n * 2 * j.params / (g.link_gb_s * GB)


def job_days(j: LargestJob, g: Gpu) -> float:
    seconds = 6 * j.params * j.tokens / (g.peak_tflops * 1e12 * g.mfu_share)
    return seconds / job_gpus(j, g) / 86400


# --8<-- [end:job]


# --8<-- [start:checkpoint]
def checkpoint_gb(j: LargestJob) -> float:
    """bf16 weights + fp32 master, m and v: 14 B/param (no gradients)."""
    return 14 * j.params / GB


def young_interval_min(j: LargestJob) -> float:
    """sqrt(2 C M): C one save, M the mean time between interruptions."""
    mtbf_min = 24 * 60 / j.interruptions_per_day
    return math.sqrt(2 * j.checkpoint_minutes * mtbf_min)


def checkpoint_overhead(j: LargestJob) -> float:
    """Time lost to saves and rework at Young's interval: ~ sqrt(2C/M)."""
    mtbf_min = 24 * 60 / j.interruptions_per_day
    return math.sqrt(2 * j.checkpoint_minutes / mtbf_min)


def write_gb_s(j: LargestJob) -> float:
    """Bandwidth to storage for one save to take C."""
    return checkpoint_gb(j) / (j.checkpoint_minutes * 60)


# --8<-- [end:checkpoint]


def storage_tb(d: Demand) -> float:
    return d.teams * (d.dataset_tb_per_team + d.checkpoint_tb_per_team)


def monthly_usd(d: Demand, g: Gpu) -> dict[str, float]:
    gpus = fleet_gpus(d, g) * HOURS_PER_MONTH * g.hour_usd
    storage = storage_tb(d) * d.storage_tb_month_usd
    return {"GPUs": gpus, "storage": storage, "total": gpus + storage}


def report(d: Demand, g: Gpu, j: LargestJob) -> list[str]:
    fleet, quota = fleet_gpus(d, g), guaranteed_per_team(d, g)
    n = job_gpus(j, g)
    compute, traffic = compute_s(j, g), zero3_traffic_s(j, g)
    lines = [
        f"Training platform, {d.teams} teams",
        "Assumptions (restate them):",
        f"  {g.memory_gb:.0f} GB GPUs, {g.per_node} a node,",
        f"  ${g.hour_usd:.2f} per GPU-hour",
        "  GB = 10^9 bytes, TB = 10^12",
        "",
        "Fleet",
        row("demand, GPU-h/team/wk", f"{d.gpu_hours_per_team_week:,.0f}"),
        row("busy on average", f"{busy_gpus(d):.1f} GPUs"),
        row(f"at {d.busy_share:.0%} busy", f"{sized_gpus(d)} GPUs"),
        row("whole nodes", f"{fleet // g.per_node} x {g.per_node} = {fleet} GPUs"),
        row("guaranteed per team", f"{quota} GPUs"),
        "",
        f"Largest job: {j.params / 1e9:.0f}B params, ZeRO-3",
        row("model states, 16 B/p", f"{model_states_gb(j):,.0f} GB"),
        row(f"activations, mb {j.micro_batch}", f"{activations_gb(j):.1f} GB/GPU"),
        row("usable per GPU", f"{g.memory_gb * g.usable_share:.1f} GB"),
        row("GPUs, whole nodes", f"{n} GPUs"),
        row("over one team's quota", f"{max(0, n - quota)} GPUs"),
        row("compute/micro-batch", f"{compute:.1f} s"),
        row("ZeRO-3 traffic", f"{traffic:.1f} s"),
        row("traffic hidden", "yes" if traffic <= compute else "no"),
        row(f"{j.tokens / 1e9:.0f}B tokens take", f"{job_days(j, g):.1f} days"),
        "",
        "Checkpoints of the largest job",
        row("size, 14 B/param", f"{checkpoint_gb(j):,.0f} GB"),
        row(f"written in {j.checkpoint_minutes:g} min", f"{write_gb_s(j):.1f} GB/s"),
        row("interruptions per day", f"{j.interruptions_per_day:g}"),
        row("save every (Young)", f"{young_interval_min(j):.0f} min"),
        row("time lost, about", f"{checkpoint_overhead(j):.0%}"),
        "",
        "Storage and network",
        row("datasets+checkpoints", f"{storage_tb(d):,.0f} TB"),
        row("per GPU, between nodes", f"{g.link_gb_s:.0f} GB/s"),
        "",
        f"Cost per month ({HOURS_PER_MONTH} h)",
    ]
    cost = monthly_usd(d, g)
    lines += [row(name, f"${usd:,.0f}") for name, usd in cost.items()]
    lines.append(row("per team", f"${cost['total'] / d.teams:,.0f}"))
    return lines


if __name__ == "__main__":
    print("\n".join(report(Demand(), Gpu(), LargestJob())))
