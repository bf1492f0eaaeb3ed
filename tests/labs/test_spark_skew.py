"""docs/labs/spark-skew.ipynb: the skewed key shows in the tasks, and each fix removes it."""

from __future__ import annotations

import pytest

from tests.labs.notebooks import run_lab

BEFORE, AFTER = "last month (even keys)", "this month (skewed)"
AQE, SALTING, BROADCAST = "AQE skew join", "salting", "broadcast join"


@pytest.fixture(scope="module")
def lab(lab_spark_env, pytestconfig: pytest.Config):
    return run_lab("spark-skew", pytestconfig)


def ratio(rows: dict) -> float:
    return rows["max_rows"] / rows["median_rows"]


def test_the_skewed_key_lands_in_one_task(lab):
    rows = lab.summary["deterministic"]
    assert ratio(rows[BEFORE]) < 2, rows[BEFORE]
    assert ratio(rows[AFTER]) > 50, rows[AFTER]
    # 8 in 10 of the 40,000 events carry key 0: one task reads all of them (and its share of
    # the other keys).
    assert 32_000 <= rows[AFTER]["max_rows"] < 33_000
    # The same rows were shuffled either way (40,000 events and 1,000 dimension rows).
    assert lab.summary["total_rows"][BEFORE] == lab.summary["total_rows"][AFTER] == 41_000


def test_the_hot_task_costs_in_proportion_to_its_rows(lab):
    """With a core per task, the stage lasts as long as its longest task: the '10x'. Task CPU
    time grows with the rows a task reads, less its fixed cost per task, so the checks compare
    time ratios with the row ratios of the same run, never with fixed times. The even run is
    represented by its median task: one slow task there (a pause, a compile) must not decide."""
    rows = lab.summary["deterministic"]
    longest, median = lab.summary["longest_task_ms"], lab.summary["median_task_ms"]
    hot_vs_typical_rows = rows[AFTER]["max_rows"] / rows[BEFORE]["median_rows"]
    assert hot_vs_typical_rows > 10, rows
    assert longest[AFTER] / median[BEFORE] > 0.3 * hot_vs_typical_rows, (longest, median)
    assert longest[AFTER] / median[AFTER] > 0.3 * ratio(rows[AFTER]), (longest, median)


def test_aqe_splits_the_skewed_partition(lab):
    assert lab.summary["skew_join_in_final_plan"] is True
    rows = lab.summary["deterministic"][AQE]
    assert rows["tasks"] > 16, rows  # the hot partition became several tasks
    assert ratio(rows) < 2, rows


def test_salting_and_broadcast_fix_it_too(lab):
    assert ratio(lab.summary["deterministic"][SALTING]) < 5
    longest = lab.summary["longest_task_ms"]
    for fix in (AQE, SALTING, BROADCAST):
        assert longest[fix] < longest[AFTER] / 2, (fix, longest)
