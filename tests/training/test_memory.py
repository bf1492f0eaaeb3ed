"""examples/training/memory*.py: the training-memory calculator, its worked case (the output
memory.md shows), and its figures against the bytes torch really allocates: one process for
DDP's share and the activations, two ranks under torchrun for ZeRO-1 and FSDP2. Also the
version-sensitive facts memory.md states about torch's APIs."""

from __future__ import annotations

import inspect
import re
import warnings

import pytest

from tests.support.examples import import_example, run_example, run_in_process
from tests.support.outputs import PageOutput
from tests.support.torchrun import run_torchrun

memory = import_example("training/memory.py")
GB = 10**9


def numbers(line: str) -> list[float]:
    """The numbers of one printed line, thousands separators dropped."""
    return [float(n.replace(",", "")) for n in re.findall(r"-?\d[\d,]*(?:\.\d+)?", line)]


def line_after(text: str, label: str, start: str = "") -> str:
    """The first line starting with `label` (after the line starting with `start`)."""
    lines = text.splitlines()
    begin = next(i for i, line in enumerate(lines) if line.startswith(start)) if start else 0
    return next(line for line in lines[begin:] if line.strip().startswith(label))


# The calculator ------------------------------------------------------------------------------


def test_adam_costs_16_bytes_per_parameter_in_fp32_and_in_mixed_precision():
    assert memory.FP32.total == memory.MIXED.total == 16
    assert (memory.MIXED.weights, memory.MIXED.grads, memory.MIXED.optimizer) == (2, 2, 12)
    assert memory.MIXED_8BIT_ADAM.total == 10


@pytest.mark.parametrize(
    ("strategy", "gpus", "weights", "grads", "optimizer"),
    [
        ("DDP", 8, 60, 60, 360),
        ("ZeRO-1", 8, 60, 60, 45),
        ("ZeRO-2", 8, 60, 7.5, 45),
        ("ZeRO-3", 8, 7.5, 7.5, 45),
        ("ZeRO-3", 64, 0.9375, 0.9375, 5.625),
    ],
)
def test_each_zero_stage_shards_one_more_state(strategy, gpus, weights, grads, optimizer):
    got = memory.model_states(30e9, gpus, strategy)
    assert {k: v / GB for k, v in got.items()} == pytest.approx(
        {"weights": weights, "grads": grads, "optimizer": optimizer}
    )


def test_zero2_never_drops_below_the_replicated_bf16_weights():
    for gpus in (8, 64, 1024, 10**6):
        assert sum(memory.model_states(30e9, gpus, "ZeRO-2").values()) > 60 * GB


