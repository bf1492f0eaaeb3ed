"""The serving chapter's LLM server (examples/serving/server.py) for the tests, on 127.0.0.1.

`start_llm_server(workdir, policy=..., max_batch=...)` starts it on a free port (or on the
`port` given, which fails at once, with how to find the owner, when it is taken), waits until
`/healthz` answers and returns an `LlmServer`. The server opens its port only after the model
is built and one request has warmed it, so the first request a test sends is a normal one.

Fixtures, each started only when a selected test asks for it and always stopped:

- `llm_servers`: a function `(policy="continuous", max_batch=8) -> LlmServer` that starts each
  configuration once per session (loading the model costs seconds of imports on 2 cores);
  the first call starts every configuration in SESSION_CONFIGS at once, so they load together;
- `llm_server`: the default configuration, continuous batching with 8 slots.

Examples find the server through `LLM_SERVER_URL`: pass `server.env` to `run_example`.
"""

from __future__ import annotations

import os
import sys
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.processes import Server, ServerDidNotStart, free_port, http_ok, require_free

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "examples" / "serving" / "server.py"
START_TIMEOUT = 180.0  # torch + transformers imports: ~10 s warm, far more on a busy machine
ENV = {
    "HF_HUB_OFFLINE": "1",  # random weights from a config: nothing may be downloaded
    "TRANSFORMERS_OFFLINE": "1",
    "OMP_NUM_THREADS": "1",  # server.py runs torch on one thread: steadier on a shared machine
    "PYTHONUNBUFFERED": "1",
}


@dataclass
class LlmServer:
    url: str
    policy: str
    max_batch: int
    process: Server

    @property
    def pid(self) -> int:
        return self.process.process.pid

    @property
    def env(self) -> dict[str, str]:
        """What an example needs to reach this server."""
        return {"LLM_SERVER_URL": self.url}

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far, from /proc/<pid>/stat."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
        return (utime + stime) / os.sysconf("SC_CLK_TCK")

    def log_tail(self, lines: int = 40) -> str:
        return self.process.log_tail(lines)

    def stop(self) -> None:
        self.process.stop()


def launch_llm_server(
    workdir: Path,
    *,
    policy: str = "continuous",
    max_batch: int = 8,
    port: int | None = None,
) -> tuple[Server, str]:
    """Start server.py under `workdir` (its log: server.log); do not wait for it."""
    workdir.mkdir(parents=True, exist_ok=True)
    if port is None:
        port = free_port()
    else:
        require_free(port, "the LLM server")
    args = [sys.executable, str(SERVER), "--host", "127.0.0.1", "--port", str(port)]
    args += ["--policy", policy, "--max-batch", str(max_batch)]
    server = Server("LLM server", args, log_path=workdir / "server.log", env=ENV)
    return server, f"http://127.0.0.1:{port}"


def wait_for_llm_server(
    server: Server, url: str, policy: str, max_batch: int, timeout: float = START_TIMEOUT
) -> LlmServer:
    """Wait until a launched server answers, warm it with one request, or stop it."""
    port = url.rsplit(":", 1)[1]
    try:
        server.wait_until(lambda: http_ok(f"{url}/healthz"), timeout, "answering /healthz")
    except ServerDidNotStart as exc:
        server.stop()
        if "Address already in use" in server.log_tail():
            # free_port() found it free, and someone took it before server.py could bind it.
            raise ServerDidNotStart(
                f"port {port} on 127.0.0.1 was taken before the LLM server bound it: run the "
                f"tests again, or find the owner with `ss -ltnp 'sport = :{port}'`.\n{exc}"
            ) from None
        raise
    except BaseException:
        server.stop()
        raise
    # One request through HTTP as well: the first one down a code path is slow.
    warm = urllib.request.Request(
        f"{url}/generate", data=b'{"prompt": [1, 2, 3], "max_tokens": 2, "stream": false}'
    )
    try:
        with urllib.request.urlopen(warm, timeout=60) as response:
            response.read()
    except BaseException:
        server.stop()
        raise
    return LlmServer(url, policy, max_batch, server)


def start_llm_server(
    workdir: Path,
    *,
    policy: str = "continuous",
    max_batch: int = 8,
    port: int | None = None,
    timeout: float = START_TIMEOUT,
) -> LlmServer:
    """Start server.py under `workdir` (its log: server.log) and wait until it is ready."""
    server, url = launch_llm_server(workdir, policy=policy, max_batch=max_batch, port=port)
    return wait_for_llm_server(server, url, policy, max_batch, timeout)


# The configurations the chapter's tests use. The first request for any of them starts all
# of them at once: their imports (seconds on 2 cores) overlap instead of adding up.
SESSION_CONFIGS = (("continuous", 8), ("continuous", 1))


@pytest.fixture(scope="session")
def llm_servers(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., LlmServer]]:
    """`llm_servers(policy, max_batch)`: one server per configuration, started on first use
    and stopped at the end of the session."""
    started: dict[tuple[str, int], LlmServer] = {}
    launched: dict[tuple[str, int], tuple[Server, str]] = {}

    def launch(key: tuple[str, int]) -> None:
        if key not in started and key not in launched:
            folder = tmp_path_factory.mktemp(f"llm-server-{key[0]}-{key[1]}")
            launched[key] = launch_llm_server(folder, policy=key[0], max_batch=key[1])

    def get(policy: str = "continuous", max_batch: int = 8) -> LlmServer:
        key = (policy, max_batch)
        if key not in started:
            launch(key)
            if key in SESSION_CONFIGS:
                for other in SESSION_CONFIGS:
                    launch(other)
            server, url = launched.pop(key)
            started[key] = wait_for_llm_server(server, url, policy, max_batch)
        return started[key]

    try:
        yield get
    finally:
        for server in started.values():
            server.stop()
        for process, _ in launched.values():  # launched, never asked for
            process.stop()


@pytest.fixture(scope="session")
def llm_server(llm_servers: Callable[..., LlmServer]) -> LlmServer:
    """The default server: continuous batching, 8 slots."""
    return llm_servers()
