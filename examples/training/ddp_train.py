"""Data-parallel training (DDP), checkpoints (DCP), resuming after a preemption.

Run it on one machine with two CPU processes (gloo):

    export TORCH_DISABLE_SHARE_RDZV_TCP_STORE=1  # a fresh store per restart
    torchrun --nproc-per-node=2 --rdzv-backend=c10d \\
        --rdzv-endpoint=127.0.0.1:29500 --max-restarts=1 \\
        examples/training/ddp_train.py --steps 20 --checkpoint-every 5

torchrun starts one process per rank and sets RANK, WORLD_SIZE, MASTER_ADDR and
MASTER_PORT for each. Each rank trains on its shard of every global batch; DDP
averages the gradients over all ranks (an all-reduce) before the optimizer step,
so every rank applies the same update. Every --checkpoint-every steps all ranks
save the training state together (checkpoint.py). On start, a rank resumes from
the newest finished checkpoint, so a job that torchrun restarts (--max-restarts)
or that you launch again continues where the last checkpoint left it.

PREEMPT_AT_STEP=13 makes rank PREEMPT_RANK (1) SIGKILL itself at step 13 in the
first attempt: a spot node taken away without a goodbye.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path

import checkpoint
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP
from toy import GLOBAL_BATCH, make_model, make_optimizer, shard, weights_digest


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--checkpoint-every", type=int, default=5)
    parser.add_argument("--checkpoint-dir", type=Path, default=Path("ckpt"))
    parser.add_argument("--out", type=Path, help="write the weights here")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    # --8<-- [start:setup]
    dist.init_process_group("gloo")  # "nccl" on GPUs; reads torchrun's env vars
    rank, world = dist.get_rank(), dist.get_world_size()
    attempt = int(os.environ.get("TORCHELASTIC_RESTART_COUNT", "0"))
    model = DDP(make_model())  # broadcasts rank 0's weights to every rank
    optimizer = make_optimizer(model)
    start = checkpoint.resume(args.checkpoint_dir, model, optimizer)
    # --8<-- [end:setup]
    if rank == 0:
        print(
            f"attempt {attempt}: world size {world} ({dist.get_backend()}), "
            f"{GLOBAL_BATCH // world} rows per rank, starting at step {start}",
            flush=True,  # a pipe buffers: a killed job would lose its log
        )
    preempt_at = int(os.environ.get("PREEMPT_AT_STEP", "-1"))
    preempt_rank = int(os.environ.get("PREEMPT_RANK", "1"))

    losses = {}
    # --8<-- [start:loop]
    for step in range(start, args.steps):
        if step == preempt_at and rank == preempt_rank and attempt == 0:
            print(f"rank {rank}: preempted at step {step} (SIGKILL)")
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        x, y = shard(step, rank, world)
        loss = torch.nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()  # DDP all-reduces the gradients here, bucket by bucket
        optimizer.step()
        # The global batch's loss: the mean over the ranks' equal-sized shards.
        global_loss = loss.detach().clone()
        dist.all_reduce(global_loss, op=dist.ReduceOp.AVG)
        losses[step + 1] = global_loss.item()
        if (step + 1) % args.checkpoint_every == 0:
            checkpoint.save(args.checkpoint_dir, model, optimizer, step + 1)
        # --8<-- [end:loop]
        if rank == 0 and ((step + 1) % 5 == 0 or step == start):
            saved = (step + 1) % args.checkpoint_every == 0
            note = " (checkpoint)" if saved else ""
            loss_now = losses[step + 1]
            print(f"step {step + 1:3d}  loss {loss_now:.4f}{note}", flush=True)

    # --8<-- [start:compare]
    digests = [None] * world
    dist.all_gather_object(digests, weights_digest(model.module))
    if rank == 0:
        same = "identical" if len(set(digests)) == 1 else f"DIFFERENT {digests}"
        print(f"weights after {args.steps} steps on {world} ranks: {same}")
        print(f"(sha256 {digests[0]} on rank 0)")
    # --8<-- [end:compare]
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        torch.save(model.module.state_dict(), args.out / f"rank{rank}.pt")
        record = {"start": start, "attempt": attempt, "losses": losses}
        (args.out / f"rank{rank}.json").write_text(json.dumps(record))
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
