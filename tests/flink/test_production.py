"""examples/flink/production.py: the Kafka and JDBC tables register in Flink's catalog, the query
validates up to the missing connector jar, and the checkpoint settings are the draft's."""

from __future__ import annotations

import runpy

import pytest

from tests.flink.conftest import EXAMPLES


@pytest.fixture(scope="module")
def production(flink_gateway):
    return runpy.run_path(str(EXAMPLES / "production.py"), run_name="production")


@pytest.fixture
def t_env(flink_gateway):
    from pyflink.table import EnvironmentSettings, TableEnvironment

    return TableEnvironment.create(EnvironmentSettings.in_streaming_mode())


def describe(t_env, table: str) -> dict[str, list]:
    """DESCRIBE: column -> [name, type, null, key, extras, watermark]."""
    with t_env.execute_sql(f"DESCRIBE {table}").collect() as rows:
        return {row[0]: list(row) for row in rows}


def test_production_tables_register_in_the_catalog(production, t_env):
    production["create_tables"](t_env)
    assert set(t_env.list_tables()) == {"user_clicks", "page_views"}
    clicks = describe(t_env, "user_clicks")
    assert list(clicks) == ["user_id", "page", "click_time"]
    assert clicks["click_time"][1] == "TIMESTAMP(3) *ROWTIME*"
    assert clicks["click_time"][5] == "`click_time` - INTERVAL '5' SECOND"
    views = describe(t_env, "page_views")
    assert [views[c][3] for c in views] == ["PRI(page, window_start, window_end)"] * 3 + [None]
    assert views["view_count"][1] == "BIGINT"


def test_production_query_needs_only_the_connector_jars(production, t_env):
    production["create_tables"](t_env)
    query = (EXAMPLES / "page_views.sql").read_text()
    # Parsing, the catalog and the window query all pass; planning stops at the first connector,
    # whose jar a cluster provides (this wheel ships the filesystem connector only).
    with pytest.raises(Exception, match="Could not find any factory for identifier 'kafka'"):
        t_env.explain_sql(query)


def test_production_checkpoint_settings(production):
    from pyflink.datastream import ExternalizedCheckpointRetention
    from pyflink.table import StreamTableEnvironment

    env = production["checkpointed_environment"]()
    config = StreamTableEnvironment.create(env).get_config()
    assert config.get("execution.checkpointing.dir", "") == "hdfs:///flink/checkpoints"
    checkpoints = env.get_checkpoint_config()
    assert checkpoints.get_checkpoint_interval() == 60_000
    assert checkpoints.get_min_pause_between_checkpoints() == 30_000
    assert checkpoints.get_checkpoint_timeout() == 600_000
    assert checkpoints.get_max_concurrent_checkpoints() == 1
    assert (
        checkpoints.get_externalized_checkpoint_retention()
        == ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION
    )
