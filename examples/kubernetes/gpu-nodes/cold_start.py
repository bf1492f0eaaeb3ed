"""How long a new GPU replica takes to serve, stage by stage, and what each
fix removes.

    python examples/kubernetes/gpu-nodes/cold_start.py

Every figure below is an input, an assumption to replace with your own
measurements: node start-up from your cloud's launch-to-Ready times, pull
rates from your registry, load rates from your storage. The arithmetic is the
point: which stage dominates, and what removing it buys.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


# --8<-- [start:model]
@dataclass(frozen=True)
class Start:
    name: str
    node_s: float  # launch until the node is Ready (0: a warm node)
    driver_s: float  # driver, toolkit, device plugin: GPUs allocatable
    image_gb: float  # compressed image size to pull (0: cached)
    pull_gbps: float  # pull + unpack rate, GB/s
    weights_gb: float  # model weights to read into GPU memory
    load_gbps: float  # read rate from where the weights live, GB/s


def stages(s: Start) -> dict[str, float]:
    """Seconds per stage; they run one after the other."""
    return {
        "node": s.node_s,
        "driver": s.driver_s,
        "image": s.image_gb / s.pull_gbps if s.image_gb else 0.0,
        "weights": s.weights_gb / s.load_gbps,
    }


# --8<-- [end:model]

# A 70B-parameter model in 16-bit weights (140 GB) behind a 15 GB vLLM image.
# --8<-- [start:scenarios]
COLD = Start(
    "cold: new node, driver at boot, registry pull, object-store weights",
    node_s=120,
    driver_s=240,
    image_gb=15,
    pull_gbps=0.15,
    weights_gb=140,
    load_gbps=0.5,
)
# Each next start removes one more stage's cost.
BAKED = replace(
    COLD,
    name="GPU AMI (driver baked in), image on a snapshot, object-store weights",
    driver_s=30,
    image_gb=0,
)
NVME = replace(
    BAKED,
    name="same, weights from a node-local NVMe cache",
    load_gbps=3.0,
)
WARM = replace(
    NVME,
    name="warm pool: node up, image cached, weights on local NVMe",
    node_s=0,
    driver_s=0,
)
SCENARIOS = [COLD, BAKED, NVME, WARM]
# --8<-- [end:scenarios]


def report(s: Start) -> str:
    parts = stages(s)
    total = sum(parts.values())
    lines = [s.name]
    labels = {
        "node": "node provisioning",
        "driver": "driver + toolkit ready",
        "image": (
            f"image pull {s.image_gb:g} GB @ {s.pull_gbps:g} GB/s"
            if s.image_gb
            else "image (already on the node)"
        ),
        "weights": f"weights {s.weights_gb:g} GB @ {s.load_gbps:g} GB/s",
    }
    for key, seconds in parts.items():
        lines.append(f"  {labels[key]:<36}{seconds:>7.0f} s")
    heavy = (parts["image"] + parts["weights"]) / total
    lines.append(f"  {'total':<36}{total:>7.0f} s  ({total / 60:.1f} min)")
    lines.append(f"  image + weights: {heavy:.0%} of it")
    return "\n".join(lines)


def main() -> None:
    print("Inputs are assumptions, not measurements (see the page).\n")
    baseline = sum(stages(SCENARIOS[0]).values())
    for number, scenario in enumerate(SCENARIOS, 1):
        print(f"{number}. {report(scenario)}")
        total = sum(stages(scenario).values())
        if number > 1:
            print(f"  {baseline / total:.1f}x faster than the cold start")
        print()


if __name__ == "__main__":
    main()
