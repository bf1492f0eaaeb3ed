"""Spot preemption: rank 1 is SIGKILLed at step 13; torchrun restarts both ranks, which
resume from the step-10 checkpoint (DCP) and end with the uninterrupted run's weights, bit
for bit."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
import torch

from tests.support.examples import import_example
from tests.training.conftest import STEPS, DdpRun, run_ddp

KILL_AT = 13


@pytest.fixture(scope="module")
def preempted(tmp_path_factory: pytest.TempPathFactory) -> DdpRun:
    return run_ddp(
        tmp_path_factory.mktemp("preempted"),
        env={"PREEMPT_AT_STEP": str(KILL_AT), "PREEMPT_RANK": "1"},
        max_restarts=1,
    )


def test_the_killed_rank_died_of_sigkill_and_the_job_restarted(preempted: DdpRun):
    assert f"rank 1: preempted at step {KILL_AT} (SIGKILL)" in preempted.stdout
    # torchrun's agent saw the worker die of signal 9, then started attempt 1.
    assert re.search(r"failed \(exitcode: -9\) local_rank: 1", preempted.stderr)
    for rank in (0, 1):
        record = preempted.record(rank)
        assert (record["attempt"], record["start"]) == (1, 10)  # the last checkpoint
    assert "attempt 1: world size 2 (gloo), 32 rows per rank, starting at step 10" in (
        preempted.stdout
    )


def test_resumed_weights_equal_the_uninterrupted_runs_bit_for_bit(
    preempted: DdpRun, uninterrupted: DdpRun, page_output
):
    """Exact, not approximate: the data of step s depends only on s, the checkpoint holds
    the weights, Adam's moments and its step count, and each rank runs one thread."""
    for rank in (0, 1):
        resumed, straight = preempted.weights(rank), uninterrupted.weights(rank)
        assert resumed.keys() == straight.keys()
        assert all(torch.equal(resumed[k], straight[k]) for k in resumed)
    again = preempted.record(0)["losses"]
    assert sorted(map(int, again)) == list(range(11, STEPS + 1))  # steps 11-20 re-run
    first = uninterrupted.record(0)["losses"]
    assert all(again[k] == first[k] for k in again)  # the same floats, step by step
    digest = re.search(r"sha256 ([0-9a-f]{12})", preempted.stdout)[1]
    assert digest == re.search(r"sha256 ([0-9a-f]{12})", uninterrupted.stdout)[1]
    page_output(
        "examples/training/ddp_train.preempted.out.txt",
        re.sub(r"sha256 [0-9a-f]{12}", "sha256 <digest>", preempted.stdout),
    )


def test_only_the_newest_two_checkpoints_are_kept_each_a_shard_per_rank(preempted: DdpRun):
    """Claim train-dcp-metadata: a DCP save of 2 ranks is one shard file per rank and one
    .metadata file."""
    kept = sorted(p.name for p in preempted.checkpoints.iterdir())
    assert kept == ["step_000015", "step_000020"]
    for name in kept:
        files = sorted(p.name for p in (preempted.checkpoints / name).iterdir())
        assert files == [".metadata", "__0_0.distcp", "__1_0.distcp"], files


def test_a_save_cut_short_is_never_loaded(tmp_path: Path):
    """A preemption during a save leaves a folder without .metadata: resume skips it."""
    checkpoint = import_example("training/checkpoint.py")
    toy = import_example("training/toy.py")
    model = toy.make_model()
    optimizer = toy.make_optimizer(model)
    checkpoint.save(tmp_path, model, optimizer, 5)
    cut = tmp_path / "step_000010"
    cut.mkdir()
    (cut / "__0_0.distcp").write_bytes(b"half a shard")
    fresh = toy.make_model(seed=1)
    assert checkpoint.resume(tmp_path, fresh, toy.make_optimizer(fresh)) == 5
    assert toy.weights_digest(fresh) == toy.weights_digest(model)
    assert checkpoint.resume(tmp_path / "none", fresh, toy.make_optimizer(fresh)) == 0


def test_torchrun_restarts_nothing_and_uses_static_rendezvous_by_default():
    """Claims train-torchrun-max-restarts-default and train-torchrun-static-rendezvous."""
    from torch.distributed.run import get_args_parser

    defaults = get_args_parser().parse_args(["train.py"])
    assert defaults.max_restarts == 0
    assert defaults.rdzv_backend == "static"


def test_standalone_is_a_c10d_store_on_a_free_port():
    """Claim train-torchrun-standalone."""
    from torch.distributed.run import get_args_parser

    (standalone,) = [a for a in get_args_parser()._actions if "--standalone" in a.option_strings]
    assert "C10d TCP store on a free port" in " ".join(standalone.help.split())


def test_dcp_saves_loads_and_saves_asynchronously():
    """Claim train-dcp-api: the functions the chapter uses, with the arguments it passes."""
    import torch.distributed.checkpoint as dcp
    from torch.distributed.checkpoint import state_dict

    assert "checkpoint_id" in inspect.signature(dcp.save).parameters
    assert "checkpoint_id" in inspect.signature(dcp.load).parameters
    assert callable(dcp.async_save)
    assert {"model_state_dict", "optim_state_dict"} <= set(
        inspect.signature(state_dict.set_state_dict).parameters
    )


def test_async_save_is_still_marked_experimental():
    """Claim train-dcp-async-save-experimental: it stages the state in CPU memory and saves
    in another thread, and its docstring warns it is experimental."""
    import torch.distributed.checkpoint as dcp

    doc = " ".join(dcp.async_save.__doc__.split())
    assert "This feature is experimental and subject to change" in doc
    assert "CPU memory" in doc and "separate thread" in doc


def test_c10d_rendezvous_shares_its_store_unless_told_not_to(monkeypatch):
    """Claim train-torchrun-shared-store: the c10d rendezvous hands its own TCP store to the
    workers (use_agent_store) unless TORCH_DISABLE_SHARE_RDZV_TCP_STORE=1."""
    from torch.distributed.elastic.rendezvous.dynamic_rendezvous import (
        DynamicRendezvousHandler,
    )

    shared = DynamicRendezvousHandler.use_agent_store.fget
    monkeypatch.delenv("TORCH_DISABLE_SHARE_RDZV_TCP_STORE", raising=False)
    assert shared(None) is True
    monkeypatch.setenv("TORCH_DISABLE_SHARE_RDZV_TCP_STORE", "1")
    assert shared(None) is False
