"""One real Ray head node per test session, on 127.0.0.1, stopped by its own PIDs.

`ray start --head --block` runs in a process group of its own (`Server`), and every process it
forks (GCS, raylet, agents, workers, Serve actors) stays in its session. Teardown signals that
group, then any process left in that session: never `ray stop`, which kills every Ray process
on the machine, other people's included. The head's logs are copied into pytest's temporary
folder before its own folder is deleted, so a failed run keeps them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import Server, ServerDidNotStart, free_port, session_processes

# The environment of the head, of this process's driver and of every example the tests run.
RAY_ENV = {
    # `ray start --head` turns token auth on when a token exists, and a local ray.init() writes
    # one to ~/.ray/auth_token: keep the tests independent of $HOME.
    "RAY_AUTH_MODE": "disabled",
    # Ray rewrites --node-ip-address=127.0.0.1 to the machine's external address unless it
    # believes it runs on a laptop; this switch keeps every Ray server on the loopback.
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
    "RAY_USAGE_STATS_ENABLED": "0",
    # How long `ray start` waits for its raylet to register (30 s by default) on a busy machine.
    "RAY_raylet_start_wait_time_s": "180",
    # Workers start when work arrives, not with the node: less for the machine to do at start.
    "RAY_enable_worker_prestart": "0",
    # Ray Client's proxier forks a server per client while its gRPC threads run; gRPC's fork
    # handlers then kill the child before it execs (Ray issue #63202). Ray here forks only to
    # exec, so it needs no fork support.
    "GRPC_ENABLE_FORK_SUPPORT": "0",
    # Ray exports its metrics (Serve's request counters and latency histograms) every 10 s by
    # default; the p99 lab reads 8-second load phases from Prometheus, so every second.
    "RAY_metrics_report_interval_ms": "1000",
}
START_TIMEOUT = 240.0  # a cold head takes 10-40 s; far longer on a busy 2-core machine


class RayHead:
    """A head started under `temp_dir`, with what a failing test needs to say why."""

    def __init__(self, temp_dir: Path):
        ray_cli = Path(sys.executable).parent / "ray"
        if not ray_cli.exists():
            raise RuntimeError(f"no `ray` command beside {sys.executable}: install the ray group")
        self.temp_dir = temp_dir
        self.client_port = free_port()
        # Where the node serves its Prometheus metrics (Ray's own and Serve's), on 127.0.0.1.
        self.metrics_port = free_port()
        args = [
            str(ray_cli),
            "start",
            "--head",
            "--port=0",  # the GCS picks a free port, written to <temp-dir>/ray_current_cluster
            "--node-ip-address=127.0.0.1",
            "--include-dashboard=false",
            "--disable-usage-stats",
            f"--temp-dir={temp_dir}",
            # Defaults are fixed ports (10001, 52365...) that a second cluster would hit.
            f"--ray-client-server-port={self.client_port}",
            f"--dashboard-agent-listen-port={free_port()}",
            f"--dashboard-agent-grpc-port={free_port()}",
            f"--runtime-env-agent-port={free_port()}",
            f"--metrics-export-port={self.metrics_port}",
            "--block",  # stay in the foreground, so the process group we own is the cluster
        ]
        self.server = Server("ray head", args, temp_dir / "ray-start.log", env=RAY_ENV)
        address_file = temp_dir / "ray_current_cluster"

        def ready() -> bool:
            started = "Ray runtime started" in self.server.log_path.read_text(errors="replace")
            # `ray start` logs that line before it writes the address file: wait for a whole
            # `host:port` (an empty RAY_ADDRESS makes ray.init() start a Ray of its own).
            return started and ":" in (address_file.read_text() if address_file.exists() else "")

        try:
            self.server.wait_until(ready, START_TIMEOUT, "Ray runtime started")
        except ServerDidNotStart as error:
            health = self.health()
            self.stop()
            raise ServerDidNotStart(f"{error}\n{health}") from None
        self.address = address_file.read_text().strip()

    def logs(self, *prefixes: str, chars: int = 3000) -> str:
        """The end of each of the head's logs whose name starts with one of `prefixes`."""
        parts = []
        for log in sorted(self.temp_dir.glob("session_*/logs/*")):
            if log.name.startswith(prefixes) and log.is_file():
                text = log.read_text(errors="replace").strip()
                if text:
                    parts.append(f"--- {log.name} ---\n{text[-chars:]}")
        return "\n".join(parts) or f"(no {'/'.join(prefixes)} log under {self.temp_dir})"

    def raylet_alive(self) -> bool:
        return any(
            b"raylet" in Path(f"/proc/{pid}/cmdline").read_bytes()
            for pid in session_processes(self.server.process.pid)
            if Path(f"/proc/{pid}/cmdline").exists()
        )

    def health(self) -> str:
        """Whether the raylet still runs, and why it stopped: a driver that cannot find its node
        only says "No node info found"."""
        state = "running" if self.raylet_alive() else "NOT running"
        return (
            f"the head's raylet is {state}\n"
            f"{self.logs('raylet.', 'dashboard_agent.', 'runtime_env_agent.', chars=2000)}"
        )

    def stop(self, keep_logs_in: Path | None = None) -> None:
        """Stop the group we started, then whatever of its session still runs (workers use
        their own process groups). Nothing of this cluster needs a clean exit: SIGKILL after
        3 s instead of `ray start --block`'s long grace period."""
        self.server.stop(grace=3.0)
        for pid in session_processes(self.server.process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if keep_logs_in is not None:
            for logs in self.temp_dir.glob("session_2*/logs"):
                shutil.copytree(logs, keep_logs_in / logs.parent.name, dirs_exist_ok=True)
            shutil.copy(self.server.log_path, keep_logs_in)


@pytest.fixture(scope="session")
def ray_env() -> Iterator[dict[str, str]]:
    """RAY_ENV, exported for the session. Ray reads some of it when first imported, so a test
    folder that imports ray in the test process requests this before anything else. A reader's
    RAY_SERVE_DEFAULT_HTTP_HOST would move Serve's proxies off the loopback: it goes."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in RAY_ENV.items():
            patch.setenv(name, value)
        patch.delenv("RAY_SERVE_DEFAULT_HTTP_HOST", raising=False)
        yield RAY_ENV


# Ray gives its raylet 30 s to register with the GCS (hard-coded in ray/_private/node.py); on
# a 2-core machine under load that can pass, and `ray start` gives up with this message.
RAYLET_REGISTRATION_TIMEOUT = "timed out during startup"


def start_head(temp_dir: Path) -> RayHead:
    """A head, started a second time (in an emptied temp dir) only when the first start hit
    Ray's own raylet-registration deadline; any other failure is reported at once."""
    try:
        return RayHead(temp_dir)
    except ServerDidNotStart as error:
        if RAYLET_REGISTRATION_TIMEOUT not in str(error):
            raise
        print(f"ray head: the raylet missed Ray's registration deadline; starting again\n{error}")
    shutil.rmtree(temp_dir, ignore_errors=True)
    temp_dir.mkdir()
    return RayHead(temp_dir)


@pytest.fixture(scope="session")
def ray_head(
    ray_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RayHead]:
    """Start the head once per session; point RAY_ADDRESS at it; always stop it."""
    # Short path: Ray's unix sockets live under the temp dir and must stay under 108 bytes.
    temp_dir = Path(tempfile.mkdtemp(prefix="ray-tests-", dir="/tmp"))
    try:
        head = start_head(temp_dir)
        try:
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("RAY_ADDRESS", head.address)
                yield head
        finally:
            head.stop(keep_logs_in=tmp_path_factory.mktemp("ray-head-logs"))
    finally:
        shutil.rmtree(temp_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def ray_cluster(ray_head: RayHead) -> str:
    """The GCS address of the session's head (also in RAY_ADDRESS)."""
    return ray_head.address


@pytest.fixture(scope="session")
def ray_driver(ray_cluster: str) -> Iterator[None]:
    """This test process, connected to the session's head as a driver, once: for checks that
    are a few calls (Serve's status, a task that cannot be scheduled)."""
    import logging

    import ray

    ray.init(address=ray_cluster, logging_level=logging.ERROR, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


@pytest.fixture(scope="session")
def ray_client_address(ray_head: RayHead) -> str:
    """The head's Ray Client address, the kind of RAY_ADDRESS a laptop uses for a remote
    cluster (ray://<head>:10001 by default)."""
    return f"ray://127.0.0.1:{ray_head.client_port}"


@pytest.fixture(scope="session")
def serve_port(ray_cluster: str) -> Iterator[int]:
    """A free port for Serve's HTTP proxy (8000, its default, may be taken on the machine)."""
    port = free_port()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SERVE_HTTP_PORT", str(port))
        yield port
