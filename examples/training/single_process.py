"""One process trains on the whole global batch: DDP's reference.

Run it: python examples/training/single_process.py --steps 20

Same model, same initial weights, same 64 rows per step as ddp_train.py, but
no process group and no all-reduce: one process computes the gradient of the
whole batch. DDP on N ranks must reach the same losses, up to float32 rounding.
"""

from __future__ import annotations

import argparse

import torch
from toy import global_batch, make_model, make_optimizer


def train(steps: int) -> tuple[dict[int, float], torch.nn.Module]:
    model = make_model()
    optimizer = make_optimizer(model)
    losses = {}
    for step in range(steps):
        x, y = global_batch(step)
        loss = torch.nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses[step + 1] = loss.item()
    return losses, model


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    steps = parser.parse_args().steps
    torch.set_num_threads(1)  # as torchrun sets OMP_NUM_THREADS=1 for each rank
    losses, _ = train(steps)
    for step, loss in losses.items():
        if step % 5 == 0 or step == 1:
            print(f"step {step:3d}  loss {loss:.4f}")
