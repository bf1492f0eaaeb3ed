"""The training platform's capacity calculator: its arithmetic against figures worked by
hand for two sets of inputs, the directions it must move in, whole GPUs and nodes, inputs it
refuses, and the output the page shows (examples/design/training_platform.py)."""

from __future__ import annotations

import math
import re

import pytest

from tests.support.examples import import_example, run_example

EXAMPLE = "design/training_platform.py"
OUTPUT = "examples/design/training_platform.out.txt"


@pytest.fixture(scope="module")
def calc():
    return import_example("design/training_platform.py")


def test_the_default_inputs_by_hand(calc):
    d, g, j = calc.Demand(), calc.Gpu(), calc.LargestJob()
    # 20 teams x 2,000 GPU-hours a week / 168 hours; / 0.75 busy; up to 8-GPU nodes.
    assert calc.busy_gpus(d) == pytest.approx(238.095, abs=1e-3)
    assert calc.sized_gpus(d) == 318
    assert calc.fleet_gpus(d, g) == 320
    assert calc.guaranteed_per_team(d, g) == 16
    # 16 B/param x 70e9; activations (79 x 2 + 34) x 4096 x 2 x 8192 bytes.
    assert calc.model_states_gb(j) == pytest.approx(1120)
    assert calc.activations_gb(j) == pytest.approx(192 * 4096 * 2 * 8192 / 1e9)
    # 68 GB usable - 12.88 GB of activations: 1,120 / 55.1 = 20.3 -> 21 -> 3 nodes.
    assert calc.job_gpus(j, g) == 24
    # 6 x 70e9 x 8,192 tokens / (989e12 x 0.4); 3 x 23/24 x 140 GB / 50 GB/s.
    assert calc.compute_s(j, g) == pytest.approx(8.697, abs=1e-3)
    assert calc.zero3_traffic_s(j, g) == pytest.approx(8.05)
    assert calc.job_days(j, g) == pytest.approx(10.24, abs=0.01)
    # 14 B/param; sqrt(2 x 2 min x 720 min); sqrt(4 / 720).
    assert calc.checkpoint_gb(j) == pytest.approx(980)
    assert calc.write_gb_s(j) == pytest.approx(980 / 120)
    assert calc.young_interval_min(j) == pytest.approx(math.sqrt(2880))
    assert calc.checkpoint_overhead(j) == pytest.approx(0.0745, abs=1e-4)
    # 320 GPUs x 730 h x $2.50; 20 x 70 TB x $20.
    assert calc.monthly_usd(d, g) == {"GPUs": 584_000, "storage": 28_000, "total": 612_000}


def test_a_small_platform_by_hand(calc):
    d = calc.Demand(
        teams=5,
        gpu_hours_per_team_week=1000,
        busy_share=0.5,
        dataset_tb_per_team=10,
        checkpoint_tb_per_team=10,
        storage_tb_month_usd=10,
    )
    g = calc.Gpu(memory_gb=40, usable_share=0.75, per_node=4, hour_usd=1.0)
    j = calc.LargestJob(
        params=7e9,
        layers=32,
        hidden=4096,
        seq=2048,
        micro_batch=1,
        tokens=1e9,
        checkpoint_minutes=1,
        interruptions_per_day=4,
    )
    # 5 x 1,000 / 168 = 29.8 busy; / 0.5 = 59.5 -> 60 = 15 nodes of 4.
    assert calc.busy_gpus(d) == pytest.approx(29.762, abs=1e-3)
    assert calc.fleet_gpus(d, g) == 60
    assert calc.guaranteed_per_team(d, g) == 12
    # 112 GB of states; (31 x 2 + 34) x 2048 x 4096 B = 0.805 GB; 30 GB usable:
    # 112 / 29.2 = 3.8 -> 4 GPUs, one node.
    assert calc.activations_gb(j) == pytest.approx(0.805306368)
    assert calc.job_gpus(j, g) == 4
    # M = 1,440 / 4 = 360 min: sqrt(2 x 1 x 360).
    assert calc.young_interval_min(j) == pytest.approx(math.sqrt(720))
    assert calc.storage_tb(d) == 100
    assert calc.monthly_usd(d, g) == {"GPUs": 43_800, "storage": 1_000, "total": 44_800}


