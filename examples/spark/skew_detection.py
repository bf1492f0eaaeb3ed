"""Detect a skewed join two ways: key counts (before) and rows per shuffle partition (after).

Run it: `python examples/spark/skew_detection.py`. salting.py imports the tables and the
measure from here.
"""

from __future__ import annotations

import statistics

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

ROWS = 40_000
KEYS = 1_000
MAP_PARTITIONS = 16  # partitions of the big side before the shuffle
SHUFFLE_PARTITIONS = 16  # partitions after it (spark.sql.shuffle.partitions)


def skewed_tables(spark: SparkSession) -> tuple[DataFrame, DataFrame]:
    # --8<-- [start:data]
    # A big fact table where 8 rows in 10 carry key 0 (think: a default or "unknown" user id),
    # and a small dimension table with one row per key.
    facts = spark.range(0, ROWS, 1, numPartitions=MAP_PARTITIONS).select(
        F.col("id").alias("event_id"),
        F.when(F.col("id") % 10 < 8, F.lit(0)).otherwise(F.col("id") % (KEYS - 1) + 1).alias("key"),
        F.sha2(F.col("id").cast("string"), 256).alias("payload"),  # 64 bytes of real data
    )
    dims = spark.range(KEYS).select(F.col("id").alias("key"), (F.col("id") * 7 + 3).alias("weight"))
    # --8<-- [end:data]
    return facts, dims


# --8<-- [start:measure]
def rows_per_partition(df: DataFrame) -> list[int]:
    """Rows in each non-empty partition of `df`'s last stage, largest first."""
    # The hash reads every column, so Spark shuffles them all, as a real job would (a count
    # alone lets it prune the join down to its key columns).
    sizes = (
        df.groupBy(F.spark_partition_id().alias("partition"))
        .agg(F.count("*").alias("count"), F.max(F.xxhash64(*df.columns)).alias("hash"))
        .collect()
    )
    return sorted((row["count"] for row in sizes), reverse=True)
    # --8<-- [end:measure]


def summary(sizes: list[int]) -> dict:
    median = statistics.median(sizes)
    return {
        "partitions": len(sizes),
        "largest": sizes[0],
        "median": median,
        "largest_to_median": round(sizes[0] / median, 1),
    }


def join_checksum(joined: DataFrame) -> tuple[int, int]:
    """Row count and a sum that changes if any row meets the wrong dimension row."""
    row = joined.agg(F.count("*"), F.sum(F.col("event_id") * F.col("weight"))).first()
    return row[0], row[1]


def plain_join_settings(spark: SparkSession) -> None:
    """A sort-merge join with no help: AQE off and no automatic broadcast of the small side."""
    spark.conf.set("spark.sql.adaptive.enabled", "false")
    spark.conf.set("spark.sql.autoBroadcastJoinThreshold", "-1")
    spark.conf.set("spark.sql.shuffle.partitions", str(SHUFFLE_PARTITIONS))


def run(spark: SparkSession) -> dict:
    facts, dims = skewed_tables(spark)

    # --8<-- [start:detect-keys]
    # The draft's check: the distribution of the join key.
    top_keys = facts.groupBy("key").count().orderBy(F.desc("count"), "key")  # ties: by key
    top_keys.show(3)
    # --8<-- [end:detect-keys]

    # --8<-- [start:detect-partitions]
    # After the shuffle: rows per partition of the join (the task sizes the UI's Stages tab
    # shows as min/median/max). One partition holds the hot key alone.
    plain_join_settings(spark)
    sizes = rows_per_partition(facts.join(dims, "key"))
    print(f"plain join: {summary(sizes)}")
    # --8<-- [end:detect-partitions]
    return {"top_keys": [tuple(row) for row in top_keys.take(3)], "sizes": sizes}


if __name__ == "__main__":
    spark = SparkSession.builder.appName("skew-detection").getOrCreate()
    run(spark)
    spark.stop()
