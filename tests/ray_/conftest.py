"""One real Ray head node for the whole test session, on 127.0.0.1, stopped by its own PIDs.

`ray start --head --block` runs in a process group of its own (tests/support/processes.py),
and every process it forks (GCS, raylet, agents, workers, Serve actors) stays in its session.
Teardown signals that group, then any process left in that session: never `ray stop`, which
kills every Ray process on the machine, other people's included.
"""

from __future__ import annotations

import contextlib
import os
import re
import runpy
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import ray

from tests.support.processes import Server, ServerDidNotStart, free_port

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "ray_"
START_TIMEOUT = 240.0  # a cold head takes 10-40 s; far longer on a busy 2-core machine
ATTEMPTS = 3

# Environment of the head and of every example the tests run.
RAY_ENV = {
    # Ray 2.60 turns token auth on and writes ~/.ray/auth_token: keep the tests out of $HOME.
    "RAY_AUTH_MODE": "disabled",
    # Ray rewrites --node-ip-address=127.0.0.1 to the machine's external address unless it
    # believes it runs on a laptop; this switch keeps every Ray server on the loopback.
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
    # How long `ray start` waits for its raylet to register (default 30 s: too short when busy).
    "RAY_raylet_start_wait_time_s": "180",
    "RAY_USAGE_STATS_ENABLED": "0",
}


def session_processes(sid: int) -> list[int]:
    """PIDs of the processes whose session id is `sid` (the session our head started)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command name: state, ppid, pgrp, session, ...
        if int(fields[3]) == sid and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids


def stop_head(server: Server) -> None:
    """Stop the group we started, then whatever of its session still runs (workers use their
    own process groups in Ray 2.60)."""
    server.stop()
    for pid in session_processes(server.process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def start_head(temp_dir: Path) -> tuple[Server, str]:
    ray_cli = Path(sys.executable).parent / "ray"
    if not ray_cli.exists():
        raise RuntimeError(f"no `ray` command beside {sys.executable}: install the ray group")
    args = [
        str(ray_cli),
        "start",
        "--head",
        "--port=0",  # the GCS picks a free port; we read it back from the log
        "--node-ip-address=127.0.0.1",
        "--include-dashboard=false",
        "--disable-usage-stats",
        f"--temp-dir={temp_dir}",
        # Defaults are fixed ports (10001, 52365) that a second cluster on the machine would hit.
        f"--ray-client-server-port={free_port()}",
        f"--dashboard-agent-listen-port={free_port()}",
        f"--dashboard-agent-grpc-port={free_port()}",
        f"--runtime-env-agent-port={free_port()}",
        f"--metrics-export-port={free_port()}",
        "--block",  # stay in the foreground, so the process group we own is the cluster
    ]
    server = Server("ray head", args, log_path=temp_dir / "ray-start.log", env=RAY_ENV)
    try:
        server.wait_until(
            lambda: "Ray runtime started" in server.log_path.read_text(errors="replace"),
            START_TIMEOUT,
            "Ray runtime started",
        )
    except ServerDidNotStart as error:
        stop_head(server)
        raylet = sorted(temp_dir.glob("session_*/logs/raylet.out"))
        tail = raylet[-1].read_text(errors="replace").splitlines()[-5:] if raylet else []
        raise ServerDidNotStart(f"{error}\nlast lines of the raylet's log:\n" + "\n".join(tail))
    match = re.search(r"--address='([^']+)'", server.log_path.read_text(errors="replace"))
    if match is None:
        stop_head(server)
        raise ServerDidNotStart(f"no cluster address in {server.log_path}:\n{server.log_tail()}")
    return server, match.group(1)


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[str]:
    """Start the head once; point RAY_ADDRESS at it for the examples; always stop it."""
    # Short path: Ray's unix sockets live under the temp dir and must stay under 108 bytes.
    temp_dir = Path(tempfile.mkdtemp(prefix="ray-tests-", dir="/tmp"))
    errors = []
    for attempt in range(1, ATTEMPTS + 1):
        # Ray 2.60's raylet gives its dashboard agent 15 s to come up and aborts otherwise;
        # on a loaded machine that can miss, so a failed start is retried in a fresh dir.
        attempt_dir = temp_dir / str(attempt)
        attempt_dir.mkdir()
        try:
            server, address = start_head(attempt_dir)
            break
        except ServerDidNotStart as error:
            errors.append(f"attempt {attempt}: {error}")
    else:
        raise ServerDidNotStart("\n\n".join(errors))
    try:
        with pytest.MonkeyPatch.context() as env:
            for name, value in {**RAY_ENV, "RAY_ADDRESS": address}.items():
                env.setenv(name, value)
            yield address
    finally:
        stop_head(server)
        shutil.rmtree(temp_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def serve_port(ray_cluster: str) -> Iterator[int]:
    """A free port for Serve's HTTP proxy (8000, its default, may be taken on the machine)."""
    port = free_port()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SERVE_HTTP_PORT", str(port))
        yield port


@pytest.fixture
def run_example(ray_cluster: str, monkeypatch: pytest.MonkeyPatch):
    """Run examples/ray_/<name> as `python <file> <argv>` would, in this process, and return
    its globals (the futures, results, actors...) so a test can check them. The file connects
    with ray.init(address="auto"), which follows RAY_ADDRESS to the session's head."""

    def run(name: str, *argv: str) -> dict:
        path = EXAMPLES / name
        monkeypatch.setattr(sys, "argv", [str(path), *argv])
        try:
            return runpy.run_path(str(path), run_name="__main__")
        finally:
            ray.shutdown()  # disconnect this driver; its non-detached actors end with it

    return run
