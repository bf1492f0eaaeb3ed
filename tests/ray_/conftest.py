"""One real Ray head node for the whole test session, on 127.0.0.1, stopped by its own PIDs.

`ray start --head --block` runs in a process group of its own (tests/support/processes.py),
and every process it forks (GCS, raylet, agents, workers, Serve actors) stays in its session.
Teardown signals that group, then any process left in that session: never `ray stop`, which
kills every Ray process on the machine, other people's included.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

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
    # Start workers when work arrives, not with the node: less for a busy machine to do while
    # the raylet waits (15 s at most) for its dashboard agent.
    "RAY_enable_worker_prestart": "0",
    # Ray Client's proxier forks a server process for each client while its own gRPC threads
    # run. With gRPC's fork support on, gRPC restarts its poller in the child before the child
    # has exec'd, and the child can die there ("Starting Ray client server failed", the child's
    # log ending in `epoll_wait error: Bad file descriptor`; Ray issue #63202). Off, the child
    # only execs: the Ray processes here fork only to exec, so they need no fork support.
    "GRPC_ENABLE_FORK_SUPPORT": "0",
}
# Ray reads some of these when it is first imported (the auth mode among them), and this
# process imports it just below and connects to the head as a driver (`ray_driver`): export
# them before that first import, not only when the head starts.
os.environ.update(RAY_ENV)

from ray._raylet import (  # noqa: E402
    DASHBOARD_AGENT_LISTEN_PORT_NAME,
    get_port_filename,
    persist_port,
)

from tests.support.processes import Server, ServerDidNotStart, free_port  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "ray_"
START_TIMEOUT = 240.0  # a cold head takes 10-40 s; far longer on a busy 2-core machine
ATTEMPTS = 4


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
    # `ray start --block` spends its whole grace period on a SIGTERM; nothing of this cluster
    # needs a clean exit (its temp dir is deleted next), so SIGKILL follows after 3 s.
    server.stop(grace=3.0)
    for pid in session_processes(server.process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


class RayletAborted(ServerDidNotStart):
    """The raylet died during start-up (Ray 2.60 aborts it when its dashboard agent takes
    more than 15 s to come up, which happens on a loaded machine)."""


def raylet_aborted(temp_dir: Path) -> str | None:
    for log in temp_dir.glob("session_*/logs/raylet.out"):
        for line in log.read_text(errors="replace").splitlines():
            if "Check failed" in line:
                return line
    return None


def vouch_for_agent_port(temp_dir: Path, listen_port: int) -> None:
    """Write the dashboard agent's port file for it, with the port we told it to bind.

    Ray 2.60's raylet aborts ("Timed out waiting for file .../dashboard_agent_listen_port_...")
    when its dashboard agent needs more than 15 s to import and write that file, and the
    raylet has no flag for the port. On a loaded 2-core machine that is most start-ups. The
    agent binds the fixed --dashboard-agent-listen-port we pass, so we can write the same
    number (with Ray's own writer) as soon as the raylet names its node; the agent overwrites
    it with the same value once it is up."""
    for log in temp_dir.glob("session_*/logs/raylet.out"):
        match = re.search(r"Setting node ID node_id=([0-9a-f]+)", log.read_text(errors="replace"))
        if match is None:
            continue
        session_dir, node_id = log.parent.parent, match.group(1)
        port_file = session_dir / get_port_filename(node_id, DASHBOARD_AGENT_LISTEN_PORT_NAME)
        if not port_file.exists():
            persist_port(str(session_dir), node_id, DASHBOARD_AGENT_LISTEN_PORT_NAME, listen_port)


def start_head(temp_dir: Path) -> tuple[Server, str, int]:
    """Start a head under `temp_dir`; return it, its GCS address and its Ray Client port."""
    ray_cli = Path(sys.executable).parent / "ray"
    if not ray_cli.exists():
        raise RuntimeError(f"no `ray` command beside {sys.executable}: install the ray group")
    client_port, agent_port = free_port(), free_port()
    args = [
        str(ray_cli),
        "start",
        "--head",
        "--port=0",  # the GCS picks a free port; Ray writes it to <temp-dir>/ray_current_cluster
        "--node-ip-address=127.0.0.1",
        "--include-dashboard=false",
        "--disable-usage-stats",
        f"--temp-dir={temp_dir}",
        # Defaults are fixed ports (10001, 52365) that a second cluster on the machine would hit.
        f"--ray-client-server-port={client_port}",
        f"--dashboard-agent-listen-port={agent_port}",
        f"--dashboard-agent-grpc-port={free_port()}",
        f"--runtime-env-agent-port={free_port()}",
        f"--metrics-export-port={free_port()}",
        "--block",  # stay in the foreground, so the process group we own is the cluster
    ]
    server = Server("ray head", args, log_path=temp_dir / "ray-start.log", env=RAY_ENV)
    address_file = temp_dir / "ray_current_cluster"

    def ready() -> bool:
        vouch_for_agent_port(temp_dir, agent_port)
        aborted = raylet_aborted(temp_dir)
        if aborted:
            raise RayletAborted(f"the raylet aborted: {aborted}")
        started = "Ray runtime started" in server.log_path.read_text(errors="replace")
        return started and address_file.exists()

    try:
        server.wait_until(ready, START_TIMEOUT, "Ray runtime started")
    except ServerDidNotStart:
        stop_head(server)
        raise
    return server, address_file.read_text().strip(), client_port


@pytest.fixture(scope="session")
def ray_head() -> Iterator[tuple[str, int]]:
    """Start the head once per session; point RAY_ADDRESS at it; always stop it."""
    # Short path: Ray's unix sockets live under the temp dir and must stay under 108 bytes.
    temp_dir = Path(tempfile.mkdtemp(prefix="ray-tests-", dir="/tmp"))
    HEAD_DIRS.append(temp_dir)
    server = None
    try:
        errors = []
        for attempt in range(1, ATTEMPTS + 1):
            attempt_dir = temp_dir / str(attempt)
            attempt_dir.mkdir()
            try:
                server, address, client_port = start_head(attempt_dir)
                break
            except RayletAborted as error:  # a busy machine, not a broken set-up: try again
                errors.append(f"attempt {attempt}: {error}")
        else:
            raise ServerDidNotStart(
                f"the Ray head did not start in {ATTEMPTS} attempts:\n" + "\n".join(errors)
            )
        with pytest.MonkeyPatch.context() as env:
            for name, value in {**RAY_ENV, "RAY_ADDRESS": address}.items():
                env.setenv(name, value)
            yield address, client_port
    finally:
        if server is not None:
            stop_head(server)
        shutil.rmtree(temp_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def ray_cluster(ray_head: tuple[str, int]) -> str:
    """The GCS address of the session's head (also in RAY_ADDRESS)."""
    return ray_head[0]


@pytest.fixture(scope="session")
def ray_driver(ray_cluster: str) -> Iterator[None]:
    """This test process, connected to the session's head as a driver, once: the checks that
    are a few calls (Serve's status, a task that cannot be scheduled) skip the start-up of a
    Python process each. Examples still run in fresh processes (`run_example`)."""
    import logging

    import ray

    ray.init(address=ray_cluster, logging_level=logging.ERROR, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


@pytest.fixture(scope="session")
def ray_client_address(ray_head: tuple[str, int]) -> str:
    """The head's Ray Client address, the kind of RAY_ADDRESS a laptop uses for a remote
    cluster (ray://<head>:10001 by default)."""
    return f"ray://127.0.0.1:{ray_head[1]}"


@pytest.fixture(scope="session")
def serve_port(ray_cluster: str) -> Iterator[int]:
    """A free port for Serve's HTTP proxy (8000, its default, may be taken on the machine)."""
    port = free_port()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SERVE_HTTP_PORT", str(port))
        yield port


# Runs an example file as `python <file> <args>` would, then saves the globals a test checks
# (results, timings...) as JSON. A fresh process per example: it reads RAY_ADDRESS and the
# RAY_ENV switches at import time, like a reader's shell, and its driver ends with it.
HARNESS = """
import json, runpy, sys
path, out, *argv = sys.argv[1:]
sys.argv = [path, *argv]
found = runpy.run_path(path, run_name="__main__")
with open(out, "w") as handle:
    json.dump({k: v for k, v in found.items() if k in {"results", "elapsed", "cpus"}}, handle)
"""


@dataclass
class ExampleRun:
    stdout: str
    found: dict  # the example's globals named in HARNESS


# The heads' temp dirs, for the logs a failure should show (they are deleted at teardown).
HEAD_DIRS: list[Path] = []


def head_logs(*prefixes: str, chars: int = 3000) -> str:
    """The end of each log of the session's head whose name starts with one of `prefixes`:
    Ray's errors name a log file, and the teardown deletes it."""
    parts = []
    for head in HEAD_DIRS:
        for log in sorted(head.glob("*/session_*/logs/*")):
            if log.name.startswith(prefixes) and log.is_file():
                text = log.read_text(errors="replace").strip()
                if text:
                    parts.append(f"--- {log.name} ---\n{text[-chars:]}")
    return "\n".join(parts) or f"(no {'/'.join(prefixes)} log found)"


def head_health() -> str:
    """Whether the session head's raylet and GCS still run, and the end of their logs: a driver
    that cannot find its node says only "No node info found"."""
    parts = []
    for head in HEAD_DIRS:
        running = []
        for entry in Path("/proc").iterdir():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if str(head) in cmdline and ("raylet" in cmdline or "gcs_server" in cmdline):
                running.append(f"{entry.name}: {cmdline[:120]}")
        parts.append(f"processes of {head}: " + ("; ".join(running) or "none"))
    parts.append(head_logs("raylet.", "gcs_server.", chars=2000))
    return "\n".join(parts)


# Ray's client proxy starts a server process per connection, and that server died at birth in
# some clean-clone runs, seen two ways: the proxy says so, or it finds the server already a
# zombie when it reads its command line (psutil). The known cause, gRPC's fork handlers, is
# switched off in RAY_ENV; this second connection (what a reader's retry would do) stays as a
# net, and says so in the output. A second failure fails the test, with the server's log.
CLIENT_START_FAILURES = ("Starting Ray client server failed", "psutil.ZombieProcess")


def run_example(name: str, *argv: str, address: str | None = None) -> ExampleRun:
    """Run examples/ray_/<name> against the session's head (or `address`)."""
    attempts = 2 if address and address.startswith("ray://") else 1
    for attempt in range(1, attempts + 1):
        try:
            return _run_example_once(name, *argv, address=address)
        except ExampleFailed as failure:
            if attempt < attempts and any(s in str(failure) for s in CLIENT_START_FAILURES):
                print(f"examples/ray_/{name}: the Ray Client server did not start; again")
                continue
            logs = "\n" + head_logs("ray_client_server") if attempts > 1 else ""
            pytest.fail(f"{failure}{logs}")
    raise AssertionError("unreachable")


class ExampleFailed(Exception):
    pass


def _run_example_once(name: str, *argv: str, address: str | None = None) -> ExampleRun:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "globals.json"
        env = os.environ.copy()
        if address is not None:
            env["RAY_ADDRESS"] = address
        run = subprocess.run(
            [sys.executable, "-c", HARNESS, str(EXAMPLES / name), str(out), *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=420,
        )
        if run.returncode != 0:
            raise ExampleFailed(f"examples/ray_/{name} failed:\n{run.stdout}\n{run.stderr}")
        return ExampleRun(run.stdout, json.loads(out.read_text()))
