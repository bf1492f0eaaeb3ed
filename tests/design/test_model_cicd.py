"""examples/design/model_cicd.py, the capacity estimate of docs/design/model-cicd.md: its
arithmetic against figures worked by hand for two sets of inputs, the direction each figure
moves when an input grows, whole GPUs and nodes rounded up, bad inputs named, and the table
the page shows."""

from __future__ import annotations

from dataclasses import replace
from types import ModuleType

import pytest

from tests.support.examples import import_example, run_example

OUTPUT = "examples/design/model_cicd.out.txt"


@pytest.fixture(scope="module")
def cd() -> ModuleType:
    return import_example("design/model_cicd.py")


def test_the_defaults_match_the_figures_worked_by_hand(cd):
    i = cd.CicdInputs()
    assert cd.models(i) == 600
    assert cd.ci_runs_per_day(i) == 3_000
    assert cd.training_runs_per_day(i) == pytest.approx(600 * 2 / 7)  # 171.4
    assert cd.releases_per_day(i) == pytest.approx(1200 / 7 * 0.6)  # 102.9
    assert cd.canaries_in_flight(i) == pytest.approx(1200 / 7 * 0.6 * 4 / 24)  # 17.1
    # candidate and champion, 15 min each, per training run; 2 min per CI run
    assert cd.eval_gpu_minutes_per_day(i) == pytest.approx(1200 / 7 * 30 + 6_000)
    assert cd.eval_gpus(i) == 16  # 185.7 GPU-hours in 12 hours = 15.5
    assert cd.eval_gpu_nodes(i) == 2
    assert cd.artifact_tb(i) == pytest.approx(1200 / 7 * 2 * 365 / 1000)  # 125.1
    assert cd.pulls_per_day(i) == pytest.approx(1200 / 7 * 0.6 * 6 + 3_600 * 0.5)
    assert cd.mass_restart_gbit_s(i) == pytest.approx(3_600 * 2 * 8 / 1_800) == 32
    assert cd.metadata_peak_per_s(i) == pytest.approx((3_000 + 1200 / 7) * 50 / 86_400 * 10)
    cost = cd.monthly_cost(i)
    assert cost["eval GPUs"] == pytest.approx(11_142.857 / 60 * 2.5 * 30, rel=1e-6)
    assert cost["CI runners"] == pytest.approx(600 * 0.2 * 30)
    assert cost["artifacts"] == pytest.approx(125.142857 * 1000 * 0.02, rel=1e-6)
    assert cost["total"] == pytest.approx(sum(v for k, v in cost.items() if k != "total"))


def test_ten_teams_worked_by_hand(cd):
    i = cd.CicdInputs(
        teams=10,
        models_per_team=2,
        merge_requests_per_team_day=10,
        retrains_per_model_week=7,
        gate_pass_share=0.5,
        canary_hours=6,
        eval_gpu_minutes=30,
        eval_window_hours=10,
        gpus_per_node=4,
        model_gb=1,
        artifact_retention_days=100,
        replicas_per_model=3,
        pod_restarts_per_day=1,
        mass_restart_minutes=10,
    )
    assert cd.training_runs_per_day(i) == pytest.approx(20)
    assert cd.releases_per_day(i) == pytest.approx(10)
    assert cd.canaries_in_flight(i) == pytest.approx(2.5)
    assert cd.eval_gpu_minutes_per_day(i) == pytest.approx(20 * 2 * 30 + 100 * 2)  # 1,400
    assert cd.eval_gpus(i) == 3  # 23.3 GPU-hours in 10 hours
    assert cd.eval_gpu_nodes(i) == 1
    assert cd.artifact_tb(i) == pytest.approx(2.0)
    assert cd.pulls_per_day(i) == pytest.approx(10 * 3 + 60 * 1)
    assert cd.mass_restart_gbit_s(i) == pytest.approx(60 * 1 * 8 / 600)


@pytest.mark.parametrize(
    ("field", "figure"),
    [
        ("teams", lambda cd, i: cd.eval_gpu_nodes(i)),
        ("retrains_per_model_week", lambda cd, i: cd.artifact_tb(i)),
        ("canary_hours", lambda cd, i: cd.canaries_in_flight(i)),
        ("model_gb", lambda cd, i: cd.mass_restart_gbit_s(i)),
        ("replicas_per_model", lambda cd, i: cd.pulls_per_day(i)),
        ("eval_gpu_minutes", lambda cd, i: cd.monthly_cost(i)["total"]),
    ],
)
def test_more_load_never_needs_less(cd, field, figure):
    base = cd.CicdInputs()
    values = [figure(cd, replace(base, **{field: getattr(base, field) * k})) for k in (1, 2, 4)]
    assert values == sorted(values), values
    assert values[-1] > values[0], values


def test_a_longer_window_needs_no_more_gpus(cd):
    gpus = [cd.eval_gpus(cd.CicdInputs(eval_window_hours=h)) for h in (6, 12, 24)]
    assert gpus == sorted(gpus, reverse=True) and gpus[0] > gpus[-1], gpus


def test_whole_gpus_and_nodes_round_up_at_the_boundary(cd):
    # one model, one training run a day: 2 x 30 min = 60 GPU-minutes, one GPU-hour in a
    # 1-hour window, plus a sliver of sample scoring from the one CI run
    exact = cd.CicdInputs(
        teams=1,
        models_per_team=1,
        retrains_per_model_week=7,
        merge_requests_per_team_day=1,
        ci_sample_eval_gpu_minutes=1e-9,
        eval_gpu_minutes=30,
        eval_window_hours=1,
        gpus_per_node=1,
    )
    assert cd.eval_gpus(exact) == 2  # 60 min + a sliver is more than one GPU-hour
    on_the_line = replace(exact, ci_sample_eval_gpu_minutes=0.5, eval_gpu_minutes=29.75)
    assert cd.eval_gpu_minutes_per_day(on_the_line) == pytest.approx(60)
    assert cd.eval_gpus(on_the_line) == 1
    assert cd.eval_gpu_nodes(replace(exact, gpus_per_node=8)) == 1


@pytest.mark.parametrize("field", ["teams", "model_gb", "eval_window_hours", "usd_per_gpu_hour"])
@pytest.mark.parametrize("bad", [0, -3])
def test_a_bad_input_names_its_field(cd, field, bad):
    with pytest.raises(ValueError, match=rf"\.{field} must be positive"):
        cd.CicdInputs(**{field: bad})


def test_a_share_above_one_is_refused(cd):
    with pytest.raises(ValueError, match="gate_pass_share is a share"):
        cd.CicdInputs(gate_pass_share=1.2)


def test_the_page_shows_what_the_calculator_prints(page_output):
    run = run_example("design/model_cicd.py")
    lines = run.stdout.splitlines()
    assert max(map(len, lines)) <= 42  # fits a 390 px phone without scrolling
    assert "  GPUs, 12 h window                16 GPUs" in lines
    assert "  mass restart pulls           32.0 Gbit/s" in lines
    page_output(OUTPUT, run.stdout)
