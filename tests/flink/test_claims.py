"""The Flink page's version-sensitive facts, read from the pinned PyFlink and its JVM.

Each test backs a claim in docs/includes/claims/ (tests/docs/test_claims.py keeps them paired);
the removed Flink 1.x checkpoint calls are backed by tests/flink/test_checkpoints.py.
"""

from __future__ import annotations

# A card's small test charge, then two large ones within a minute: a pattern fraud detection
# looks for, in Flink SQL's MATCH_RECOGNIZE (the CEP library's SQL).
SWIPES = """
CREATE TEMPORARY TABLE swipes (
  card STRING, amount DOUBLE, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'datagen')
"""
PATTERN = """
SELECT * FROM swipes MATCH_RECOGNIZE (
  PARTITION BY card ORDER BY ts
  MEASURES A.ts AS probe_time, C.ts AS last_time
  ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW
  PATTERN (A B C) WITHIN INTERVAL '1' MINUTE
  DEFINE A AS A.amount < 5, B AS B.amount > 500, C AS C.amount > 500
)
"""


def private_constant(class_name: str, field: str):
    """A private static constant of a Java class, read by reflection in the gateway JVM."""
    from pyflink.java_gateway import get_gateway

    declared = get_gateway().jvm.java.lang.Class.forName(class_name).getDeclaredField(field)
    declared.setAccessible(True)
    return declared.get(None)


def test_late_records(flink_gateway):
    # Flink SQL's window aggregation counts the late rows it drops in this metric...
    window_agg = "org.apache.flink.table.runtime.operators.window.tvf.common.WindowAggOperator"
    metric = private_constant(window_agg, "LATE_ELEMENTS_DROPPED_METRIC_NAME")
    assert metric == "numLateRecordsDropped"
    # ...while a DataStream window can wait longer for them or send them to a side output.
    from pyflink.datastream.data_stream import WindowedStream

    assert callable(WindowedStream.allowed_lateness)
    assert callable(WindowedStream.side_output_late_data)


def test_checkpoints_are_not_kept_by_default(flink_gateway):
    from pyflink.java_gateway import get_gateway

    options = get_gateway().jvm.org.apache.flink.configuration.CheckpointingOptions
    retention = options.EXTERNALIZED_CHECKPOINT_RETENTION
    assert retention.key() == "execution.checkpointing.externalized-checkpoint-retention"
    assert retention.defaultValue().name() == "NO_EXTERNALIZED_CHECKPOINTS"


def test_stop_with_savepoint(flink_gateway):
    from pyflink.java_gateway import get_gateway

    parser = get_gateway().jvm.org.apache.flink.client.cli.CliFrontendParser
    assert parser.STOP_WITH_SAVEPOINT_PATH.getLongOpt() == "savepointPath"


def test_sql_match_recognize_plans(flink_gateway):
    from pyflink.table import EnvironmentSettings, TableEnvironment

    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    t_env.execute_sql(SWIPES)
    plan = t_env.explain_sql(PATTERN)
    assert "Match(" in plan, plan


def test_kafka_sink_offers_exactly_once():
    from pyflink.datastream.connectors.base import DeliveryGuarantee
    from pyflink.datastream.connectors.kafka import KafkaSinkBuilder

    assert DeliveryGuarantee.EXACTLY_ONCE.name == "EXACTLY_ONCE"
    assert callable(KafkaSinkBuilder.set_delivery_guarantee)
    # Kafka transactions need a prefix for their ids: the two-phase commit's other half.
    assert callable(KafkaSinkBuilder.set_transactional_id_prefix)
