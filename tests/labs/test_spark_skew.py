"""docs/labs/spark-skew.ipynb: the skewed key shows in the tasks, and each fix removes it; the
lab runs where Spark's own settings say (labs/index.md, "Against your own cluster")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.labs.notebooks import LABS, printed, run_lab, tagged_source

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


def test_with_no_spark_settings_the_lab_runs_on_local_2(lab):
    """The default path: none of MASTER and SPARK_CONF_DIR is set in the tests (spark_env)."""
    assert "master local[2]" in printed(lab.notebook, "session")


# Run after the lab's session cell: what the session got, and whether the UI's REST API that
# the lab reads answers.
PROBE = """
conf = sc.getConf()
print("PROBE", json.dumps({
    "master": sc.master,
    "driver_host": conf.get("spark.driver.host"),
    "rows": spark.range(3).count(),
    "ui": requests.get(f"{API}/jobs", timeout=60).status_code,
}))
"""


def run_session_cell(settings: dict[str, str], cwd: Path) -> dict:
    """The lab's session cell, in a fresh process with `settings` (the notebook's own code)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MASTER", "SPARK_CONF_DIR")}
    code = tagged_source(LABS / "spark-skew.ipynb", "session") + "\n" + PROBE
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, **settings},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("PROBE "))
    return json.loads(line.removeprefix("PROBE "))


def test_the_session_follows_sparks_own_settings(lab_spark_env, tmp_path: Path):
    """MASTER, or spark-defaults.conf in SPARK_CONF_DIR, decide; the lab overrides neither.

    Local masters stand in for a cluster (a second Spark cluster is too heavy for a 2-core
    machine): what is checked is that the builder leaves the master and the driver's address
    to Spark's own settings, in spark-submit's order (spark-defaults.conf before MASTER)."""
    conf = tmp_path / "conf"
    conf.mkdir()
    # 127.0.0.2 is a loopback address too on Linux: a driver address the lab never sets (on its
    # local path it sets 127.0.0.1). The UI listens on SPARK_LOCAL_IP and the lab reads it at
    # spark.driver.host, so a reader sets both to the same address (or leaves SPARK_LOCAL_IP
    # unset, and the UI listens on every interface, which a test should not do).
    (conf / "spark-defaults.conf").write_text(
        "spark.master local[1]\nspark.driver.host 127.0.0.2\n"
    )
    settings = {"SPARK_CONF_DIR": str(conf), "MASTER": "local[3]", "SPARK_LOCAL_IP": "127.0.0.2"}
    from_file = run_session_cell(settings, tmp_path)
    assert from_file == {"master": "local[1]", "driver_host": "127.0.0.2", "rows": 3, "ui": 200}

    from_master = run_session_cell({"MASTER": "local[3]"}, tmp_path)
    assert from_master["master"] == "local[3]"
    assert from_master["rows"] == 3 and from_master["ui"] == 200
