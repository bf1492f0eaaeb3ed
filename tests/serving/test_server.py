"""examples/serving/server.py, started for real on 127.0.0.1 (tests/support/llm_server.py).

It streams the model's own tokens one event at a time while it is still generating, answers
every kind of bad input with a 4xx that names the field, counts what it did in /metrics, and
keeps serving afterwards. A port in use fails at once, before the model is loaded.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.examples import ROOT, import_example
from tests.support.llm_server import SERVER, start_llm_server
from tests.support.processes import ServerDidNotStart

PROMPT = [5, 17, 42, 7, 300, 11]


def metrics(url: str) -> dict[str, float]:
    return import_example("serving/loadgen.py").scrape(url)


def events(response: httpx.Response) -> list[dict]:
    return [json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: ")]


def test_streaming_and_plain_answers_are_the_models_own_tokens(llm_server, tiny_llm, model):
    with httpx.Client(base_url=llm_server.url, timeout=30) as client:
        body = {"prompt": PROMPT, "max_tokens": 12}
        with client.stream("POST", "/generate", json=body) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            streamed = events(response)
        plain = client.post("/generate", json={**body, "stream": False})
    assert streamed[-1] == {"done": True, "tokens": 12}
    tokens = [event["token"] for event in streamed[:-1]]
    assert len(tokens) == 12
    assert plain.json() == {"tokens": tokens}
    # The engine batches, the reference runs the prompt alone: the same greedy tokens.
    assert tokens == tiny_llm.generate_alone(model, PROMPT, 12)


def test_the_first_token_arrives_while_the_server_is_still_generating(llm_server):
    """Flushed per token: a long answer's first token reaches the client near the start of
    the stream, not with the rest at its end. Timed in the stream's own clock: a fast CPU
    can write the whole answer before a scrape of /metrics taken at the first token, so
    "still in flight" is not something a test can wait for."""
    before = metrics(llm_server.url)
    with httpx.Client(base_url=llm_server.url, timeout=30) as client:
        body = {"prompt": PROMPT, "max_tokens": 400}
        start = time.perf_counter()
        with client.stream("POST", "/generate", json=body) as response:
            lines = (line for line in response.iter_lines() if line.startswith("data: "))
            first = next(lines)
            first_at = time.perf_counter() - start
            rest = list(lines)
            done_at = time.perf_counter() - start
    after = metrics(llm_server.url)
    assert "token" in json.loads(first[6:])
    # 400 decode steps follow the first token: a server that flushed per token delivers it
    # within the first tenth or so; one that buffered the answer, at the very end.
    assert first_at < 0.5 * done_at, (first_at, done_at)
    ok = 'llm_requests_total{status="200"}'
    assert after[ok] == before[ok] + 1
    assert len(rest) == 400  # 399 more tokens and the closing event
    assert json.loads(rest[-1][6:]) == {"done": True, "tokens": 400}
    assert after["llm_generated_tokens_total"] - before["llm_generated_tokens_total"] == 400


BAD_REQUESTS = {
    # name: (body, status, the field named, a phrase of the message)
    "malformed-json": (b'{"prompt": [1, 2', 400, None, "not valid JSON"),
    "not-utf8": (b"\xff\xfe{}", 400, None, "not valid JSON"),
    "not-an-object": (b"[1, 2, 3]", 400, None, "JSON object"),
    "missing-prompt": ({"max_tokens": 4}, 400, "prompt", "required"),
    "prompt-a-string": ({"prompt": "hello"}, 400, "prompt", "list of token ids"),
    "prompt-of-bools": ({"prompt": [True, False]}, 400, "prompt", "list of token ids"),
    "empty-prompt": ({"prompt": []}, 400, "prompt", "non-empty"),
    "max-tokens-float": ({"prompt": [1], "max_tokens": 2.5}, 400, "max_tokens", ">= 1"),
    "max-tokens-zero": ({"prompt": [1], "max_tokens": 0}, 400, "max_tokens", ">= 1"),
    "stream-a-string": ({"prompt": [1], "stream": "yes"}, 400, "stream", "true or false"),
    "misspelt-field": ({"prompt": [1], "max_token": 4}, 400, "max_token", "unknown field"),
    "id-outside-vocab": ({"prompt": [1, 512]}, 400, "prompt", "outside the vocabulary"),
    "over-context": (
        {"prompt": [1] * 500, "max_tokens": 20},
        400,
        "max_tokens",
        "exceeds the context length of 512 tokens",
    ),
}


@pytest.mark.parametrize("case", BAD_REQUESTS, ids=str)
def test_bad_input_gets_a_4xx_naming_the_field_and_the_server_keeps_serving(llm_server, case):
    body, status, field, phrase = BAD_REQUESTS[case]
    before = metrics(llm_server.url)
    with httpx.Client(base_url=llm_server.url, timeout=30) as client:
        if isinstance(body, bytes):
            response = client.post("/generate", content=body)
        else:
            response = client.post("/generate", json=body)
        assert response.status_code == status, response.text
        error = response.json()
        assert error["field"] == field
        assert phrase in error["error"]
        good = client.post("/generate", json={"prompt": [1, 2], "max_tokens": 3, "stream": False})
        assert good.status_code == 200 and len(good.json()["tokens"]) == 3
    after = metrics(llm_server.url)
    key = f'llm_requests_total{{status="{status}"}}'
    assert after[key] - before.get(key, 0) == 1

    def errors(sample):
        return sum(v for k, v in sample.items() if k.startswith("llm_request_errors_total"))

    assert errors(after) - errors(before) == 1


def test_a_body_over_the_limit_is_refused_before_it_is_read(llm_server):
    server = import_example("serving/server.py")
    body = json.dumps({"prompt": [1] * server.MAX_BODY_BYTES}).encode()
    with httpx.Client(base_url=llm_server.url, timeout=30) as client:
        response = client.post("/generate", content=body)
        assert response.status_code == 413
        assert client.get("/healthz").text == "ok"


def test_a_client_that_hangs_up_mid_stream_is_counted_and_released(llm_server):
    before = metrics(llm_server.url)
    body = {"prompt": PROMPT, "max_tokens": 300}
    with (
        httpx.Client(base_url=llm_server.url, timeout=30) as client,
        client.stream("POST", "/generate", json=body) as response,
    ):
        lines = response.iter_lines()
        next(line for line in lines if line.startswith("data: "))
        # Leaving the block closes the connection with the answer unfinished.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        now = metrics(llm_server.url)
        if now.get('llm_requests_total{status="499"}', 0) > before.get(
            'llm_requests_total{status="499"}', 0
        ):
            break
        time.sleep(0.1)
    gone = 'llm_requests_total{status="499"}'
    assert now[gone] - before.get(gone, 0) == 1
    assert now['llm_request_errors_total{reason="client_disconnected"}'] >= 1
    assert now["llm_requests_in_flight"] == 0
    with httpx.Client(base_url=llm_server.url, timeout=30) as client:
        assert client.post("/generate", json={"prompt": [3], "stream": False}).status_code == 200


def test_metrics_are_prometheus_text_with_conventional_names(llm_server):
    text = httpx.get(f"{llm_server.url}/metrics", timeout=10).text
    families = {f.name: f.type for f in text_string_to_metric_families(text)}
    assert families["llm_requests"] == "counter"  # exposed as llm_requests_total
    assert families["llm_request_errors"] == "counter"
    assert families["llm_generated_tokens"] == "counter"
    for name in (
        "llm_request_duration_seconds",
        "llm_time_to_first_token_seconds",
        "llm_time_per_output_token_seconds",
    ):
        assert families[name] == "histogram", name
    for name in (
        "llm_queue_depth",
        "llm_requests_running",
        "llm_requests_in_flight",
        "llm_batch_size",
    ):
        assert families[name] == "gauge", name
    assert families["process_cpu_seconds"] == "counter"  # the process collector, from /proc
    assert "_created" not in text


def test_a_port_in_use_fails_at_once_with_the_port_named(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, str(SERVER), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            check=False,
        )
        assert done.returncode == 1
        assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in done.stderr
        # The fixture's own check names the port and how to find its owner.
        with pytest.raises(ServerDidNotStart, match=rf"port {port} on 127.0.0.1 is in use"):
            start_llm_server(tmp_path, port=port)


# Version-sensitive facts the serving pages state (docs/includes/claims/serving.yml).


def test_asyncio_sets_nodelay_only_on_sockets_made_for_tcp():
    """asyncio turns Nagle off on an accepted connection only when the listening socket's
    protocol is IPPROTO_TCP; a socket made with protocol 0 streams with Nagle on."""
    import asyncio

    async def nodelay(proto: int) -> int:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
        listener.bind(("127.0.0.1", 0))
        accepted: asyncio.Future = asyncio.get_running_loop().create_future()

        class Grab(asyncio.Protocol):
            def connection_made(self, transport):
                accepted.set_result(transport.get_extra_info("socket"))

        server = await asyncio.get_running_loop().create_server(Grab, sock=listener)
        _, writer = await asyncio.open_connection(*listener.getsockname())
        value = (await accepted).getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        writer.close()
        server.close()
        await server.wait_closed()
        return value

    assert asyncio.run(nodelay(0)) == 0
    assert asyncio.run(nodelay(socket.IPPROTO_TCP)) != 0


def test_starlette_refuses_a_body_over_max_body_size_with_413():
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    async def echo(request):
        return PlainTextResponse(str(len(await request.body())))

    app = Starlette(routes=[Route("/", echo, methods=["POST"])], max_body_size=10)
    with TestClient(app) as client:
        assert client.post("/", content=b"x" * 10).text == "10"
        assert client.post("/", content=b"x" * 11).status_code == 413


def test_prometheus_client_exports_created_series_unless_told_not_to():
    from prometheus_client import CollectorRegistry, Counter, generate_latest

    registry = CollectorRegistry()
    Counter("demo_requests", "a counter", registry=registry).inc()
    assert b"demo_requests_created" in generate_latest(registry)


def test_prometheus_client_reads_process_cpu_from_proc():
    from prometheus_client import CollectorRegistry, ProcessCollector

    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    assert registry.get_sample_value("process_cpu_seconds_total") > 0
    assert ProcessCollector(registry=None)._proc == "/proc"
