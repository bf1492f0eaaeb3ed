"""Skew is visible both in the key counts and in the rows per partition after the shuffle."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def detected(spark, example):
    module = example("skew_detection")
    return module, module.run(spark)


def test_key_counts_show_the_hot_key(detected):
    module, result = detected
    (hot_key, hot_rows), (_, second_rows), _ = result["top_keys"]
    assert hot_key == 0
    assert hot_rows == module.ROWS * 8 // 10  # ids ending in 0..7
    assert hot_rows > 100 * second_rows


def test_one_shuffle_partition_holds_the_hot_key(detected):
    module, result = detected
    sizes = result["sizes"]
    assert sum(sizes) == module.ROWS  # every fact row finds its dimension row
    assert len(sizes) <= module.SHUFFLE_PARTITIONS
    stats = module.summary(sizes)
    assert stats["largest"] >= module.ROWS * 8 // 10
    assert stats["largest_to_median"] > 20


def test_more_shuffle_partitions_do_not_split_a_hot_key(spark, detected):
    """The draft's third fix: every row of one key still hashes to one partition."""
    module, result = detected
    facts, dims = module.skewed_tables(spark)
    module.plain_join_settings(spark)
    spark.conf.set("spark.sql.shuffle.partitions", "64")
    sizes = module.rows_per_partition(facts.join(dims, "key"))
    assert sizes[0] >= module.ROWS * 8 // 10  # the hot key's partition is as big as before
    assert sizes[0] >= result["sizes"][0] - module.ROWS // 100
