"""examples/training/ddp_train.py on 2 gloo ranks: identical weights on every rank, and the
losses of one process training on the same global batches."""

from __future__ import annotations

import re

import torch

from tests.support.examples import import_example, run_in_process
from tests.training.conftest import STEPS, DdpRun

# Float32 has a 24-bit mantissa (relative rounding 6e-8). DDP sums two half-batch gradients
# and divides by 2 where one process averages 64 rows at once: the same numbers added in
# another order. Measured here: losses within 1.2e-7 relative, weights within 1.2e-7, after
# 20 Adam steps. The bound leaves 100x room for other CPUs' kernels, and is still 1,000 times
# smaller than any real mistake (a rank that skipped the all-reduce moves the loss by 1e-2).
LOSS_RTOL = 1e-5
WEIGHT_ATOL = 1e-5


def shown(stdout: str) -> str:
    """What the page shows: the digest masked (its last bits may differ between CPUs)."""
    return re.sub(r"sha256 [0-9a-f]{12}", "sha256 <digest>", stdout)


def test_every_rank_holds_bit_identical_weights(uninterrupted: DdpRun, page_output):
    rank0, rank1 = uninterrupted.weights(0), uninterrupted.weights(1)
    assert rank0.keys() == rank1.keys() and len(rank0) == 6  # 3 layers x (weight, bias)
    assert all(torch.equal(rank0[k], rank1[k]) for k in rank0), "ranks diverged"
    initial = import_example("training/toy.py").make_model().state_dict()
    assert not any(torch.equal(rank0[k], initial[k]) for k in rank0), "weights never moved"
    assert f"weights after {STEPS} steps on 2 ranks: identical" in uninterrupted.stdout
    page_output("examples/training/ddp_train.out.txt", shown(uninterrupted.stdout))


def test_losses_match_one_process_over_the_same_global_batch(uninterrupted: DdpRun, page_output):
    threads = torch.get_num_threads()
    import_example("training/single_process.py")  # its folder on sys.path: `import toy` works
    try:
        run = run_in_process("training/single_process.py", f"--steps={STEPS}")
    finally:
        torch.set_num_threads(threads)
    reference, model = run.globals["train"](STEPS)
    torch.set_num_threads(threads)
    ddp = {int(k): v for k, v in uninterrupted.record(0)["losses"].items()}
    assert ddp.keys() == reference.keys() == set(range(1, STEPS + 1))
    worst = max(abs(ddp[s] - reference[s]) / reference[s] for s in ddp)
    assert worst < LOSS_RTOL, f"largest relative loss difference {worst:.2e}"
    assert reference[STEPS] < reference[1] / 5, "the model did not learn"
    weights = uninterrupted.weights(0)
    for name, tensor in model.state_dict().items():
        assert torch.allclose(weights[name], tensor, rtol=0, atol=WEIGHT_ATOL), name
    # The page shows both runs' printed losses (4 decimals): the same lines.
    single = re.findall(r"^step +\d+  loss [\d.]+", run.stdout, re.M)
    multi = re.findall(r"^step +\d+  loss [\d.]+", uninterrupted.stdout, re.M)
    assert single == multi and len(single) == 5
    page_output("examples/training/single_process.out.txt", run.stdout)


def test_ddp_buckets_gradients_in_25_mib_by_default():
    """Claim train-ddp-bucket-25mib: DDP all-reduces gradients in buckets of 25 MiB."""
    import inspect

    from torch.nn.parallel import DistributedDataParallel, distributed

    assert inspect.signature(DistributedDataParallel).parameters["bucket_cap_mb"].default is None
    assert distributed._DEFAULT_BUCKET_CAP_MB == 25  # MiB, used when bucket_cap_mb is None


def test_torchrun_gives_each_worker_one_omp_thread(uninterrupted: DdpRun):
    """Claim train-torchrun-omp-threads: with OMP_NUM_THREADS unset, torchrun sets it to 1
    for each worker and says so."""
    assert "Setting OMP_NUM_THREADS environment variable for each process to be 1" in (
        uninterrupted.stderr
    )
