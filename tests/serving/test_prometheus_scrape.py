"""A real Prometheus scrapes the serving chapter's server (examples/serving/server.py), and the
recording rules of the Prometheus page (examples/observability/rules/red.rules.yml) record
from its live series.

The client sends a known mix of good and bad requests; Prometheus must count exactly those,
by status, and its latency quantile must agree with the client's stopwatch to one histogram
bucket (histogram_quantile interpolates inside a bucket; the client also times the HTTP hop).
"""

from __future__ import annotations

import statistics
import time

import httpx
import pytest

from tests.support.examples import ROOT
from tests.support.prometheus import Prometheus

RULES = ROOT / "examples" / "observability" / "rules" / "red.rules.yml"
JOB = 'job="llm"'
REQUESTS = f"llm_requests_total{{{JOB}}}"
DURATION = f"llm_request_duration_seconds_bucket{{{JOB}}}"
# The server's e2e buckets (examples/serving/server.py), in seconds, and +Inf.
BOUNDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, float("inf")]
GOOD, BAD = 12, 3


@pytest.fixture(scope="module")
def prom(llm_server, prometheus_servers) -> Prometheus:
    host = llm_server.url.removeprefix("http://")
    prometheus = prometheus_servers({"llm": [host]}, [RULES])
    prometheus.wait_for(f"up{{{JOB}}} == 1", timeout=60)
    return prometheus


def caught_up(prom: Prometheus, count: float, timeout: float = 60.0) -> float:
    """The moment Prometheus's request counter reached `count` (it scrapes every second)."""
    deadline = time.monotonic() + timeout
    while True:
        now = time.time()
        seen = prom.value(f"sum({REQUESTS})", now)
        if seen == count:
            return now
        assert time.monotonic() < deadline, f"Prometheus counted {seen}, expected {count}"
        time.sleep(0.5)


def server_count(url: str) -> float:
    text = httpx.get(f"{url}/metrics", timeout=10).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("llm_requests_total{")
    )


@pytest.fixture(scope="module")
def window(llm_server, prom):
    """GOOD + BAD requests sent between two moments Prometheus had counted everything."""
    before = server_count(llm_server.url)  # no request is in flight between tests
    start = caught_up(prom, before)
    latencies = []
    with httpx.Client(base_url=llm_server.url, timeout=60) as client:
        for i in range(GOOD):
            sent = time.perf_counter()
            reply = client.post(
                "/generate", json={"prompt": [3, 1, 4, i + 1], "max_tokens": 8, "stream": False}
            )
            latencies.append(time.perf_counter() - sent)
            assert reply.status_code == 200, reply.text
        for _ in range(BAD):
            assert client.post("/generate", json={"prompt": []}).status_code == 400
    end = caught_up(prom, before + GOOD + BAD)
    return start, end, latencies


def increase(prom: Prometheus, selector: str, start: float, end: float) -> float:
    """How much the counters in `selector` grew between two moments."""
    return prom.value(
        f"(sum({selector} @ {end:.3f}) or vector(0)) - (sum({selector} @ {start:.3f}) or vector(0))"
    )


def test_prometheus_counts_exactly_the_requests_sent_by_status(prom, window):
    start, end, _ = window
    assert increase(prom, REQUESTS, start, end) == GOOD + BAD
    assert increase(prom, f'llm_requests_total{{{JOB},status="200"}}', start, end) == GOOD
    assert increase(prom, f'llm_requests_total{{{JOB},status="400"}}', start, end) == BAD
    assert increase(prom, f'llm_requests_total{{{JOB},status=~"5.."}}', start, end) == 0


def bucket(seconds: float) -> int:
    return next(i for i, le in enumerate(BOUNDS) if seconds <= le)


def test_the_histograms_median_agrees_with_the_clients_to_a_bucket(prom, window):
    start, end, latencies = window
    growth = f"sum by (le) ({DURATION} @ {end:.3f}) - sum by (le) ({DURATION} @ {start:.3f})"
    median = prom.value(f"histogram_quantile(0.5, {growth})")
    client = statistics.median(latencies)
    assert 0 < median <= 30, median
    assert abs(bucket(median) - bucket(client)) <= 1, (median, client)


def test_the_red_and_use_recording_rules_record_from_the_live_server(prom, window):
    """The rules of the page, evaluated by Prometheus every second over the scraped series."""
    rate = prom.wait_for(f"job:llm_requests:rate5m{{{JOB}}} > 0")
    assert len(rate) == 1
    errors = prom.wait_for(f"job:llm_requests_5xx:ratio_rate5m{{{JOB}}}")
    assert float(errors[0]["value"][1]) == 0  # every failure here was the client's (400)
    p99 = prom.wait_for(f"job:llm_request_duration_seconds:p99_rate5m{{{JOB}}} > 0")
    assert float(p99[0]["value"][1]) <= 30
    cpu = prom.wait_for("instance:process_cpu_seconds:rate5m > 0")
    assert {row["metric"]["job"] for row in cpu} == {"llm"}
    queue = prom.wait_for(f"job:llm_queue_depth:max5m{{{JOB}}}")
    assert float(queue[0]["value"][1]) >= 0
