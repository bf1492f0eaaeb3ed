"""The shared engine library (tests/support/) keeps its promises: one way to run an example,
no import-time side effects, no folder reaching into another folder's conftest, and servers
that fail with their own log and leave no process behind."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.examples import ROOT, ExampleFailed, run_example
from tests.support.java import JavaNotUsable, java_for_flink
from tests.support.processes import Server, ServerDidNotStart, session_processes

TESTS = ROOT / "tests"
MODULES = sorted(
    [*TESTS.glob("support/*.py"), *TESTS.glob("conftest.py"), *TESTS.glob("*/conftest.py")]
)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(TESTS)))
def test_importing_a_fixture_module_leaves_the_environment_alone(path: Path):
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    check = (
        "import importlib, os, sys\n"
        "before = dict(os.environ)\n"
        f"importlib.import_module({module!r})\n"
        "keys = {*before, *os.environ}\n"
        "changed = sorted(k for k in keys if before.get(k) != os.environ.get(k))\n"
        "print(changed)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    if "ModuleNotFoundError" in done.stderr:
        pytest.fail(f"{module} imports an engine at module level:\n{done.stderr[-2000:]}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", f"importing {module} changed {done.stdout.strip()}"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name}


def test_no_test_folder_imports_another_folders_conftest():
    crossings = []
    for path in TESTS.rglob("*.py"):
        folder = path.relative_to(TESTS).parts[0]
        for name in imported_modules(path):
            parts = name.split(".")
            if parts[0] == "tests" and parts[-1] == "conftest" and parts[1] != folder:
                crossings.append(f"{path.relative_to(ROOT)} imports {name}")
    assert crossings == [], "use a fixture from tests/support/ instead:\n" + "\n".join(crossings)


JAVA_LOOKUP = re.compile(r'\[\s*\w+,\s*"-version"|environ(\.get\(|\[)"JAVA_HOME"')


def test_only_the_java_module_looks_for_java():
    """One JDK finder: no other module runs `java -version` or reads JAVA_HOME itself."""
    others = [
        str(path.relative_to(ROOT))
        for path in TESTS.rglob("*.py")
        if path != TESTS / "support" / "java.py" and JAVA_LOOKUP.search(path.read_text())
    ]
    assert others == []


def test_flink_names_the_fix_when_java_home_is_wrong(monkeypatch, tmp_path):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(JavaNotUsable, match=r"has no bin/java.*openjdk-17-jdk-headless"):
        java_for_flink()


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_run_example_returns_output_exit_code_and_the_globals_asked_for(tmp_path):
    example = write(
        tmp_path / "example.py",
        "import sys\nresults = [int(a) * 2 for a in sys.argv[1:]]\nprint('doubled', results)\n"
        "unserialisable = object()\n",
    )
    run = run_example(example, "1", "2", keep=("results", "missing"))
    assert (run.returncode, run.stdout, run.globals) == (0, "doubled [2, 4]\n", {"results": [2, 4]})


def test_a_failing_example_fails_with_its_output(tmp_path):
    """The canary: an example that raises is a failed test that shows what it printed."""
    example = write(tmp_path / "broken.py", "print('started')\nraise SystemExit('no engine')\n")
    with pytest.raises(ExampleFailed, match=r"(?s)broken\.py exited with 1.*started.*no engine"):
        run_example(example)
    assert run_example(example, expect=None).returncode == 1


def test_shell_examples_run_with_bash_and_this_venv_first_on_path(tmp_path):
    example = write(tmp_path / "which.sh", 'command -v python\necho "$GREETING"\n')
    run = run_example(example, env={"GREETING": "hello"})
    assert run.stdout.splitlines() == [str(Path(sys.executable).parent / "python"), "hello"]


def test_a_server_that_dies_fails_with_its_log_and_leaves_nothing(tmp_path):
    server = Server(
        "a broken server",
        ["bash", "-c", "sleep 30 & echo 'bind: address already in use' >&2; exit 3"],
        log_path=tmp_path / "server.log",
    )
    with pytest.raises(ServerDidNotStart, match=r"(?s)exited with code 3.*address already in use"):
        server.wait_until(lambda: False, 60, "answering")
    server.stop()
    # Its `sleep` child got SIGKILL with the group; the kernel needs a moment to end it.
    deadline = time.monotonic() + 10
    while session_processes(server.process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session_processes(server.process.pid) == []


def test_an_example_imports_its_sibling_as_when_run_by_hand(tmp_path):
    write(tmp_path / "helper.py", "ANSWER = 42\n")
    example = write(tmp_path / "main.py", "from helper import ANSWER\nresult = ANSWER\n")
    assert run_example(example, keep=("result",)).globals == {"result": 42}
