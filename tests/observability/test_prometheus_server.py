"""A real Prometheus (tests/support/prometheus.py) scrapes a small metrics endpoint this test
serves, evaluates the chapter's RED recording rules and answers PromQL over its HTTP API."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.observability.promtool import RULES
from tests.support.processes import ServerDidNotStart, session_processes
from tests.support.prometheus import start_prometheus

# Every scrape sees 90 more successes, 10 server errors and 5 bad requests.
PER_SCRAPE = {"200": 90, "500": 10, "400": 5}


class Counters(BaseHTTPRequestHandler):
    scrapes = 0

    def do_GET(self) -> None:  # the name http.server calls
        if self.path != "/metrics":
            self.send_error(404)
            return
        Counters.scrapes += 1
        lines = ["# TYPE llm_requests_total counter"]
        for status, step in PER_SCRAPE.items():
            lines.append(f'llm_requests_total{{status="{status}"}} {step * Counters.scrapes}')
        body = ("\n".join(lines) + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # quiet
        pass


@pytest.fixture
def metrics_endpoint() -> Iterator[str]:
    """`127.0.0.1:<port>` serving /metrics from this process, stopped after the test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Counters)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_prometheus_scrapes_and_the_recording_rule_reads_back(prometheus_servers, metrics_endpoint):
    prom = prometheus_servers({"llm": [metrics_endpoint]}, [RULES / "red.rules.yml"])
    ratio = prom.wait_for('job:llm_requests_5xx:ratio_rate5m{job="llm"}')
    assert [r["metric"] for r in ratio] == [
        {"__name__": "job:llm_requests_5xx:ratio_rate5m", "job": "llm"}
    ]
    # Every scrape adds 10 errors to 105 requests: the 400s are not the server's errors.
    assert float(ratio[0]["value"][1]) == pytest.approx(10 / 105, rel=1e-9)
    (target,) = prom.targets()
    assert target["scrapePool"] == "llm" and target["health"] == "up", target
    assert Counters.scrapes >= 2


def test_a_broken_rule_file_fails_the_start_naming_the_log(tmp_path: Path):
    broken = tmp_path / "broken.rules.yml"
    text = (RULES / "red.rules.yml").read_text("utf-8")
    broken.write_text(text.replace("sum by (job) (rate(llm_requests_total[5m]))", "sum by (", 1))
    with pytest.raises(ServerDidNotStart) as failed:
        start_prometheus(tmp_path / "prom", {"llm": ["127.0.0.1:9"]}, [broken], timeout=30)
    message = str(failed.value)
    assert f"last lines of {tmp_path / 'prom' / 'prometheus.log'}" in message
    assert "broken.rules.yml" in message


def test_only_local_targets_are_scraped(tmp_path: Path):
    with pytest.raises(ValueError, match=r"only 127\.0\.0\.1 targets"):
        start_prometheus(tmp_path, {"llm": ["example.com:80"]})


def test_stop_leaves_no_process(tmp_path: Path):
    prom = start_prometheus(tmp_path, {"self": []})
    pid = prom.process.process.pid
    assert session_processes(pid)
    prom.stop()
    assert session_processes(pid) == []
