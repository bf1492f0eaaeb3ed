"""Measure gloo all-reduce for 2, 3 and 4 processes against the ring model.

Run it with four processes (groups of 2 and 3 are cut out of the four):

    torchrun --nproc-per-node=4 --rdzv-backend=c10d \\
        --rdzv-endpoint=127.0.0.1:29500 examples/training/allreduce_bench.py

The ring model: N ranks all-reduce S bytes in 2(N-1) steps, each moving S/N
bytes, so  t = 2(N-1) * alpha + 2(N-1)/N * S / B. This script fits B (the
bandwidth) and alpha (the latency of one step) to the 2-rank rows, and
predicts the 3- and 4-rank rows from them.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

import torch
import torch.distributed as dist

SIZES = [4 * 1024, 64 * 1024, 1024 * 1024, 8 * 1024 * 1024]  # bytes (float32)
REPEATS = 11


def timed_all_reduce(tensor: torch.Tensor, group) -> float:
    dist.barrier(group=group)  # start together: time the collective only
    start = time.perf_counter()
    dist.all_reduce(tensor, group=group)  # gloo: returns when this rank is done
    return time.perf_counter() - start


def measure(world: int, rank: int) -> dict[tuple[int, int], float]:
    """Median seconds per all-reduce, as rank 0 saw it, for each (N, bytes)."""
    results = {}
    for n in range(2, world + 1):
        group = dist.new_group(ranks=list(range(n)))  # every rank calls this
        if rank < n:
            for size in SIZES:
                tensor = torch.ones(size // 4)
                for _ in range(2):  # warm up: connections, buffers
                    timed_all_reduce(tensor, group)
                runs = [timed_all_reduce(tensor, group) for _ in range(REPEATS)]
                results[n, size] = statistics.median(runs)
        dist.barrier()
    return results


# --8<-- [start:model]
def ring_seconds(n: int, size: int, alpha: float, bandwidth: float) -> float:
    """The ring all-reduce model: 2(N-1) latencies, 2(N-1)/N of the bytes."""
    return 2 * (n - 1) * alpha + 2 * (n - 1) / n * size / bandwidth


def fit(measured: dict[tuple[int, int], float]) -> tuple[float, float]:
    """alpha and B from the 2-rank rows: the least-squares line
    t = 2 alpha + S / B (for N = 2 the ring moves 2(N-1)/N = 1 x the bytes)."""
    sizes = SIZES
    times = [measured[2, s] for s in sizes]
    mean_s, mean_t = sum(sizes) / len(sizes), sum(times) / len(times)
    pairs = zip(sizes, times, strict=True)
    slope = sum((s - mean_s) * (t - mean_t) for s, t in pairs)
    slope /= sum((s - mean_s) ** 2 for s in sizes)
    alpha = (mean_t - slope * mean_s) / 2
    return alpha, 1 / slope


# --8<-- [end:model]


def label(size: int) -> str:
    return f"{size // 1024} KiB" if size < 1024 * 1024 else f"{size >> 20} MiB"


def table(measured: dict, alpha: float, bandwidth: float) -> list[str]:
    lines = [
        f"fitted: B = {bandwidth / 1e9:.2f} GB/s, alpha = {alpha * 1e6:.0f} us",
        "ranks      size  measured     model",
    ]
    for (n, size), seconds in sorted(measured.items()):
        model = ring_seconds(n, size, alpha, bandwidth)
        row = f"{n:5d}  {label(size):>8}  "
        row += f"{seconds * 1e3:6.2f} ms  {model * 1e3:6.2f} ms"
        lines.append(row)
    version = torch.__version__.split("+")[0]
    setup = f"torch {version}, gloo, {os.cpu_count()} CPUs"
    lines.append(f"{setup}, median of {REPEATS}")
    return lines


if __name__ == "__main__":
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    measured = measure(world, rank)
    if rank == 0:
        alpha, bandwidth = fit(measured)
        print("\n".join(table(measured, alpha, bandwidth)))
        if len(sys.argv) > 1:  # a JSON copy for the test
            rows = [[n, s, t] for (n, s), t in sorted(measured.items())]
            record = {"alpha": alpha, "bandwidth": bandwidth, "rows": rows}
            with open(sys.argv[1], "w") as handle:
                json.dump(record, handle)
    dist.destroy_process_group()
