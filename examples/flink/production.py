"""The same page-view query in production: clicks from Kafka, counts into MySQL over JDBC.

It needs a cluster's connectors: the Kafka and JDBC connector jars and the MySQL driver, matching
your Flink version, in the cluster's lib/ or listed in PIPELINE_JARS (file:// URLs, `;`-separated).
Submit it with `flink run --python examples/flink/production.py`. The connection settings come
from the environment, so no password is written into the code.
"""

import os
from pathlib import Path

from pyflink.common import Configuration
from pyflink.datastream import ExternalizedCheckpointRetention, StreamExecutionEnvironment
from pyflink.table import StreamTableEnvironment, TableEnvironment

HERE = Path(__file__).resolve().parent


def checkpointed_environment() -> StreamExecutionEnvironment:
    # --8<-- [start:checkpoints]
    config = Configuration()
    config.set_string(
        "execution.checkpointing.dir",
        os.environ.get("FLINK_CHECKPOINT_DIR", "hdfs:///flink/checkpoints"),
    )
    env = StreamExecutionEnvironment.get_execution_environment(config)
    env.enable_checkpointing(60_000)  # every 60 s
    checkpoints = env.get_checkpoint_config()
    checkpoints.set_min_pause_between_checkpoints(30_000)
    checkpoints.set_checkpoint_timeout(600_000)
    checkpoints.set_max_concurrent_checkpoints(1)
    checkpoints.set_externalized_checkpoint_retention(
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION
    )
    # --8<-- [end:checkpoints]
    return env


def create_tables(t_env: TableEnvironment) -> None:
    # --8<-- [start:source]
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    t_env.execute_sql(f"""
        CREATE TABLE user_clicks (
            user_id STRING,
            page STRING,
            click_time TIMESTAMP(3),
            WATERMARK FOR click_time AS click_time - INTERVAL '5' SECOND
        ) WITH (
            'connector' = 'kafka',
            'topic' = 'clicks',
            'properties.bootstrap.servers' = '{kafka}',
            'properties.group.id' = 'page-views',
            'format' = 'json',
            'scan.startup.mode' = 'latest-offset'
        )
    """)
    # --8<-- [end:source]
    # --8<-- [start:sink]
    # The primary key makes the JDBC sink upsert: a window replayed after a restore from a
    # checkpoint overwrites its row instead of adding a second one.
    t_env.execute_sql(f"""
        CREATE TABLE page_views (
            page STRING,
            window_start TIMESTAMP(3),
            window_end TIMESTAMP(3),
            view_count BIGINT,
            PRIMARY KEY (page, window_start, window_end) NOT ENFORCED
        ) WITH (
            'connector' = 'jdbc',
            'url' = '{os.environ.get("JDBC_URL", "jdbc:mysql://mysql:3306/stats")}',
            'table-name' = 'page_views',
            'username' = '{os.environ.get("JDBC_USER", "user")}',
            'password' = '{os.environ.get("JDBC_PASSWORD", "")}'
        )
    """)
    # --8<-- [end:sink]


if __name__ == "__main__":
    t_env = StreamTableEnvironment.create(checkpointed_environment())
    if "PIPELINE_JARS" in os.environ:
        t_env.get_config().set("pipeline.jars", os.environ["PIPELINE_JARS"])
    create_tables(t_env)
    # The same query as the local run; on a cluster the job runs on after this script returns.
    t_env.execute_sql((HERE / "page_views.sql").read_text())
