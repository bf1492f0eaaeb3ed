"""Fix the skewed join of skew_detection.py three ways, and measure each.

Run it: `python examples/spark/salting.py`. Every variant returns the same join result; what
changes is how the rows spread over the partitions (the tasks) of the join.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from skew_detection import (
    join_checksum,
    plain_join_settings,
    rows_per_partition,
    skewed_tables,
    summary,
)

SALTS = 16


# --8<-- [start:salting]
def salted_join(facts: DataFrame, dims: DataFrame) -> DataFrame:
    # Spread each key of the big side over SALTS random sub-keys...
    salted_facts = facts.withColumn("salt", F.floor(F.rand(seed=7) * SALTS).cast("int"))
    # ...and copy every row of the small side once per salt, so each sub-key finds its match.
    salted_dims = dims.withColumn("salt", F.explode(F.array([F.lit(i) for i in range(SALTS)])))
    # Join on the same key column on both sides, plus the salt; then drop the salt.
    return salted_facts.join(salted_dims, ["key", "salt"]).drop("salt")


# --8<-- [end:salting]


def run(spark: SparkSession) -> dict:
    facts, dims = skewed_tables(spark)
    results = {}

    plain_join_settings(spark)
    plain = facts.join(dims, "key")
    results["plain join"] = (rows_per_partition(plain), join_checksum(plain))

    salted = salted_join(facts, dims)
    results["salting"] = (rows_per_partition(salted), join_checksum(salted))

    # --8<-- [start:broadcast]
    # The small side fits in memory: ship it to every task, and the big side never shuffles.
    broadcasted = facts.join(F.broadcast(dims), "key")
    # --8<-- [end:broadcast]
    results["broadcast join"] = (rows_per_partition(broadcasted), join_checksum(broadcasted))

    # --8<-- [start:aqe]
    # AQE splits a shuffle partition that is both 5x the median (skewedPartitionFactor) and over
    # the threshold (256 MB by default; lowered here because this data set is small).
    spark.conf.set("spark.sql.adaptive.enabled", "true")
    spark.conf.set("spark.sql.adaptive.skewJoin.enabled", "true")
    spark.conf.set("spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes", "64KB")
    spark.conf.set("spark.sql.adaptive.advisoryPartitionSizeInBytes", "64KB")
    adaptive = facts.join(dims, "key")
    # --8<-- [end:aqe]
    results["AQE skew join"] = (rows_per_partition(adaptive), join_checksum(adaptive))

    for name, (sizes, checksum) in results.items():
        print(f"{name:>15}: {summary(sizes)} rows={checksum[0]}")
    return results


if __name__ == "__main__":
    spark = SparkSession.builder.appName("salting").getOrCreate()
    run(spark)
    spark.stop()
