"""Which Spark settings change at run time, and which only when the JVMs start.

Run it: `python examples/spark/tuning.py`. It starts its own local session with a 1 GiB driver
heap, changes SQL settings at run time, and shows that memory and cores settings cannot change.
"""

from __future__ import annotations

from pyspark.errors import AnalysisException
from pyspark.sql import SparkSession
from pyspark.sql.functions import col

# What the draft set with spark.conf.set: all are read once, when a JVM starts.
DRAFT_STARTUP_SETTINGS = {
    "spark.executor.memory": "8g",
    "spark.executor.cores": "4",
    "spark.driver.memory": "4g",
    "spark.memory.fraction": "0.6",
    "spark.memory.storageFraction": "0.5",
}


def session() -> SparkSession:
    # --8<-- [start:startup]
    # Start-up settings go on the builder, before the first getOrCreate() starts the JVM
    # (or on the command line: spark-submit --driver-memory 1g --conf spark.executor.memory=2g).
    spark = (
        SparkSession.builder.appName("tuning")
        .config("spark.driver.memory", "1g")  # the driver JVM's -Xmx
        .config("spark.executor.memory", "2g")  # each executor's heap (a cluster's executors)
        .config("spark.executor.cores", "2")  # concurrent tasks per executor
        .config("spark.memory.fraction", "0.6")  # of (heap - 300 MiB): execution + storage
        .config("spark.memory.storageFraction", "0.5")  # of that: cache safe from eviction
        .getOrCreate()
    )
    # --8<-- [end:startup]
    return spark


def run(spark: SparkSession) -> dict:
    # --8<-- [start:runtime]
    # Run-time settings: SQL confs, read by each query when it is planned.
    spark.conf.set("spark.sql.shuffle.partitions", "8")
    spark.conf.set("spark.sql.adaptive.enabled", "false")
    counts = spark.range(10_000).groupBy((col("id") % 100).alias("key")).count()
    partitions_without_aqe = counts.rdd.getNumPartitions()
    print(f"shuffle partitions, AQE off: {partitions_without_aqe}")

    spark.conf.set("spark.sql.adaptive.enabled", "true")  # the default since Spark 3.2
    counts = spark.range(10_000).groupBy((col("id") % 100).alias("key")).count()
    counts.collect()  # AQE decides after the shuffle ran, from its real sizes
    partitions_with_aqe = counts.rdd.getNumPartitions()
    print(f"shuffle partitions, AQE on: {partitions_with_aqe} (small ones coalesced)")
    # --8<-- [end:runtime]

    # --8<-- [start:cannot]
    # The draft's spark.conf.set on start-up settings: Spark refuses each one.
    refused = {}
    for key, value in DRAFT_STARTUP_SETTINGS.items():
        try:
            spark.conf.set(key, value)
        except AnalysisException as error:
            refused[key] = error.getCondition()
        print(f"{key}: modifiable={spark.conf.isModifiable(key)}, {refused.get(key, 'accepted')}")
    # --8<-- [end:cannot]

    # --8<-- [start:effect]
    # What the builder did take effect: the driver JVM's max heap (classic Spark only: _jvm is
    # not available through Spark Connect).
    heap_mib = spark.sparkContext._jvm.java.lang.Runtime.getRuntime().maxMemory() / 2**20
    executor_memory = spark.conf.get("spark.executor.memory", "1g")  # 1g: the default
    # In GiB: some garbage collectors leave a survivor space, a few % of -Xmx, out of maxMemory().
    print(f"driver heap: {heap_mib / 1024:.1f} GiB; executor memory: {executor_memory}")
    # --8<-- [end:effect]
    return {
        "executor_memory": executor_memory,
        "partitions_without_aqe": partitions_without_aqe,
        "partitions_with_aqe": partitions_with_aqe,
        "refused": refused,
        "heap_mib": heap_mib,
    }


if __name__ == "__main__":
    spark = session()
    run(spark)
    spark.stop()