def test_offload_takes_the_optimizer_state_off_the_gpu():
    states = memory.model_states(30e9, 8, "ZeRO-3", offload_optimizer=True)
    assert states == {"weights": 7.5 * GB, "grads": 7.5 * GB, "optimizer": 0.0}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((30e9, 8, "ZeRO-4"), "strategy 'ZeRO-4': use one of DDP, ZeRO-1, ZeRO-2, ZeRO-3"),
        ((30e9, 0, "DDP"), "gpus=0"),
    ],
)
def test_bad_input_says_what_is_wrong(args, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        memory.model_states(*args)


@pytest.mark.parametrize(("s", "b", "h", "a"), [(4096, 1, 7168, 56), (2048, 8, 4096, 32)])
def test_layer_activations_are_the_published_per_layer_estimate(s, b, h, a):
    # 16-bit activations, 1-byte dropout masks: s*b*h*(34 + 5*a*s/h) bytes per layer; a
    # fused attention kernel stores no s x s scores, which leaves 34*s*b*h.
    unfused = memory.layer_activations(s, b, h, a, fused_attention=False)
    assert unfused == s * b * h * 34 + 5 * a * s * s * b
    assert memory.layer_activations(s, b, h, a) == 34 * s * b * h
    assert memory.layer_activations(s, b, h, a, dropout=False) == 32 * s * b * h


def test_checkpointing_keeps_each_layers_input_and_recomputes_one_layer():
    shape = (4096, 1, 7168, 56)
    one = memory.layer_activations(*shape)
    sbh2 = 4096 * 7168 * 2
    assert memory.activations(48, *shape) == 48 * one
    assert memory.activations(48, *shape, checkpointing=True) == 47 * sbh2 + one


# The worked case: what memory.md shows ------------------------------------------------------


@pytest.fixture(scope="module")
def worked() -> str:
    return run_example("training/memory.py").stdout


PHONE = 40  # columns of an output block that a 390 px screen shows without wrapping


def test_worked_case_prints_the_page_output(worked: str, page_output: PageOutput):
    page_output("examples/training/memory.out.txt", worked)
    assert max(len(line) for line in worked.splitlines()) <= PHONE


def test_worked_case_ddp_needs_480_gb_on_every_gpu(worked: str):
    assert numbers(line_after(worked, "bf16 weights (inference)"))[-1] == 60.0
    assert numbers(line_after(worked, "training, DDP"))[-1] == 480.0
    ddp = numbers(line_after(worked, "DDP ", start="stage"))
    assert ddp == [8, 60.0, 60.0, 360.0, 480.0]


def test_worked_case_zero_rows_add_up(worked: str):
    table = worked.split("stage ")[1].split("\n\n")[0].splitlines()[1:]
    rows = {(r.split()[0], int(r.split()[1])): numbers(r.split(None, 1)[1]) for r in table}
    assert rows[("ZeRO-2", 8)][1:] == [60.0, 7.5, 45.0, 112.5]
    assert rows[("ZeRO-3", 8)][-1] == 60.0
    assert rows[("ZeRO-3", 64)][-1] == 7.5
    for values in rows.values():
        assert sum(values[1:4]) == pytest.approx(values[4], abs=0.15)


def test_worked_case_fixes_end_with_room_to_spare(worked: str):
    fixes = worked.split("step ")[1].splitlines()[1:7]
    assert [line.split()[0] for line in fixes] == ["0", "1", "2", "3", "4", "5"]
    free = [numbers(line)[-1] for line in fixes]
    assert free[0] < 0 and free[1] < 0  # DDP, and ZeRO-3 without checkpointing: OOM
    assert 0 < free[2] < free[3] < free[5] < free[4]  # each later fix frees more
    used = [sum(numbers(line)[-3:]) for line in fixes]  # states + activations + free
    assert used == pytest.approx([80.0] * 6, abs=0.15)


# Against torch: one process ------------------------------------------------------------------


@pytest.fixture(scope="module")
def checked() -> str:
    # In this process, not a fresh one: a fresh one would import torch and the torch._dynamo
    # that every torch optimizer loads again, ~8 s of CPU on this 2-core machine, and the
    # session imports both anyway. import_example above put examples/training/ on sys.path,
    # so its `from memory import ...` resolves as under `python memory_check.py`.
    return run_in_process("training/memory_check.py").stdout


def test_check_prints_the_page_output(checked: str, page_output: PageOutput):
    page_output("examples/training/memory_check.out.txt", checked)
    assert max(len(line) for line in checked.splitlines()) <= PHONE


@pytest.mark.parametrize("state", ["weights", "grads", "optimizer"])
def test_calculator_equals_torch_bytes_for_each_model_state(checked: str, state: str):
    calculator, fp32, autocast = numbers(line_after(checked, state))
    assert calculator == fp32 == autocast > 0


def test_adam_state_is_allocated_at_the_first_step(checked: str):
    assert "Adam's state before step 1: 0 bytes" in checked


def test_autocast_keeps_bf16_copies_of_the_weights_for_backward(checked: str):
    after = checked.split("autocast also saves bf16 weight copies:\n")[1]
    copies, two, matrices = numbers(after.splitlines()[0])  # "196,608 B = 2 B x ..."
    assert copies == two * matrices > 0 and two == 2


@pytest.mark.parametrize("kind", ["unfused", "fused (SDPA)"])
def test_activation_estimate_plus_named_extras_is_exactly_what_torch_saved(checked, kind):
    estimate, measured = numbers(line_after(checked, kind))
    explained = numbers(line_after(checked, "= sum of these", start=kind))[0]
    assert estimate < measured == explained
    assert (measured - estimate) / measured < 0.11  # the estimate is close, and below


def test_checkpointing_keeps_only_each_layers_input(checked: str):
    start = "4 layers, each checkpointed"
    estimate, measured = numbers(line_after(checked, "after forward", start=start))
    assert estimate == measured == 4 * 64 * 2 * 64 * 2  # layers x s x b x h x bf16
    assert numbers(line_after(checked, "(use_reentrant)", start=start)) == [measured] * 2
    _, peak = numbers(line_after(checked, "peak in backward", start=start))
    assert numbers(line_after(checked, "= sum of these", start=start)) == [peak]
    full = numbers(line_after(checked, "not checkpointed", start=start))[0]
    assert peak < full / 3


# Against torch: two ranks under torchrun ----------------------------------------------------


@pytest.fixture(scope="module")
def sharded() -> str:
    return run_torchrun("examples/training/memory_sharded.py", nproc=2, timeout=240).stdout


def test_sharded_prints_the_page_output(sharded: str, page_output: PageOutput):
    page_output("examples/training/memory_sharded.out.txt", sharded)
    assert max(len(line) for line in sharded.splitlines()) <= PHONE


def block_of(sharded: str, strategy: str) -> list[str]:
    """The lines printed under one strategy's heading, up to the next heading."""
    lines = sharded.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{strategy} ("))
    rest = lines[start + 1 :]
    end = next((i for i, line in enumerate(rest) if not line.startswith(" ")), len(rest))
    return rest[:end]


@pytest.mark.parametrize(
    ("strategy", "stage", "shards"),
    [
        ("DDP", "DDP", (1, 1, 1)),
        ("ZeRO-1", "ZeRO-1", (1, 1, 2)),
        ("FSDP2", "ZeRO-3", (2, 2, 2)),
        ("FSDP2 bf16", "ZeRO-3", (2, 2, 2)),
    ],
)
def test_each_rank_holds_what_the_formula_says(sharded: str, strategy, stage, shards):
    assert f"{strategy} (formula: {stage})" in sharded.splitlines()
    block = block_of(sharded, strategy)
    assert [line.split()[0] for line in block[:3]] == ["formula", "rank", "rank"]
    formula, rank0, rank1 = (numbers(line) for line in block[:3])
    params = numbers(sharded.splitlines()[1])[0]
    full = (params * 4, params * 4, params * 8)  # fp32 weights, grads, Adam's m and v
    assert formula == [f / s for f, s in zip(full, shards, strict=True)]
    assert rank0[1:] == rank1[1:] == formula  # rank0[0] is the rank's number


def test_fsdp2_gathers_bf16_weights_for_compute_and_keeps_fp32_shards(sharded: str):
    block = [line.strip() for line in block_of(sharded, "FSDP2 bf16")]
    rest = block[block.index("fc1.weight between steps:") + 1]
    compute = block[block.index("fc1.weight in forward:") + 1]
    assert rest == "DTensor float32 x 8,192"  # half of fc1's 64 x 256 weight, fp32
    assert compute == "Parameter bfloat16 x 16,384"  # all of it, gathered, in bf16
    fp32 = [line.strip() for line in block_of(sharded, "FSDP2")]
    assert fp32[fp32.index("fc1.weight in forward:") + 1] == "Parameter float32 x 16,384"


# Claims memory.md makes about the installed torch --------------------------------------------


def test_fully_shard_and_fsdp1_both_ship_in_torch_distributed_fsdp():
    import torch.distributed.fsdp as fsdp

    assert {"fully_shard", "FullyShardedDataParallel", "MixedPrecisionPolicy"} <= set(fsdp.__all__)
    default = inspect.signature(fsdp.fully_shard).parameters["reshard_after_forward"].default
    assert default is None
    doc = inspect.getdoc(fsdp.fully_shard) or ""
    assert "it is set to ``True`` for non-root modules and ``False``" in doc


def test_zero_redundancy_optimizer_is_marked_experimental():
    from torch.distributed.optim import ZeroRedundancyOptimizer

    doc = inspect.getdoc(ZeroRedundancyOptimizer) or ""
    assert "ZeroRedundancyOptimizer is experimental and subject to change" in doc


def test_checkpoint_without_use_reentrant_warns_and_runs_the_reentrant_variant():
    import torch
    from torch.utils.checkpoint import checkpoint

    assert inspect.signature(checkpoint).parameters["use_reentrant"].default is None

    def warned(**how: bool) -> str:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            checkpoint(torch.sin, torch.ones(2), **how)  # an input without grad
        return " ".join(str(w.message) for w in caught)

    default = warned()
    assert "use_reentrant parameter should be passed explicitly" in default
    assert "use_reentrant=False is recommended" in default
    # Only the reentrant variant (CheckpointFunction) warns about inputs without grad.
    reentrant = "None of the inputs have requires_grad=True"
    assert reentrant in default
    assert reentrant in warned(use_reentrant=True)
    assert reentrant not in warned(use_reentrant=False)


def test_adam_allocates_its_state_at_the_first_step():
    import torch

    layer = torch.nn.Linear(4, 4)
    opt = torch.optim.AdamW(layer.parameters())
    assert len(opt.state) == 0
    layer(torch.ones(1, 4)).sum().backward()
    assert len(opt.state) == 0
    opt.step()
    moments = {k for state in opt.state.values() for k in state}
    assert moments == {"step", "exp_avg", "exp_avg_sq"}
    assert all(opt.state[p]["exp_avg"].dtype == torch.float32 for p in layer.parameters())
