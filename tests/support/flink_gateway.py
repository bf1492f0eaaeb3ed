"""One PyFlink gateway JVM for the whole test session, started and stopped through `Server`.

PyFlink normally starts its JVM as a child of the Python process, one per process. Here the
session starts it once, in its own process group (stopping the group also ends any Python
worker the JVM forks), and points PyFlink at it with PYFLINK_GATEWAY_PORT, the variable
PyFlink itself reads. Examples then run in this process (`run_in_process`) against that JVM.

The JVM's temporary files (flink-rpc-akka*.jar, minicluster_*) go to the session's own folder
(java.io.tmpdir), which teardown deletes: nothing is left in /tmp.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.java import JavaNotUsable, java_for_flink
from tests.support.processes import Server, session_processes
from tests.support.spark_session import C1_ONLY

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


@pytest.fixture(scope="session")
def flink_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Start the gateway JVM; yield its workdir; stop it and check nothing of it is left."""
    import pyflink.java_gateway

    if "PYFLINK_GATEWAY_PORT" in os.environ:
        pytest.fail("PYFLINK_GATEWAY_PORT is set: unset it, the tests start their own JVM")
    try:
        java = java_for_flink()
    except JavaNotUsable as error:
        pytest.fail(str(error), pytrace=False)
    workdir = tmp_path_factory.mktemp("flink")
    jvm_tmp = workdir / "jvm-tmp"
    jvm_tmp.mkdir()
    port_file = workdir / "gateway.port"
    started = time.monotonic()
    server = Server(
        "PyFlink gateway JVM",
        [sys.executable, "-c", LAUNCH],
        log_path=workdir / "gateway.log",
        env={
            "JAVA_HOME": java.home,
            "JVM_ARGS": f"-Djava.io.tmpdir={jvm_tmp} {C1_ONLY}",
            "FLINK_LOG_DIR": str(workdir / "log"),
            "_PYFLINK_CONN_INFO_PATH": str(port_file),  # where the JVM writes its port
        },
    )
    patch = pytest.MonkeyPatch()
    try:
        server.wait_until(
            lambda: port_file.exists() and port_file.stat().st_size >= 4,
            START_TIMEOUT_S,
            "writing its gateway port",
        )
        port = int.from_bytes(port_file.read_bytes()[:4], "big")
        patch.setenv("PYFLINK_GATEWAY_PORT", str(port))
        pyflink.java_gateway.get_gateway()
        print(f"\nPyFlink gateway JVM (Java {java.major}) up in {time.monotonic() - started:.1f} s")
        yield workdir
    finally:
        # PyFlink has no public call that closes its gateway; left open, its exit hook would
        # talk to the stopped JVM and print tracebacks after the last test.
        gateway = pyflink.java_gateway._gateway
        pyflink.java_gateway._gateway = None
        patch.undo()
        if gateway is not None:
            # The JVM pings this process's callback server; once it is closed, the JVM exits by
            # itself and runs its shutdown hooks (which delete its temporary jars).
            gateway.close(close_callback_server_connections=True)
            gateway.shutdown_callback_server()
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.process.wait(timeout=60)
        server.stop()  # whatever is left of the group: SIGTERM, then SIGKILL
        deadline = time.monotonic() + 30
        while session_processes(server.process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = sorted(p.name for p in jvm_tmp.iterdir())
        shutil.rmtree(jvm_tmp, ignore_errors=True)
        leftover = session_processes(server.process.pid)
        assert not leftover, f"processes {leftover} of the gateway JVM outlived the tests"
        print(f"\nJVM temporary files removed with {jvm_tmp}: {left}")
