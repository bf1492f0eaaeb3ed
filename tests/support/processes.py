"""Start engine servers for the tests and always stop them.

Every engine fixture (MLflow server, Ray head, ...) goes through `Server`, so the rules live in
one place: bind 127.0.0.1 on a free port, wait until it answers, fail with the server's own log
when it does not, and on teardown stop the whole process group we started (never a global
`ray stop` or `pkill`, which would hit other people's processes on a shared machine).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path


def selected_fixtures(request) -> set[str]:
    """Every fixture the session's selected tests use, directly or through other fixtures: a
    session fixture can start a slow server before the first test only when a test needs it."""
    return {name for item in request.session.items for name in item.fixturenames}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def session_processes(sid: int) -> list[int]:
    """PIDs of the live (not zombie) processes whose session id is `sid`: what is left of a
    `Server`, whose leader started a session of its own."""
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


class ServerDidNotStart(RuntimeError):
    pass


class Server:
    """A process we started, in its own process group, with its output in a log file."""

    def __init__(self, name: str, args: list[str], log_path: Path, env: dict | None = None):
        self.name = name
        self.args = args
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            args,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            start_new_session=True,  # its own process group: stop() reaps every child it forks
        )

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def wait_until(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            if self.process.poll() is not None:
                raise ServerDidNotStart(
                    f"{self.name} exited with code {self.process.returncode} before {what}.\n"
                    f"command: {' '.join(self.args)}\nlast lines of {self.log_path}:\n"
                    f"{self.log_tail()}"
                )
            time.sleep(0.25)
        self.stop()
        raise ServerDidNotStart(
            f"{self.name} did not reach '{what}' within {timeout:.0f} s.\n"
            f"command: {' '.join(self.args)}\nlast lines of {self.log_path}:\n{self.log_tail()}"
        )

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM the process group, then SIGKILL whatever is left after `grace` seconds."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=grace)
        # Children may outlive the leader; the group id is still the leader's pid.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        self._log.close()


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    """`with running(Server(...)) as s:` stops the server even when the body raises."""
    try:
        yield server
    finally:
        server.stop()


def require_free(port: int, what: str) -> None:
    """Fail with the fix when a fixed port is taken (most fixtures use free_port instead)."""
    if port_is_open(port):
        raise ServerDidNotStart(
            f"port {port} on 127.0.0.1 is in use, so {what} cannot start. "
            f"Find the owner with `ss -ltnp 'sport = :{port}'` and stop it, or choose another port."
        )
