"""The model and the data every training example here uses.

A small MLP (3,201 parameters) learns a smooth function of 16 inputs. The data
is generated, never downloaded: the global batch of step s comes from a random
generator seeded with (seed, s), so any process can rebuild any step's batch.
That is what makes a resumed run repeat the uninterrupted one exactly: after a
restart, step 13 sees the same 64 rows it would have seen without the restart.
"""

from __future__ import annotations

import torch
from torch import nn

FEATURES = 16
GLOBAL_BATCH = 64  # rows per step, over all ranks together
SEED = 2026
Batch = tuple[torch.Tensor, torch.Tensor]  # inputs, targets


def make_model(seed: int = SEED) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(FEATURES, 64),
        nn.Tanh(),
        nn.Linear(64, 32),
        nn.Tanh(),
        nn.Linear(32, 1),
    )


def make_optimizer(model: nn.Module) -> torch.optim.Optimizer:
    return torch.optim.Adam(model.parameters(), lr=2e-2)


# --8<-- [start:batch]
def global_batch(step: int, seed: int = SEED) -> Batch:
    """The 64 rows of step `step`, the same in every process and attempt."""
    gen = torch.Generator().manual_seed(seed * 1_000_003 + step)
    x = torch.randn(GLOBAL_BATCH, FEATURES, generator=gen)
    y = torch.tanh(x[:, :4].sum(dim=1, keepdim=True) / 2) + 0.1 * x[:, 4:5]
    return x, y


def shard(step: int, rank: int, world: int) -> Batch:
    """This rank's contiguous slice of the global batch (what DistributedSampler
    does for a dataset: each rank a part, together the whole batch)."""
    x, y = global_batch(step)
    per_rank = GLOBAL_BATCH // world
    rows = slice(rank * per_rank, (rank + 1) * per_rank)
    return x[rows], y[rows]


# --8<-- [end:batch]


def weights_digest(model: nn.Module) -> str:
    """A short hash of all the weights' bytes: equal hash, equal weights."""
    import hashlib

    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().contiguous().numpy().tobytes())
    return digest.hexdigest()[:12]
