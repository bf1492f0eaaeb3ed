"""TTFT, TPOT and end-to-end latency, measured by the load generator on the real server.

Timings depend on the machine: the page shows a stored run (latency_classes.out.txt,
rewritten only by `--update-outputs`), and the tests assert what the page says of it, on
a fresh run and on the stored one: in the busy hour, the time to the first token grows
many times more than the time per output token, so a per-token dashboard stays green
while users wait. The server's own histograms count exactly the requests the client sent.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import statistics

import pytest

from tests.support.examples import ROOT, import_example, run_example

REPORT = "examples/serving/latency_classes.out.txt"


@pytest.fixture(scope="module")
def loadgen():
    return import_example("serving/loadgen.py")


@pytest.fixture(scope="module")
def busy_hour(llm_server, loadgen, tmp_path_factory):
    """One run of latency_classes.py, with /metrics read before and after it."""
    record = tmp_path_factory.mktemp("latency") / "requests.json"
    before = loadgen.scrape(llm_server.url)
    run = run_example("serving/latency_classes.py", "--json", str(record), env=llm_server.env)
    after = loadgen.scrape(llm_server.url)
    runs = {
        name: [loadgen.Result(**r) for r in rows]
        for name, rows in json.loads(record.read_text()).items()
    }
    return run, runs, before, after


def p(loadgen, results, label, measure, q=None):
    values = loadgen.column([r for r in results if r.label == label], measure)
    return loadgen.mean(values) if q is None else loadgen.percentile(values, q)


def test_queueing_for_a_slot_shows_in_ttft_not_in_tpot(
    busy_hour, loadgen, pytestconfig, page_output
):
    run, runs, _, _ = busy_hour
    alone, busy = runs["alone"], runs["busy"]
    assert all(r.status == 200 for r in alone + busy)
    assert len(alone) == 12 and len(busy) == 128
    for label in ("chat", "report"):
        ttft_growth = p(loadgen, busy, label, "ttft", 50) / p(loadgen, alone, label, "ttft", 50)
        tpot_growth = p(loadgen, busy, label, "tpot") / p(loadgen, alone, label, "tpot")
        # 16 users on 8 slots: half of them wait for a slot before their first token.
        assert ttft_growth >= 5, (label, ttft_growth)
        assert ttft_growth >= 2 * tpot_growth, (label, ttft_growth, tpot_growth)
    # A per-token dashboard averages the wait away: far below what a chat user waits.
    ok = [r for r in busy if r.status == 200]
    per_token = sum(r.e2e for r in ok) / sum(r.tokens for r in ok)
    assert per_token * 5 <= p(loadgen, busy, "chat", "ttft", 50)
    if pytestconfig.getoption("--update-outputs"):
        page_output(REPORT, run.stdout)


def test_the_servers_histograms_agree_with_the_clients_counts(busy_hour, loadgen):
    _, runs, before, after = busy_hour
    sent = runs["alone"] + runs["busy"]

    def delta(name):
        return after.get(name, 0) - before.get(name, 0)

    ok = [r for r in sent if r.status == 200]
    assert delta('llm_requests_total{status="200"}') == len(ok) == len(sent)
    for name in ("llm_time_to_first_token_seconds", "llm_request_duration_seconds"):
        assert delta(f"{name}_count") == len(ok), name
    assert delta("llm_time_per_output_token_seconds_count") == len([r for r in ok if r.tokens > 1])
    assert delta("llm_generated_tokens_total") == sum(r.tokens for r in ok)
    # The server's interval lies inside the client's (it starts after the request arrives
    # and ends before the token leaves): never longer, and here at most a few ms shorter.
    for name, measure in (
        ("llm_time_to_first_token_seconds", "ttft"),
        ("llm_request_duration_seconds", "e2e"),
    ):
        server, client = delta(f"{name}_sum"), sum(getattr(r, measure) for r in ok)
        assert 0.5 * client <= server <= client, (name, server, client)
    server_tpot = delta("llm_time_per_output_token_seconds_sum")
    client_tpot = sum(r.tpot for r in ok if r.tpot is not None)
    assert server_tpot == pytest.approx(client_tpot, rel=0.5)
    # The bucket counts are cumulative and end with every request.
    buckets = sorted(
        (float(re.search(r'le="([^"]+)"', k)[1]), v - before.get(k, 0))
        for k, v in after.items()
        if k.startswith("llm_time_to_first_token_seconds_bucket")
    )
    counts = [c for _, c in buckets]
    assert counts == sorted(counts) and counts[-1] == len(ok)


ROW = re.compile(r"^  (TTFT p50|TTFT p99|TPOT mean|e2e mean) +([\d.]+) +([\d.]+)$", re.M)


def test_the_stored_report_shows_what_the_page_says():
    text = (ROOT / REPORT).read_text()
    chat, report = text.split("report (ms)")
    for part in (chat, report):
        rows = {name: (float(a), float(b)) for name, a, b in ROW.findall(part)}
        assert set(rows) == {"TTFT p50", "TTFT p99", "TPOT mean", "e2e mean"}
        (ttft_alone, ttft_busy), (tpot_alone, tpot_busy) = rows["TTFT p50"], rows["TPOT mean"]
        assert ttft_busy / ttft_alone >= 2 * tpot_busy / tpot_alone
    per_token = float(re.search(r"mean latency per token: ([\d.]+) ms", text)[1])
    chat_ttft_busy = dict((n, float(b)) for n, _, b in ROW.findall(chat))["TTFT p50"]
    assert per_token * 5 <= chat_ttft_busy


# The load generator itself.


def test_open_loop_offers_exactly_the_load_asked_with_exponential_gaps(loadgen, llm_server):
    jobs = itertools.repeat(loadgen.Job([1, 2, 3], max_tokens=1))
    results = asyncio.run(
        loadgen.open_loop(llm_server.url, jobs, rate=40, requests=60, seconds=30, seed=3)
    )
    assert len(results) == 60 and all(r.status == 200 for r in results)
    sent = [r.sent for r in results]
    gaps = [b - a for a, b in itertools.pairwise(sent)]
    # Exponential gaps have a coefficient of variation near 1 (evenly spaced: 0).
    cv = statistics.pstdev(gaps) / statistics.mean(gaps)
    assert 0.5 < cv < 1.6, cv


def test_a_run_stops_at_its_time_limit_and_keeps_the_unanswered(loadgen, llm_server):
    job = loadgen.Job([1, 2, 3], max_tokens=400)
    # The limit is a quarter of what one such answer takes on this machine, timed first: a
    # fixed 0.5 s was longer than the whole answer on a fast CPU.
    one = loadgen.closed_loop(llm_server.url, iter([job]), users=1, requests=1, seconds=60)
    (timed,) = asyncio.run(one)
    assert timed.status == 200 and timed.e2e, timed
    results = asyncio.run(
        loadgen.closed_loop(
            llm_server.url, itertools.repeat(job), users=2, requests=50, seconds=timed.e2e / 4
        )
    )
    assert len(results) == 2  # each user's first request never ended
    assert all(r.status == 0 and r.e2e is None for r in results)
    assert all(r.tpot is None for r in results)


def test_percentile_and_tpot(loadgen):
    assert loadgen.percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    assert loadgen.percentile([1.0, 2.0], 99) == pytest.approx(1.99)
    r = loadgen.Result("x", 0.0, status=200, tokens=5, ttft=0.1, e2e=0.5)
    assert r.tpot == pytest.approx(0.1)  # 4 gaps after the first token
    assert loadgen.Result("x", 0.0, status=200, tokens=1, ttft=0.1, e2e=0.1).tpot is None
