"""The Spark chapter: examples imported into the session's Spark (`spark`,
tests/support/spark_session.py), and one example run as a reader runs it, in a JVM of its own."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from types import ModuleType

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
    # the test checks (the heap the builder's settings gave it).
    env = {
        **env,
        "PYSPARK_SUBMIT_ARGS": (
            "--master local[1] --conf spark.ui.enabled=false "
            f"--driver-java-options {C1_ONLY} pyspark-shell"
        ),
    }
    server = Server(
        "python examples/spark/tuning.py",
        [sys.executable, str(EXAMPLES / "spark" / "tuning.py")],
        log_path=tmp_path_factory.mktemp("tuning") / "tuning.log",
        env=env,
    )
    with running(server):
        yield server
