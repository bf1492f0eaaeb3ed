"""docs/labs/spot-preemption.ipynb, executed afresh: the job without checkpoints loses
about a day, the Young/Daly interval wins it back, and every resumed run ends with the
uninterrupted run's weights."""

from __future__ import annotations

import math

import pytest

from tests.labs.notebooks import run_lab

WORK, MTBF, RESTART, SAVE = 720, 360, 10, 3  # minutes, as the lab's first cell sets them


@pytest.fixture(scope="module")
def lab(pytestconfig: pytest.Config, kernel_path):
    return run_lab("spot-preemption", pytestconfig)


def expected_hours(interval: float) -> float:
    return WORK / interval * (MTBF + RESTART) * math.expm1((interval + SAVE) / MTBF) / 60


def test_every_run_ends_with_the_uninterrupted_weights(lab):
    assert lab.summary["deterministic"]["same_weights"] == {
        "none": True,
        "young_daly": True,
        "sweep": True,
    }


def test_without_checkpoints_the_job_loses_a_day(lab):
    none = lab.summary["deterministic"]["none"]
    assert none["finished"] and none["preemptions"] >= 3
    assert none["hours"] - WORK / 60 >= 24  # a day of wall time lost
    thrown = none["computed"] - WORK
    assert thrown > WORK  # more steps thrown away than the job needs
    # This week sits near the mean: within 20% of the expected time.
    expected = (MTBF + RESTART) * math.expm1(WORK / MTBF) / 60
    assert lab.summary["deterministic"]["expected_hours_none"] == pytest.approx(expected, abs=0.01)
    assert none["hours"] == pytest.approx(expected, rel=0.2)


def test_young_daly_checkpoints_bound_the_loss(lab):
    numbers = lab.summary["deterministic"]
    interval = numbers["interval_min"]
    assert interval == round(math.sqrt(2 * SAVE * MTBF))
    fixed, none = numbers["young_daly"], numbers["none"]
    assert fixed["finished"] and fixed["hours"] < none["hours"] / 2
    # Each preemption loses at most one interval of steps (a save cut short: two).
    assert 0 < fixed["computed"] - WORK <= 2 * interval * fixed["preemptions"]
    assert fixed["saved"] >= WORK // interval - 1


def test_the_interval_sweep_has_its_minimum_at_young_daly(lab):
    numbers = lab.summary["deterministic"]
    interval = str(numbers["interval_min"])
    expected = {int(t): h for t, h in numbers["expected_hours"].items()}
    for t, hours in expected.items():
        assert hours == pytest.approx(expected_hours(t), abs=0.01)
    assert min(expected, key=expected.get) == int(interval)
    week = numbers["sweep_hours"]
    assert min(week, key=week.get) == interval  # this week's real runs agree
    assert week[interval] == numbers["young_daly"]["hours"]


def test_checkpoints_cut_the_tail_over_many_weeks(lab):
    none_p50, none_p90 = lab.summary["deterministic"]["many_weeks"]["none"]
    _, yd_p90 = lab.summary["deterministic"]["many_weeks"]["young_daly"]
    assert yd_p90 < none_p50  # the 90th percentile with checkpoints beats the median without
    assert none_p90 > 2 * yd_p90
    assert lab.summary["measured"]["save_ms"] > 0 and lab.summary["measured"]["step_ms"] > 0
