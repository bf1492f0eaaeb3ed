"""Run-time SQL settings change between queries; memory and cores settings do not."""

from __future__ import annotations

import re

import pytest


@pytest.fixture(scope="module")
def tuning(spark, example):
    module = example("tuning")
    before = spark.conf.get("spark.executor.memory", None)
    return module, module.run(spark), before


def test_shuffle_partitions_change_at_run_time(tuning):
    _, result, _ = tuning
    assert result["partitions_without_aqe"] == 8
    assert result["partitions_with_aqe"] < 8  # AQE coalesced the tiny shuffle partitions


def test_executor_memory_cannot_change_at_run_time(spark, tuning):
    module, result, before = tuning
    assert result["refused"] == dict.fromkeys(module.DRAFT_STARTUP_SETTINGS, "CANNOT_MODIFY_CONFIG")
    assert spark.conf.get("spark.executor.memory", None) == before  # not silently changed
    for key in module.DRAFT_STARTUP_SETTINGS:
        assert spark.conf.isModifiable(key) is False


def test_builder_sets_start_up_settings_in_a_new_jvm(tuning_in_a_new_jvm, page_output):
    """Run the file as a reader does: its own JVM, started with the builder's settings (the
    conftest starts it with the session, so its start-up overlaps the other tests)."""
    server = tuning_in_a_new_jvm
    code = server.process.wait(timeout=400)
    output = server.log_path.read_text()
    stderr = (server.log_path.parent / "stderr.log").read_text()
    assert code == 0, output + stderr[-3000:]
    heap = float(re.search(r"driver heap: ([\d.]+) GiB; executor memory: 2g", output)[1])
    assert heap == 1.0  # -Xmx1g from .config("spark.driver.memory", "1g")
    assert output.count("CANNOT_MODIFY_CONFIG") == 5
    page_output("examples/spark/tuning.out.txt", output)