def test_more_teams_never_need_fewer_gpus(calc):
    g = calc.Gpu()
    fleets = [calc.fleet_gpus(calc.Demand(teams=t), g) for t in range(1, 61)]
    assert fleets == sorted(fleets)
    assert fleets[39] > fleets[19]  # 40 teams against 20


def test_a_bigger_model_or_batch_needs_more_gpus_and_memory(calc):
    g = calc.Gpu()
    small, big = calc.LargestJob(params=13e9), calc.LargestJob(params=140e9)
    assert calc.job_gpus(small, g) < calc.job_gpus(calc.LargestJob(), g)
    assert calc.job_gpus(calc.LargestJob(), g) < calc.job_gpus(big, g)
    longer = calc.LargestJob(seq=8192)
    assert calc.activations_gb(longer) == pytest.approx(2 * calc.activations_gb(calc.LargestJob()))
    # More interruptions a day: save more often, lose more time.
    flaky = calc.LargestJob(interruptions_per_day=8)
    assert calc.young_interval_min(flaky) < calc.young_interval_min(calc.LargestJob())
    assert calc.checkpoint_overhead(flaky) > calc.checkpoint_overhead(calc.LargestJob())


def test_micro_batch_1_leaves_zero3_traffic_exposed(calc):
    # The page says so: half the compute per micro-batch, the same weights to gather.
    g, one, two = calc.Gpu(), calc.LargestJob(micro_batch=1), calc.LargestJob()
    assert calc.job_gpus(one, g) == calc.job_gpus(two, g) == 24
    assert calc.zero3_traffic_s(one, g) > calc.compute_s(one, g)
    assert calc.zero3_traffic_s(two, g) <= calc.compute_s(two, g)


def test_gpus_are_whole_and_nodes_are_full(calc):
    g = calc.Gpu()
    # One GPU-hour over 8 busy GPUs all week: 8.006 GPUs busy -> 9 GPUs -> 2 nodes.
    d = calc.Demand(teams=1, gpu_hours_per_team_week=8 * 168 + 1, busy_share=1.0)
    assert calc.sized_gpus(d) == 9
    assert calc.fleet_gpus(d, g) == 16
    for teams in (1, 3, 7, 20, 33):
        assert calc.fleet_gpus(calc.Demand(teams=teams), g) % g.per_node == 0
    assert calc.job_gpus(calc.LargestJob(params=1e9), g) == g.per_node


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda c: c.Demand(teams=0), "Demand.teams"),
        (lambda c: c.Demand(gpu_hours_per_team_week=-5), "Demand.gpu_hours_per_team_week"),
        (lambda c: c.Demand(busy_share=1.2), "Demand.busy_share"),
        (lambda c: c.Gpu(memory_gb=0), "Gpu.memory_gb"),
        (lambda c: c.Gpu(mfu_share=0), "Gpu.mfu_share"),
        (lambda c: c.LargestJob(params=-70e9), "LargestJob.params"),
        (lambda c: c.LargestJob(interruptions_per_day=0), "LargestJob.interruptions_per_day"),
    ],
)
def test_a_bad_input_names_its_field(calc, build, field):
    with pytest.raises(ValueError, match=re.escape(field)):
        build(calc)


def test_activations_that_fill_the_gpu_are_refused(calc):
    with pytest.raises(ValueError, match=re.escape("LargestJob.micro_batch")):
        calc.job_gpus(calc.LargestJob(micro_batch=16), calc.Gpu())


def test_the_page_shows_what_it_prints(page_output):
    run = run_example(EXAMPLE)
    assert "  whole nodes            40 x 8 = 320 GPUs" in run.stdout
    assert "  total                           $612,000" in run.stdout
    assert max(len(line) for line in run.stdout.splitlines()) <= 44  # a phone's width
    page_output(OUTPUT, run.stdout)
