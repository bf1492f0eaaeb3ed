"""Salting, broadcast and AQE each return the plain join's result and flatten its partitions."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def variants(spark, example):
    module = example("salting")
    return module, module.run(spark)


def test_every_variant_returns_the_same_join(variants):
    _, results = variants
    checksums = {name: checksum for name, (_, checksum) in results.items()}
    assert len(set(checksums.values())) == 1, checksums
    rows = next(iter(checksums.values()))[0]
    assert rows == sum(results["plain join"][0])


@pytest.mark.parametrize("fix", ["salting", "broadcast join", "AQE skew join"])
def test_fix_shrinks_the_largest_partition(variants, fix):
    module, results = variants
    plain = results["plain join"][0]
    fixed = results[fix][0]
    assert sum(fixed) == sum(plain)
    assert fixed[0] * 3 <= plain[0], f"{fix}: largest {fixed[0]} vs plain {plain[0]}"
    stats = module.summary(fixed)
    assert stats["largest_to_median"] < module.summary(plain)["largest_to_median"] / 3


def test_draft_salting_joins_columns_that_do_not_exist(spark, example):
    """The draft salts `skewed_key` on one side and `join_key` on the other: no such columns."""
    from pyspark.errors import AnalysisException
    from pyspark.sql.functions import col, concat, lit, rand

    facts, _ = example("skew_detection").skewed_tables(spark)
    with pytest.raises(AnalysisException, match="UNRESOLVED_COLUMN"):
        _ = facts.withColumn(
            "salted_key", concat(col("skewed_key"), lit("_"), (rand() * 10).cast("int"))
        ).schema
