"""Static, dynamic and continuous batching on one mixed workload.

The timing table is a benchmark report, not an assertion: the page shows a stored run
(batching.out.txt, rewritten by `--update-outputs`). A fresh run must show what holds on
any machine, loaded or not, because the workload makes the gaps several-fold: every
policy gives the same tokens, continuous batching cuts p50 and p99 time to first token
by several times against static, and its throughput is at least comparable.
"""

from __future__ import annotations

import re

import pytest
import torch

from tests.support.examples import ROOT, import_example, run_in_process

REPORT = "examples/serving/batching.out.txt"
ROW = re.compile(r"^(static|dynamic|continuous) +(\d+) +(\d+) ms +(\d+) ms$", re.M)


@pytest.fixture(scope="module")
def batching(tiny_llm):  # tiny_llm first: it puts examples/serving on sys.path
    return import_example("serving/batching.py")


@pytest.fixture(scope="module")
def bench(batching, model) -> dict:
    return batching.benchmark(model)


def test_every_policy_gives_the_same_tokens(bench, batching):
    runs = bench["policies"]
    requests = batching.workload(0.0)
    wanted = [n for _, _, n in requests]
    for policy, run in runs.items():
        assert [len(out) for out in run["outputs"]] == wanted, policy
        assert run["outputs"] == runs["continuous"]["outputs"], policy
    # Counted, not timed: every decode row of continuous batching made a token that a
    # request wanted (the first came from the prefill); static also ran finished rows.
    useful = sum(wanted) - len(wanted)
    assert runs["continuous"]["decode_rows"] == useful
    assert runs["dynamic"]["decode_rows"] == useful
    assert runs["static"]["decode_rows"] > 2 * useful
    # A long request takes 199 decode steps. Static runs them once per batch that holds
    # one (4 batches here); continuous runs the long requests side by side.
    assert runs["static"]["steps"] >= 4 * (batching.LONG - 1)
    assert runs["continuous"]["steps"] < runs["static"]["steps"]


def test_continuous_batching_cuts_time_to_first_token(bench, batching, pytestconfig, page_output):
    runs = bench["policies"]
    static, dynamic, continuous = runs["static"], runs["dynamic"], runs["continuous"]
    # Counted in decode steps, the wait hardly depends on the machine's speed or load:
    # under static batching a request waits out whole batches that hold a long request
    # (199 steps each); under continuous batching it joins at the next step, or a few
    # steps later when a slow moment has let arrivals bunch up and fill the batch.
    assert static["p99_waited_steps"] >= 2 * (batching.LONG - 1)
    assert static["p99_waited_steps"] > 10 * max(1, continuous["p99_waited_steps"])
    assert dynamic["p99_waited_steps"] >= batching.LONG - 1
    # In time: p50 hundreds of times apart on an idle machine; p99 is the slowest of 24
    # requests, which one pause of a loaded machine can hit: still several-fold.
    assert static["p50_ttft_ms"] > 10 * continuous["p50_ttft_ms"]
    assert static["p99_ttft_ms"] > 3 * continuous["p99_ttft_ms"]
    assert dynamic["p99_ttft_ms"] > 3 * continuous["p99_ttft_ms"]
    assert continuous["tokens_per_s"] > 0.8 * static["tokens_per_s"]
    text = batching.table(bench)
    assert len(ROW.findall(text)) == 3
    assert "same tokens under every policy: True" in text
    if pytestconfig.getoption("--update-outputs"):
        page_output(REPORT, text)


def test_the_stored_report_is_one_consistent_run_of_this_torch():
    """The page's table: ratios recomputed from its rows, measured with this torch."""
    text = (ROOT / REPORT).read_text()
    rows = {policy: tuple(map(int, rest)) for policy, *rest in ROW.findall(text)}
    assert set(rows) == {"static", "dynamic", "continuous"}
    p99 = re.search(r"p99 TTFT, static / continuous: (\d+)x", text)
    throughput = re.search(r"throughput, continuous / static: ([\d.]+)x", text)
    assert p99 and throughput, f"{REPORT} lacks its ratio lines"
    # Rows are rounded to whole ms and tokens/s: the ratios agree to that rounding.
    assert int(p99[1]) == pytest.approx(rows["static"][2] / rows["continuous"][2], rel=0.1, abs=1)
    ratio = rows["continuous"][0] / rows["static"][0]
    assert float(throughput[1]) == pytest.approx(ratio, abs=0.06)
    assert "same tokens under every policy: True" in text
    assert f"torch {torch.__version__.split('+')[0]}," in text, f"{REPORT}: another torch"


def test_prefix_cache_counts_and_tokens(tiny_llm, pytestconfig, page_output):
    """Counts are exact and asserted; the seconds are a report (--update-outputs)."""
    run = run_in_process("serving/prefix_cache.py")
    system, own, n = (run.globals[k] for k in ("SYSTEM", "OWN", "REQUESTS"))
    row = re.compile(r"^(full prefill|prefix cache) +(\d+) +(\d+) +[\d.]+$", re.M)
    rows = {name: (int(a), int(b)) for name, a, b in row.findall(run.stdout)}
    # Without the cache every prompt is prefilled in full; with it the shared prompt
    # is computed once and each request computes only its own tokens.
    assert rows["full prefill"] == (n * (system + own), 0)
    assert rows["prefix cache"] == (system + n * own, n * system)
    assert "same tokens: True" in run.stdout
    if pytestconfig.getoption("--update-outputs"):
        page_output("examples/serving/prefix_cache.out.txt", run.stdout)
    stored = (ROOT / "examples/serving/prefix_cache.out.txt").read_text()
    assert {name: (int(a), int(b)) for name, a, b in row.findall(stored)} == rows
    assert "same tokens: True" in stored


def test_prefix_cache_gives_the_tokens_of_a_full_prefill(model, tiny_llm, engine_module):
    system = list(range(100, 160))
    prompts = [[*system, 7, i, 9] for i in range(3)] + [[5, 6]]  # the last has no prefix
    with engine_module.Engine(model, max_batch=2) as engine:
        engine.cache_prefix(system)
        outputs = [g.result(timeout=60) for g in [engine.submit(p, 6) for p in prompts]]
        stats = engine.stats()
    assert outputs == [tiny_llm.generate_alone(model, p, 6) for p in prompts]
    assert stats["reused_tokens"] == 3 * len(system)
    assert stats["prefill_tokens"] == len(system) + 3 * 3 + 2
