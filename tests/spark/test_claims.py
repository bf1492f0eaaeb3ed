"""The Spark pages' version-sensitive facts, read from the pinned pyspark's own definitions.

Each test backs a claim in docs/includes/claims/ (tests/docs/test_claims.py keeps them paired).
A default is read from a new, empty SQLConf, not from the session, whose settings the fixtures
may have changed; a size's default as its ConfigEntry registers it (SQLConf gives bytes).
"""

from __future__ import annotations

import inspect
import zipfile
from pathlib import Path

import pytest


def sql_default(spark, key: str) -> str:
    """The value a new, empty SQLConf gives `key`: its registered default."""
    return spark._jvm.org.apache.spark.sql.internal.SQLConf().getConfString(key)


def registered_default(spark, key: str) -> str:
    """A setting's default as its ConfigEntry registers it ("10MB", where SQLConf says bytes)."""
    entry = spark._jvm.org.apache.spark.internal.config.ConfigEntry.findEntry(key)
    assert entry is not None, f"{key} is not a Spark {spark.version} setting"
    return entry.defaultValueString()


def scala_object(spark, name: str):
    """The instance of a Scala `object` (its `MODULE$`), to call its public members."""
    return getattr(getattr(spark._jvm, f"{name}$"), "MODULE$")


def private_set(spark, name: str, field: str) -> set[str]:
    """A private `Set[String]` of a Scala object, read by reflection."""
    module = scala_object(spark, name)
    declared = module.getClass().getDeclaredField(field)
    declared.setAccessible(True)
    found, items = set(), declared.get(module).iterator()
    while items.hasNext():
        found.add(items.next())
    return found


def test_adaptive_execution_is_on_by_default(spark):
    assert sql_default(spark, "spark.sql.adaptive.enabled") == "true"
    assert sql_default(spark, "spark.sql.adaptive.coalescePartitions.enabled") == "true"
    assert sql_default(spark, "spark.sql.adaptive.skewJoin.enabled") == "true"


def test_skew_join_thresholds(spark):
    factor = "spark.sql.adaptive.skewJoin.skewedPartitionFactor"
    assert float(sql_default(spark, factor)) == 5
    threshold = "spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes"
    assert registered_default(spark, threshold) == "256MB"


def test_broadcast_threshold_and_shuffle_partitions(spark):
    assert registered_default(spark, "spark.sql.autoBroadcastJoinThreshold") == "10MB"
    assert sql_default(spark, "spark.sql.shuffle.partitions") == "200"


def test_python_udfs_use_arrow_by_default(spark):
    assert sql_default(spark, "spark.sql.execution.pythonUDF.arrow.enabled") == "true"


def test_unified_memory_defaults(spark):
    assert registered_default(spark, "spark.memory.fraction") == "0.6"
    assert registered_default(spark, "spark.memory.storageFraction") == "0.5"
    # The 300 MB reserved before the fraction applies is a private constant; its doc names it.
    doc = spark._jvm.org.apache.spark.internal.config.ConfigEntry.findEntry(
        "spark.memory.fraction"
    ).doc()
    assert "(heap space - 300MB)" in doc


def test_memory_overhead_defaults(spark):
    assert registered_default(spark, "spark.executor.memoryOverheadFactor") == "0.1"
    assert registered_default(spark, "spark.executor.minMemoryOverhead") == "384m"
    minimum = spark._jvm.org.apache.spark.internal.config.ConfigEntry.findEntry(
        "spark.executor.minMemoryOverhead"
    )
    assert minimum.version() == "4.0.0"  # a setting of its own since Spark 4.0
    assert registered_default(spark, "spark.executor.memoryOverhead") == "<undefined>"
    # On Kubernetes, the driver step of a Python or R application (BasicDriverFeatureStep) sets
    # spark.kubernetes.memoryOverheadFactor to this factor unless it is set, and executors
    # use that value unless spark.executor.memoryOverheadFactor is set.
    k8s = scala_object(spark, "org.apache.spark.deploy.k8s.Constants")
    assert k8s.NON_JVM_MEMORY_OVERHEAD_FACTOR() == pytest.approx(0.4)
    older = scala_object(spark, "org.apache.spark.deploy.k8s.Config").MEMORY_OVERHEAD_FACTOR()
    assert (older.key(), older.defaultValueString()) == (
        "spark.kubernetes.memoryOverheadFactor",
        "0.1",
    )


