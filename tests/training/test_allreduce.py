"""All-reduce cost: gloo measured for 2, 3 and 4 processes against the ring model.

The measured table is a benchmark report, not an assertion: times on a shared 2-core
machine move by 2x between runs. The page shows a stored run (allreduce_bench.out.txt,
rewritten by `--update-outputs`); the tests check the shape of a fresh run (every row
there, time grows with bytes, the fit is a least-squares line) and that the stored
report is one consistent run of this torch. ring_model.py is arithmetic: its output is exact.
"""

from __future__ import annotations

import json
import math
import re

import pytest
import torch

from tests.support.examples import ROOT, import_example, run_in_process
from tests.support.torchrun import run_torchrun

BENCH = "examples/training/allreduce_bench.py"
REPORT = "examples/training/allreduce_bench.out.txt"
ROW = re.compile(r"^ +(\d) +(\d+ [KM]iB) +([\d.]+) ms +([\d.]+) ms$", re.M)
FIT = re.compile(r"^fitted: B = ([\d.]+) GB/s, alpha = (-?\d+) us$", re.M)


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    record = tmp_path_factory.mktemp("allreduce") / "record.json"
    done = run_torchrun(BENCH, str(record), nproc=4, timeout=300)
    return json.loads(record.read_text()), done.stdout


def test_a_fresh_run_has_every_row_and_time_grows_with_bytes(bench, pytestconfig, page_output):
    record, stdout = bench
    module = import_example("training/allreduce_bench.py")
    measured = {(n, s): t for n, s, t in record["rows"]}
    assert set(measured) == {(n, s) for n in (2, 3, 4) for s in module.SIZES}
    small, big = min(module.SIZES), max(module.SIZES)
    for n in (2, 3, 4):  # 2,048x the bytes: the bytes term shows through any noise
        assert measured[n, big] > measured[n, small], n
    alpha, bandwidth = record["alpha"], record["bandwidth"]
    assert bandwidth > 0
    # The fit is the least-squares line through the 2-rank rows: its residuals sum to 0.
    residuals = [measured[2, s] - module.ring_seconds(2, s, alpha, bandwidth) for s in module.SIZES]
    assert abs(sum(residuals)) < 1e-9
    assert len(ROW.findall(stdout)) == 12
    if pytestconfig.getoption("--update-outputs"):
        page_output(REPORT, stdout)


def test_the_stored_report_is_one_consistent_run_of_this_torch():
    """The page's table: each model column recomputed from its printed fit (to the
    printed rounding), measured with the installed torch."""
    text = (ROOT / REPORT).read_text()
    module = import_example("training/allreduce_bench.py")
    fit = FIT.search(text)
    assert fit, f"{REPORT} has no fit line"
    bandwidth, alpha = float(fit[1]) * 1e9, float(fit[2]) * 1e-6
    rows = ROW.findall(text)
    assert len(rows) == 12
    sizes = {module.label(s): s for s in module.SIZES}
    for n, label, _measured, model in rows:
        expected = module.ring_seconds(int(n), sizes[label], alpha, bandwidth) * 1e3
        # B has 3 printed digits and alpha whole microseconds: about 1% (or 0.02 ms).
        assert float(model) == pytest.approx(expected, rel=0.02, abs=0.02), (n, label)
    version = torch.__version__.split("+")[0]
    assert f"torch {version}, gloo" in text, f"{REPORT} was measured with another torch"


def test_ring_model_at_scale(page_output):
    """The bytes term approaches 2S/B; the ring's latency term grows as N, a tree's as log N."""
    module = import_example("training/ring_model.py")
    bytes_term = [module.ring_terms(n)[0] for n in (8, 64, 1024)]
    assert bytes_term == sorted(bytes_term)
    assert bytes_term[-1] < 2 * module.GRADIENT_BYTES / module.BANDWIDTH
    ring_8, ring_1024 = module.ring_terms(8)[1], module.ring_terms(1024)[1]
    assert math.isclose(ring_1024 / ring_8, 1023 / 7)
    assert math.isclose(module.tree_latency(1024) / module.tree_latency(8), 10 / 3)
    assert ring_1024 > 10 * bytes_term[-1]  # at 1,024 GPUs latency, not bytes, dominates
    run = run_in_process("training/ring_model.py")
    page_output("examples/training/ring_model.out.txt", run.stdout)
