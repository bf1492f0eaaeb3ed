"""A Prometheus server for the tests, on 127.0.0.1, scraping only targets the tests started.

`start_prometheus(workdir, targets={"llm": ["127.0.0.1:8123"]}, rule_files=[...])` writes a
config (scrape and rule evaluation every second), starts Debian's `prometheus` on a free port
with its storage under `workdir`, waits for `/-/ready` and returns a `Prometheus`:

    prom = start_prometheus(tmp_path, {"llm": [f"127.0.0.1:{port}"]}, [RULES / "red.rules.yml"])
    try:
        rows = prom.wait_for('job:llm_requests:rate5m{job="llm"}')
        print(float(rows[0]["value"][1]))
    finally:
        prom.stop()

The fixture `prometheus_servers` is that function, with every server it started stopped at the
end of the session (the process group, through `Server`); `with running(prom.process)` does
the same for one block. The job name becomes the `job` label of every scraped series.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.processes import Server, ServerDidNotStart, free_port, http_ok

START_TIMEOUT = 60.0
INSTALL = (
    "prometheus is not on PATH: install Debian's `prometheus` package "
    "(`sudo apt-get install prometheus`; CI does it in .ci/run)."
)


@dataclass
class Prometheus:
    url: str
    process: Server
    config: Path

    def query(self, expr: str, at: float | None = None) -> list[dict]:
        """The instant vector of `expr` now (or at Unix time `at`), from /api/v1/query
        (`[]` when it is empty)."""
        params = {"query": expr} if at is None else {"query": expr, "time": f"{at:.3f}"}
        url = f"{self.url}/api/v1/query?" + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.load(response)
        if body.get("status") != "success":
            raise AssertionError(f"query {expr!r} failed: {body}")
        return body["data"]["result"]

    def value(self, expr: str, at: float | None = None) -> float:
        """The one number `expr` gives (0 when the vector is empty)."""
        rows = self.query(expr, at)
        assert len(rows) <= 1, f"{expr!r} is not one number: {rows}"
        return float(rows[0]["value"][1]) if rows else 0.0

    def wait_for(
        self,
        expr: str,
        ready: Callable[[list[dict]], bool] = bool,
        timeout: float = 30.0,
    ) -> list[dict]:
        """Query `expr` until `ready(result)` (default: not empty); fail naming the log."""
        deadline = time.monotonic() + timeout
        result: list[dict] = []
        while time.monotonic() < deadline:
            result = self.query(expr)
            if ready(result):
                return result
            time.sleep(0.5)
        raise AssertionError(
            f"{expr!r} not ready after {timeout:.0f} s (last result: {result}).\n"
            f"targets: {self.targets()}\nlast lines of {self.process.log_path}:\n"
            f"{self.process.log_tail(15)}"
        )

    def targets(self) -> list[dict]:
        """job, scrape URL, health and last error of every active target."""
        with urllib.request.urlopen(f"{self.url}/api/v1/targets", timeout=10) as response:
            active = json.load(response)["data"]["activeTargets"]
        keys = ("scrapePool", "scrapeUrl", "health", "lastError")
        return [{k: t.get(k) for k in keys} for t in active]

    def stop(self) -> None:
        self.process.stop()


def write_config(
    path: Path, targets: dict[str, list[str]], rule_files: list[Path], interval: str
) -> None:
    """A prometheus.yml: one scrape job per key of `targets`, the rule files, one interval."""
    for job, hosts in targets.items():
        for host in hosts:
            if not host.startswith("127.0.0.1:"):
                raise ValueError(
                    f"job {job!r}: {host!r}: the tests scrape only 127.0.0.1 targets they started"
                )
    lines = [
        "global:",
        f"  scrape_interval: {interval}",
        f"  evaluation_interval: {interval}",
        "rule_files:",
        *[f"  - {json.dumps(str(Path(r).resolve()))}" for r in rule_files],
        "scrape_configs:",
    ]
    for job, hosts in targets.items():
        lines += [
            f"  - job_name: {json.dumps(job)}",
            "    static_configs:",
            f"      - targets: {json.dumps(hosts)}",
        ]
    if not rule_files:
        lines[lines.index("rule_files:")] = "rule_files: []"
    path.write_text("\n".join(lines) + "\n", "utf-8")


def start_prometheus(
    workdir: Path,
    targets: dict[str, list[str]],
    rule_files: list[Path] | None = None,
    interval: str = "1s",
    timeout: float = START_TIMEOUT,
) -> Prometheus:
    """Start prometheus under `workdir` (config, data/ and prometheus.log) and wait for
    `/-/ready`; on failure the error quotes the log and the server is stopped."""
    executable = shutil.which("prometheus")
    if executable is None:
        raise ServerDidNotStart(INSTALL)
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "prometheus.yml"
    write_config(config, targets, list(rule_files or []), interval)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [
        executable,
        f"--config.file={config}",
        f"--storage.tsdb.path={workdir / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    server = Server("Prometheus", args, log_path=workdir / "prometheus.log")
    try:
        server.wait_until(lambda: http_ok(f"{url}/-/ready"), timeout, "answering /-/ready")
    except BaseException:
        server.stop()
        raise
    return Prometheus(url, server, config)


@pytest.fixture(scope="session")
def prometheus_servers(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., Prometheus]]:
    """`prometheus_servers(targets, rule_files=None, interval="1s")`: a new server per call,
    each in its own temporary folder, all stopped at the end of the session."""
    started: list[Prometheus] = []

    def start(
        targets: dict[str, list[str]], rule_files: list[Path] | None = None, interval: str = "1s"
    ) -> Prometheus:
        folder = tmp_path_factory.mktemp("prometheus")
        server = start_prometheus(folder, targets, rule_files, interval)
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.stop()
