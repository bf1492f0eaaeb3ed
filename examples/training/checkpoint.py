"""Save and resume training state with torch.distributed.checkpoint (DCP).

Each checkpoint is a folder `step_000010/` written by every rank together: each
rank writes its own shard files, then one rank writes `.metadata`. A folder
without `.metadata` is a save that a preemption cut short, and is never loaded.
The same two functions work in one process (the lab) and under torchrun.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import torch.distributed as dist
import torch.distributed.checkpoint as dcp
from torch import nn
from torch.distributed.checkpoint.state_dict import (
    get_state_dict,
    set_state_dict,
)
from torch.optim import Optimizer

KEEP = 2  # the newest checkpoints kept; older ones are deleted
# DCP warns when it runs without a process group; in one process, that is fine.
ONE_PROCESS = "torch.distributed is disabled"


# --8<-- [start:save]
def save(folder: Path, model: nn.Module, optimizer: Optimizer, step: int):
    """Write the state after `step` steps; every rank calls this together."""
    model_state, optim_state = get_state_dict(model, optimizer)
    target = Path(folder) / f"step_{step:06d}"
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=ONE_PROCESS)
        dcp.save(
            {"model": model_state, "optim": optim_state, "step": step},
            checkpoint_id=target,
        )
    if not dist.is_initialized() or dist.get_rank() == 0:
        for old in complete(folder)[:-KEEP]:
            shutil.rmtree(old)
    return target


def complete(folder: Path) -> list[Path]:
    """Finished checkpoints, oldest first: only those whose .metadata exists."""
    found = Path(folder).glob("step_*/.metadata")
    return sorted(meta.parent for meta in found)


def resume(folder: Path, model: nn.Module, optimizer: Optimizer) -> int:
    """Load the newest finished checkpoint into model and optimizer; return the
    number of steps it holds (0 when there is none: start from scratch)."""
    finished = complete(folder)
    if not finished:
        return 0
    model_state, optim_state = get_state_dict(model, optimizer)
    state = {"model": model_state, "optim": optim_state, "step": 0}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=ONE_PROCESS)
        dcp.load(state, checkpoint_id=finished[-1])
    set_state_dict(
        model,
        optimizer,
        model_state_dict=state["model"],
        optim_state_dict=state["optim"],
    )
    return int(state["step"])


# --8<-- [end:save]
