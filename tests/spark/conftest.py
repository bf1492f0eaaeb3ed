"""The Spark chapter: examples imported into the session's Spark (`spark`,
tests/support/spark_session.py), and one example run as a reader runs it, in a JVM of its own."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

from tests.support.examples import EXAMPLES, import_example
from tests.support.processes import Server, running
from tests.support.spark_session import C1_ONLY


@pytest.fixture(scope="session")
def example() -> Callable[[str], ModuleType]:
    """`example("salting")` imports examples/spark/salting.py (once) and returns the module.
    Examples call `SparkSession.builder...getOrCreate()`, which returns the session's Spark."""
    loaded: dict[str, ModuleType] = {}

    def load(name: str) -> ModuleType:
        if name not in loaded:
            loaded[name] = import_example(EXAMPLES / "spark" / f"{name}.py")
        return loaded[name]

    return load


def run_printing(run: Callable[..., Any], *args: Any) -> tuple[Any, str]:
    """Call an example's `run(spark, ...)`: its result, and what it printed (its page's output)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = run(*args)
    sys.stdout.write(out.getvalue())  # pytest shows it when a test fails
    return result, out.getvalue()


NEW_JVM_TEST = "tests/spark/test_tuning.py::test_builder_sets_start_up_settings_in_a_new_jvm"


@pytest.fixture(scope="session", autouse=True)
def tuning_in_a_new_jvm(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server | None]:
    """`python examples/spark/tuning.py` in its own process and JVM, as a reader runs it.

    Started with the test session (when that test is selected), so its JVM starts while the
    other tests run; the test waits for it and reads its output. Always stopped at the end.
    """
    if not any(item.nodeid == NEW_JVM_TEST for item in request.session.items):
        yield None
        return
    env = request.getfixturevalue("spark_env")
    # No UI and the C1 JIT only: a lighter start of the second JVM, and neither touches what
    # the test checks (the heap the builder's settings gave it). Two task slots, as local[*]
    # on any machine of two cores or more: on one, spark.range() is a single partition, the
    # AQE-off query needs no shuffle, and the page's "AQE off: 8" would print 1.
    env = {
        **env,
        "PYSPARK_SUBMIT_ARGS": (
            "--master local[2] --conf spark.ui.enabled=false "
            f"--driver-java-options {C1_ONLY} pyspark-shell"
        ),
    }
    logs = tmp_path_factory.mktemp("tuning")
    script, stderr = EXAMPLES / "spark" / "tuning.py", logs / "stderr.log"
    # The server's log gets stdout alone, what the page shows; stderr, which the driver's JVM
    # inherits with its warnings, goes to a file of its own.
    command = ["bash", "-c", 'exec "$0" "$1" 2>"$2"', sys.executable, str(script), str(stderr)]
    server = Server(
        "python examples/spark/tuning.py", command, log_path=logs / "tuning.log", env=env
    )
    with running(server):
        yield server
