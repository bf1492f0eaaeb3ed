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


def test_page_table_is_what_this_run_measured(variants, example):
    """docs/distributed/spark-performance.md shows skew_partitions.md: it must match a fresh run."""
    figures = example("benchmarks/figures")
    committed = (figures.HERE / "skew_partitions.md").read_text()
    _, results = variants
    assert committed == figures.skew_table(results) + "\n", (
        "examples/spark/benchmarks/skew_partitions.md is stale: run "
        "`python examples/spark/benchmarks/figures.py` (nox -s spark-figures)"
    )


@pytest.mark.parametrize(
    ("key", "default"),
    [
        ("spark.sql.adaptive.skewJoin.skewedPartitionFactor", "5.0"),
        ("spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes", "256MB"),
        ("spark.sql.adaptive.advisoryPartitionSizeInBytes", "64MB"),
        ("spark.sql.autoBroadcastJoinThreshold", "10MB"),
    ],
)
def test_aqe_defaults_the_page_states(spark, key, default):
    config = spark.sparkContext._jvm.org.apache.spark.internal.config.ConfigEntry
    value = config.findEntry(key).defaultValueString()
    while value.startswith("<value of "):  # a fallback: the default is another key's
        value = config.findEntry(value.removeprefix("<value of ").rstrip(">")).defaultValueString()
    assert value == default
