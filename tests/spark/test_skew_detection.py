"""Skew is visible both in the key counts and in the rows per partition after the shuffle."""

from __future__ import annotations

import pytest

from tests.spark.conftest import run_printing


@pytest.fixture(scope="module")
def detected(spark, example):
    module = example("skew_detection")
    result, printed = run_printing(module.run, spark)
    return module, {**result, "printed": printed.splitlines()}


def test_key_counts_show_the_hot_key(detected, page_output):
    module, result = detected
    (hot_key, hot_rows), (_, second_rows), _ = result["top_keys"]
    assert hot_key == 0
    assert hot_rows == module.ROWS * 8 // 10  # ids ending in 0..7
    assert hot_rows > 100 * second_rows
    # The page shows the key counts and the partition sizes, each under the code that prints it.
    keys = [line for line in result["printed"] if not line.startswith("plain join:")]
    page_output("examples/spark/skew_detection.keys.out.txt", "\n".join(keys))


def test_one_shuffle_partition_holds_the_hot_key(detected, page_output):
    module, result = detected
    sizes = result["sizes"]
    assert sum(sizes) == module.ROWS  # every fact row finds its dimension row
    assert len(sizes) <= module.SHUFFLE_PARTITIONS
    stats = module.summary(sizes)
    assert stats["largest"] >= module.ROWS * 8 // 10
    assert stats["largest_to_median"] > 20
    # Hash partitioning into 16: the same sizes whatever the number of cores.
    sizes_line = [line for line in result["printed"] if line.startswith("plain join:")]
    page_output("examples/spark/skew_detection.partitions.out.txt", "\n".join(sizes_line))


def test_more_shuffle_partitions_do_not_split_a_hot_key(spark, detected):
    """The draft's third fix: every row of one key still hashes to one partition."""
    module, result = detected
    facts, dims = module.skewed_tables(spark)
    module.plain_join_settings(spark)
    spark.conf.set("spark.sql.shuffle.partitions", "64")
    sizes = module.rows_per_partition(facts.join(dims, "key"))
    assert sizes[0] >= module.ROWS * 8 // 10  # the hot key's partition is as big as before
    assert sizes[0] >= result["sizes"][0] - module.ROWS // 100