def test_default_ports(spark):
    assert registered_default(spark, "spark.ui.port") == "4040"
    connect = scala_object(spark, "org.apache.spark.sql.connect.config.Connect")
    binding = connect.CONNECT_GRPC_BINDING_PORT()
    assert (binding.key(), binding.defaultValueString()) == (
        "spark.connect.grpc.binding.port",
        "15002",
    )


def test_spark_is_built_for_java_17():
    """Class files of major version 61 need a Java 17 runtime or newer."""
    import pyspark

    jar = next((Path(pyspark.__file__).parent / "jars").glob("spark-core_*.jar"))
    with zipfile.ZipFile(jar) as classes:
        header = classes.read("org/apache/spark/SparkContext.class")[:8]
    assert header[:4] == bytes.fromhex("cafebabe")
    assert int.from_bytes(header[6:8], "big") == 61


def test_real_time_mode_trigger(spark, tmp_path):
    from pyspark.sql.streaming import DataStreamWriter

    assert "realTime" in inspect.signature(DataStreamWriter.trigger).parameters
    key = "spark.sql.streaming.realTimeMode.minBatchDuration"
    assert sql_default(spark, key) == "5000ms"
    writer = (
        spark.readStream.format("rate")
        .load()
        .writeStream.format("console")
        .outputMode("update")
        .option("checkpointLocation", str(tmp_path / "short"))
    )
    with pytest.raises(Exception, match="INVALID_STREAMING_REAL_TIME_MODE_TRIGGER_INTERVAL"):
        writer.trigger(realTime="1 second").start()


def start_real_time(spark, checkpoint, output_mode: str):
    """A real-time query from the built-in `rate` source; fails at start or in its first batch."""
    query = (
        spark.readStream.format("rate")
        .load()
        .writeStream.format("console")
        .outputMode(output_mode)
        .option("checkpointLocation", str(checkpoint))
        .trigger(realTime="5 seconds")
        .start()
    )
    try:
        query.awaitTermination(120)
    finally:
        query.stop()


def test_real_time_mode_limits(spark, tmp_path):
    with pytest.raises(Exception, match=r"STREAMING_REAL_TIME_MODE\.OUTPUT_MODE_NOT_SUPPORTED"):
        start_real_time(spark, tmp_path / "append", "append")
    with pytest.raises(Exception, match=r"STREAMING_REAL_TIME_MODE\.INPUT_STREAM_NOT_SUPPORTED"):
        start_real_time(spark, tmp_path / "rate", "update")

    allowlist = "org.apache.spark.sql.execution.streaming.runtime.RealTimeModeAllowlist"
    sinks = {name.rsplit(".", 1)[-1] for name in private_set(spark, allowlist, "allowedSinks")}
    assert sinks == {
        "KafkaSourceProvider$KafkaTable",
        "ForeachWriterTable",  # foreach (ForeachWriter); foreachBatch is not there
        "ConsoleTable$",
        "ContinuousMemorySink",
    }
    operators = {n.rsplit(".", 1)[-1] for n in private_set(spark, allowlist, "allowedOperators")}
    # Stateless operators and a broadcast stream-static join...
    assert {"ProjectExec", "FilterExec", "UnionExec", "BroadcastHashJoinExec"} <= operators
    # ...deduplication and aggregation (with watermarks)...
    assert {"StreamingDeduplicateExec", "StateStoreSaveExec", "EventTimeWatermarkExec"} <= operators
    # ...but no stream-stream join, [flat]mapGroupsWithState, Python state or session window.
    assert not operators & {
        "StreamingSymmetricHashJoinExec",
        "FlatMapGroupsWithStateExec",
        "FlatMapGroupsInPandasWithStateExec",
        "TransformWithStateInPySparkExec",
        "SessionWindowStateStoreSaveExec",
    }
