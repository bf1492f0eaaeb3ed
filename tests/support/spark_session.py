"""Spark for the tests: one `local[2]` session in this process, and the environment that a
separate Spark process (a lab's kernel, a second JVM) needs. Both check the JDK first."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from tests.support.java import JavaNotUsable, java_for_spark

# The C1 JIT only: the tests' JVMs live a minute or two, not long enough for C2's compilations
# to pay for the CPU they take from two busy cores (it halves the JVM's CPU time here).
C1_ONLY = "-XX:TieredStopAtLevel=1"


@pytest.fixture(scope="session")
def spark_env() -> Iterator[dict[str, str]]:
    """What any Spark driver the tests start needs, exported for the session: Python workers
    are this interpreter (it has pyarrow and pandas), the driver binds loopback, and never a
    reader's cluster: none of the settings that name one (SPARK_REMOTE; MASTER, which
    spark-submit reads; spark-defaults.conf in SPARK_CONF_DIR). The JDK is checked first."""
    try:
        java = java_for_spark()
    except JavaNotUsable as error:
        pytest.fail(str(error), pytrace=False)
    env = {
        "JAVA_HOME": java.home,
        "PYSPARK_PYTHON": sys.executable,
        "PYSPARK_DRIVER_PYTHON": sys.executable,
        "SPARK_LOCAL_IP": "127.0.0.1",
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        for name in ("SPARK_REMOTE", "MASTER", "SPARK_CONF_DIR"):
            patch.delenv(name, raising=False)
        yield env


@pytest.fixture(scope="session")
def spark(spark_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory):
    """One `local[2]` SparkSession, UI off, stopped at the end of the session (its JVM exits
    with the test process).

    Examples that call `SparkSession.builder...getOrCreate()` get this session back (only
    their run-time SQL settings take effect), so every example runs in the same JVM."""
    from pyspark.sql import SparkSession

    scratch = tmp_path_factory.mktemp("spark")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("field-guide-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "1g")
        .config("spark.driver.extraJavaOptions", C1_ONLY)
        # Small shuffles: 4 partitions, not 200. Examples that show partition counts set theirs.
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.local.dir", str(scratch / "local"))
        .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        # stop() ends the SparkContext; py4j's JVM exits when this process does, because it
        # quits when its stdin closes (SPARK-4415), so a crashed test run leaves no JVM either.
        session.stop()
