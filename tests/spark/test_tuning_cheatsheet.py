"""Every key of the cheat sheet is a real Spark setting, in the right place, with its default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "spark"


CHEATSHEET = EXAMPLES / "tuning_cheatsheet.py"
COMMENTED_DEFAULT = re.compile(r'^\s+"(?P<key>[\w.]+)": "(?P<value>[^"]+)",\s+# default', re.M)


def config_entry(spark, key: str):
    """Spark's own definition of a setting (None for a key Spark does not know)."""
    return spark.sparkContext._jvm.org.apache.spark.internal.config.ConfigEntry.findEntry(key)


@pytest.fixture(scope="module")
def cheatsheet(example):
    return example("tuning_cheatsheet")


def test_every_key_is_a_real_spark_config(spark, cheatsheet):
    assert config_entry(spark, "spark.memory.fractoin") is None  # a typo is caught
    for key in [*cheatsheet.STARTUP, *cheatsheet.RUNTIME]:
        assert config_entry(spark, key) is not None, f"{key} is not a Spark {spark.version} config"


def test_start_up_keys_are_fixed_and_run_time_keys_are_not(spark, cheatsheet):
    assert [k for k in cheatsheet.STARTUP if spark.conf.isModifiable(k)] == []
    assert [k for k in cheatsheet.RUNTIME if not spark.conf.isModifiable(k)] == []


def test_defaults_the_comments_claim(spark):
    claimed = COMMENTED_DEFAULT.findall(CHEATSHEET.read_text())
    assert len(claimed) >= 6
    for key, value in claimed:
        assert config_entry(spark, key).defaultValueString() == value, key
    # Reserved memory is 300 MB of the heap; overhead is off-heap, on top of the heap.
    assert "(heap space - 300MB)" in config_entry(spark, "spark.memory.fraction").doc()
    overhead = config_entry(spark, "spark.executor.memoryOverheadFactor")
    assert overhead.defaultValueString() == "0.1"


def test_tuned_session_sets_the_run_time_keys(spark, cheatsheet):
    assert cheatsheet.tuned_session() is spark  # the running session; start-up keys ignored
    for key, value in cheatsheet.RUNTIME.items():
        assert spark.conf.get(key) == value
