"""Spark tuning cheat sheet: where each setting goes (checked against the pinned Spark)."""

from pyspark.sql import SparkSession

# Start-up settings: read once, when the driver or an executor JVM starts. Put them on the
# builder before the first getOrCreate(), or on spark-submit (--conf key=value). At run time,
# spark.conf.set refuses them with [CANNOT_MODIFY_CONFIG].
STARTUP = {
    "spark.executor.memory": "8g",
    "spark.executor.cores": "4",
    "spark.driver.memory": "4g",  # with spark-submit in client mode: --driver-memory 4g
    "spark.memory.fraction": "0.6",  # default: share of (heap - 300 MiB) for execution + storage
    "spark.memory.storageFraction": "0.5",  # default: share of that where cache is not evicted
}

# Run-time settings: SQL confs, changed between queries with spark.conf.set.
RUNTIME = {
    "spark.sql.adaptive.enabled": "true",  # default since Spark 3.2
    "spark.sql.adaptive.coalescePartitions.enabled": "true",  # default
    "spark.sql.adaptive.skewJoin.enabled": "true",  # default
    "spark.sql.shuffle.partitions": "200",  # default; with AQE, the count it coalesces from
    "spark.sql.autoBroadcastJoinThreshold": "10MB",  # default; tables below it are broadcast
}


def tuned_session(app_name: str = "tuned") -> SparkSession:
    builder = SparkSession.builder.appName(app_name)
    for key, value in STARTUP.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    for key, value in RUNTIME.items():
        spark.conf.set(key, value)
    return spark


if __name__ == "__main__":
    spark = tuned_session()
    for key in [*STARTUP, *RUNTIME]:
        print(f"{key} = {spark.conf.get(key)}")
    spark.stop()
