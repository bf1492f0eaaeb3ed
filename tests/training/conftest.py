"""Fixtures of the training chapter: one uninterrupted DDP run shared by the tests that
compare against it (a torchrun launch costs seconds of torch imports on 2 cores)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.examples import venv_env
from tests.support.torchrun import run_torchrun

DDP_TRAIN = "examples/training/ddp_train.py"
STEPS, EVERY = 20, 5


@dataclass
class DdpRun:
    stdout: str
    stderr: str
    out: Path  # rank<r>.pt (final weights) and rank<r>.json (start, attempt, losses)
    checkpoints: Path

    def record(self, rank: int) -> dict:
        return json.loads((self.out / f"rank{rank}.json").read_text())

    def weights(self, rank: int) -> dict:
        import torch

        return torch.load(self.out / f"rank{rank}.pt", weights_only=True)


def run_ddp(folder: Path, env: dict[str, str] | None = None, max_restarts: int = 0) -> DdpRun:
    """ddp_train.py on 2 gloo ranks for 20 steps, a checkpoint every 5."""
    done = run_torchrun(
        DDP_TRAIN,
        f"--steps={STEPS}",
        f"--checkpoint-every={EVERY}",
        f"--checkpoint-dir={folder / 'checkpoints'}",
        f"--out={folder / 'out'}",
        nproc=2,
        # A fresh rendezvous store for every restart: with the store shared across rounds (the
        # default), restarted ranks can read the dead round's gloo addresses and fail to connect
        # (pytorch/pytorch#135712; seen here with torch 2.15).
        env={"TORCH_DISABLE_SHARE_RDZV_TCP_STORE": "1", **(env or {})},
        max_restarts=max_restarts,
        timeout=300,
    )
    return DdpRun(done.stdout, done.stderr, folder / "out", folder / "checkpoints")


@pytest.fixture(scope="session")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> DdpRun:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("OMP_NUM_THREADS", raising=False)  # torchrun's own default, as a reader has
        return run_ddp(tmp_path_factory.mktemp("uninterrupted"))


@pytest.fixture(scope="module")
def kernel_path() -> Iterator[None]:
    """A lab's Jupyter kernel is `python` from PATH: this venv's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", venv_env()["PATH"])
        yield
