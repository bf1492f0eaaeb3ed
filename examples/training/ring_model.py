"""What the ring all-reduce model says about 8 to 1,024 GPUs.

Run it: python examples/training/ring_model.py

The job: 1 billion parameters, bf16 gradients (2 GB per step), all-reduced in
25 MiB buckets (DDP's default bucket size) over links of 50 GB/s per GPU
(400 Gb/s InfiniBand) with 10 us per message. The ring's bandwidth term
hardly grows with N; its latency term grows linearly, once per bucket. A tree
(or NCCL's double binary tree) pays latency 2 log2(N) times instead of 2(N-1).
"""

from __future__ import annotations

import math

GRADIENT_BYTES = 2e9  # 1e9 parameters x 2 bytes (bf16)
BUCKET_BYTES = 25 * 2**20  # DDP's default bucket_cap_mb
BANDWIDTH = 50e9  # bytes/s per GPU
ALPHA = 10e-6  # seconds per message


# --8<-- [start:terms]
def ring_terms(n: int) -> tuple[float, float]:
    """(bandwidth term, latency term) of one step's all-reduce, in seconds."""
    buckets = math.ceil(GRADIENT_BYTES / BUCKET_BYTES)
    bandwidth = 2 * (n - 1) / n * GRADIENT_BYTES / BANDWIDTH
    latency = buckets * 2 * (n - 1) * ALPHA
    return bandwidth, latency


def tree_latency(n: int) -> float:
    buckets = math.ceil(GRADIENT_BYTES / BUCKET_BYTES)
    return buckets * 2 * math.ceil(math.log2(n)) * ALPHA


# --8<-- [end:terms]

if __name__ == "__main__":
    buckets = math.ceil(GRADIENT_BYTES / BUCKET_BYTES)
    gigabytes = GRADIENT_BYTES / 1e9
    print(f"{gigabytes:.0f} GB of gradients in {buckets} buckets of 25 MiB")
    print("GPUs  bytes term  ring latency  tree latency")
    for n in (8, 64, 256, 1024):
        bandwidth, latency = ring_terms(n)
        print(
            f"{n:4d}  {bandwidth * 1e3:7.0f} ms  {latency * 1e3:9.0f} ms"
            f"  {tree_latency(n) * 1e3:9.0f} ms"
        )
    limit = 2 * GRADIENT_BYTES / BANDWIDTH
    print(f"the bytes term never exceeds 2 S / B = {limit * 1e3:.0f} ms")
