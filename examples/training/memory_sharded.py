"""memory.py's sharded figures against what each rank really holds.

Two processes (gloo, CPU) train the tiny GPT of memory_check.py for one step
under DDP, ZeRO-1 (torch's ZeroRedundancyOptimizer) and FSDP2 (fully_shard,
in fp32 and with bf16 compute); each rank counts the bytes of its weights,
gradients and Adam state, and rank 0 prints them next to the calculator.

Run it: torchrun --nproc-per-node=2 examples/training/memory_sharded.py
"""

from __future__ import annotations

import gc

import torch
import torch.distributed as dist
from memory import FP32, model_states
from memory_check import BATCH, HIDDEN, SEQ, state_bytes, tiny_gpt
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard
from torch.distributed.optim import ZeroRedundancyOptimizer
from torch.nn.parallel import DistributedDataParallel as DDP


# --8<-- [start:wrap]
def wrapped(strategy: str) -> tuple[torch.nn.Module, torch.optim.Optimizer]:
    model = tiny_gpt()  # the same seed, so the same weights, on every rank
    adamw = torch.optim.AdamW
    if strategy == "DDP":
        model = DDP(model)
        return model, adamw(model.parameters(), lr=1e-3)
    if strategy == "ZeRO-1":  # DDP for gradients, Adam's state split by rank
        model = DDP(model)
        opt = ZeroRedundancyOptimizer(model.parameters(), adamw, lr=1e-3)
        return model, opt
    mesh = init_device_mesh("cpu", (dist.get_world_size(),))
    bf16, fp32 = torch.bfloat16, torch.float32
    mp = MixedPrecisionPolicy(param_dtype=bf16, reduce_dtype=fp32)
    policy = mp if strategy == "FSDP2 bf16" else MixedPrecisionPolicy()
    for block in model:  # one shard group per layer, then the root
        fully_shard(block, mesh=mesh, mp_policy=policy)
    fully_shard(model, mesh=mesh, mp_policy=policy)
    return model, adamw(model.parameters(), lr=1e-3)


# --8<-- [end:wrap]


def describe(w: torch.Tensor) -> str:
    local = w.to_local() if hasattr(w, "to_local") else w
    return f"{type(w).__name__} {str(local.dtype)[6:]} x {local.numel():,}"


def measure(strategy: str) -> dict[str, int | str]:
    model, opt = wrapped(strategy)
    fc1 = model.module[0].fc1 if isinstance(model, DDP) else model[0].fc1
    seen = {"rest": describe(fc1.weight)}  # between steps

    def in_forward(layer: torch.nn.Module, args: object) -> None:
        seen["compute"] = describe(layer.weight)

    fc1.register_forward_pre_hook(in_forward)
    data = torch.Generator().manual_seed(dist.get_rank())
    x = torch.randn(BATCH, SEQ, HIDDEN, generator=data)
    model(x).float().pow(2).mean().backward()
    opt.step()
    local = opt.optim if isinstance(opt, ZeroRedundancyOptimizer) else opt
    return {**state_bytes(model, local), **seen}


# What each run is, in the calculator's terms.
CALCULATOR = {
    "DDP": "DDP",
    "ZeRO-1": "ZeRO-1",
    "FSDP2": "ZeRO-3",
    "FSDP2 bf16": "ZeRO-3",
}
STATES = ("weights", "grads", "optimizer")


def main() -> None:
    dist.init_process_group("gloo")
    rank, ranks = dist.get_rank(), dist.get_world_size()
    params = sum(p.numel() for p in tiny_gpt().parameters())
    results = {}
    for strategy in CALCULATOR:
        mine = measure(strategy)
        everyone: list[dict[str, int | str] | None] = [None] * ranks
        dist.all_gather_object(everyone, mine)
        results[strategy] = everyone
    if rank == 0:  # printed for a phone: no line over 40 columns
        print(f"{ranks} ranks, gloo on CPU, AdamW,")
        print(f"{params:,} parameters; bytes per rank")
        head = "".join(f"{h:>10}" for h in ("weights", "grads", "Adam m+v"))
        print(f"{'':10}{head}")
        for strategy, per_rank in results.items():
            calc = model_states(params, ranks, CALCULATOR[strategy], FP32)
            rows = [("formula", calc)]
            rows += [(f"rank {r}", got) for r, got in enumerate(per_rank)]
            print(f"{strategy} (formula: {CALCULATOR[strategy]})")
            for label, got in rows:
                cells = "".join(f"{got[k]:>10,.0f}" for k in STATES)
                print(f"  {label:8}{cells}")
            rest, compute = per_rank[0]["rest"], per_rank[0]["compute"]
            if rest != compute:  # FSDP gathers it for compute
                print(f"  fc1.weight between steps:\n    {rest}")
                print(f"  fc1.weight in forward:\n    {compute}")
    # FSDP's modules sit in reference cycles: free them while the process group is up,
    # or their teardown at interpreter exit can abort the process.
    gc.collect()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
