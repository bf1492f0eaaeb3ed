"""A streaming LLM server: Starlette on uvicorn over the batching engine.

    POST /generate  {"prompt": [ids], "max_tokens": 16, "stream": true}
        stream true: Server-Sent Events, one `data: {"token": id}` per token, sent
        as soon as the engine produces it, then `data: {"done": true, ...}`;
        stream false: one JSON body when the last token is there.
    GET /healthz    200 while the engine's loop is alive
    GET /metrics    Prometheus text format

Run it (the tests start exactly this, on a free port):

    python examples/serving/server.py --port 8000 --policy continuous --max-batch 8
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    JSONResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

FIELDS = {"prompt", "max_tokens", "stream"}
DEFAULT_MAX_TOKENS = 16
MAX_BODY_BYTES = 64 * 1024  # a 512-token prompt is about 3 KiB of JSON
HELP = {
    "llm_queue_depth": "Requests waiting for a batch slot",
    "llm_requests_running": "Requests in the batch",
    "llm_batch_size": "Rows in the last decode step",
    "llm_requests_in_flight": "Generate requests open",
}


# --8<-- [start:metrics]
class Metrics:
    """The server's Prometheus metrics, in a registry of its own."""

    def __init__(self, engine, in_flight_now):
        r = self.registry = CollectorRegistry()
        ProcessCollector(registry=r)  # process_cpu_seconds_total, from /proc
        PlatformCollector(registry=r)
        self.requests = Counter(
            "llm_requests",
            "Generate requests by HTTP status",
            ["status"],
            registry=r,
        )
        # Every status this server counts exists at 0 from the start: a rate over a series
        # that does not exist is "no data", so an error ratio would read empty, not 0.
        for status in ("200", "400", "499", "500", "503"):
            self.requests.labels(status)
        self.errors = Counter(
            "llm_request_errors",
            "Failed requests by reason",
            ["reason"],
            registry=r,
        )
        self.tokens = Counter(
            "llm_generated_tokens",
            "Tokens streamed",
            registry=r,
        )
        self.e2e = Histogram(
            "llm_request_duration_seconds",
            "Arrival to last token",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=r,
        )
        self.ttft = Histogram(
            "llm_time_to_first_token_seconds",
            "Arrival to first token",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=r,
        )
        self.tpot = Histogram(
            "llm_time_per_output_token_seconds",
            "(e2e - ttft) / (tokens - 1), one observation per request",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1),
            registry=r,
        )
        gauges = {  # read when Prometheus scrapes
            "llm_queue_depth": lambda: engine.stats()["queue_depth"],
            "llm_requests_running": lambda: engine.stats()["in_flight"],
            "llm_batch_size": lambda: engine.stats()["batch_size"],
            "llm_requests_in_flight": in_flight_now,
        }
        for name, read in gauges.items():
            Gauge(name, HELP[name], registry=r).set_function(read)
        # --8<-- [end:metrics]


class BadRequest(Exception):
    def __init__(self, field: str | None, message: str, reason: str = "invalid_field"):
        super().__init__(message)
        self.field, self.reason = field, reason


# --8<-- [start:validate]
def parse(body: bytes) -> tuple[list[int], int, bool]:
    """prompt, max_tokens and stream, or BadRequest naming the field."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        message = f"body is not valid JSON: {exc}"
        raise BadRequest(None, message, "malformed_json") from None
    if not isinstance(data, dict):
        raise BadRequest(None, "body must be a JSON object", "malformed_json")
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise BadRequest(
            unknown[0],
            f"unknown field {unknown[0]!r}; fields: {sorted(FIELDS)}",
        )
    if "prompt" not in data:
        raise BadRequest("prompt", "field 'prompt' is required: token ids")
    prompt = data["prompt"]
    if (
        not isinstance(prompt, list)
        or not prompt
        or not all(
            type(t) is int
            for t in prompt  # bool is an int subclass: reject true/false
        )
    ):
        message = "field 'prompt' must be a non-empty list of token ids"
        raise BadRequest("prompt", message)
    max_tokens = data.get("max_tokens", DEFAULT_MAX_TOKENS)
    if type(max_tokens) is not int or max_tokens < 1:
        message = "field 'max_tokens' must be an integer >= 1"
        raise BadRequest("max_tokens", message)
    stream = data.get("stream", True)
    if not isinstance(stream, bool):
        raise BadRequest("stream", "field 'stream' must be true or false")
    return prompt, max_tokens, stream
    # --8<-- [end:validate]


def engine_alive(engine) -> bool:
    thread = getattr(engine, "_thread", None)  # the engine has no public liveness yet
    return thread is not None and thread.is_alive()


def create_app(engine, max_body_bytes: int = MAX_BODY_BYTES) -> Starlette:
    """The app over a started-or-not engine; the app's lifespan starts and stops it."""
    open_requests = 0
    metrics = Metrics(engine, lambda: open_requests)
    # Each open stream waits for its next token in a thread (Generation.tokens is a
    # blocking queue.Queue); waiting threads cost no CPU.
    waiters = ThreadPoolExecutor(max_workers=512, thread_name_prefix="token-wait")

    def error(status: int, exc: BadRequest) -> JSONResponse:
        metrics.requests.labels(str(status)).inc()
        metrics.errors.labels(exc.reason).inc()
        return JSONResponse({"error": str(exc), "field": exc.field}, status_code=status)

    async def next_tokens(gen) -> list[int | None]:
        """Block (off the event loop) for the next token, then take any already queued."""
        loop = asyncio.get_running_loop()
        tokens = [await loop.run_in_executor(waiters, gen.tokens.get)]
        while tokens[-1] is not None and not gen.tokens.empty():
            tokens.append(gen.tokens.get_nowait())
        return tokens

    # --8<-- [start:generate]
    async def generate(request: Request) -> Response:
        nonlocal open_requests
        arrived = time.perf_counter()
        try:
            prompt, max_tokens, stream = parse(await request.body())
            gen = engine.submit(prompt, max_tokens)
        except BadRequest as exc:
            return error(400, exc)
        except ValueError as exc:  # the engine names the limit it checks
            field = "max_tokens" if "context length" in str(exc) else "prompt"
            return error(400, BadRequest(field, str(exc), "rejected_by_engine"))
        except RuntimeError as exc:  # the engine's loop has stopped
            return error(503, BadRequest(None, str(exc), "engine"))
        open_requests += 1
        first: float | None = None
        count = 0

        async def tokens():
            nonlocal first, count, open_requests
            status = "200"
            try:
                while True:
                    batch = await next_tokens(gen)
                    for token in batch:
                        if token is None:
                            if gen.error is not None:
                                status = "500"
                                metrics.errors.labels("engine").inc()
                                yield {"error": f"engine failed: {gen.error}"}
                            return
                        if first is None:
                            first = time.perf_counter()
                        count += 1
                        yield {"token": token}
            except (
                asyncio.CancelledError,
                GeneratorExit,
            ):  # the client went away
                status = "499"
                metrics.errors.labels("client_disconnected").inc()
                raise
            finally:
                open_requests -= 1
                metrics.requests.labels(status).inc()
                if status == "200":
                    observe(arrived, first, time.perf_counter(), count)

        if stream:

            async def events():
                async for item in tokens():
                    yield f"data: {json.dumps(item)}\n\n"
                yield f'data: {{"done": true, "tokens": {count}}}\n\n'

            return StreamingResponse(events(), media_type="text/event-stream")
        items = [item async for item in tokens()]
        if any("error" in item for item in items):
            return JSONResponse({"error": items[-1]["error"]}, status_code=500)
        return JSONResponse({"tokens": [item["token"] for item in items]})
        # --8<-- [end:generate]

    def observe(arrived: float, first: float | None, done: float, count: int) -> None:
        metrics.tokens.inc(count)
        metrics.e2e.observe(done - arrived)
        if first is not None:
            metrics.ttft.observe(first - arrived)
            if count > 1:
                metrics.tpot.observe((done - first) / (count - 1))

    async def healthz(request: Request) -> Response:
        alive = engine_alive(engine)
        return PlainTextResponse("ok" if alive else "engine loop stopped", 200 if alive else 503)

    async def metrics_endpoint(request: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if getattr(engine, "_thread", None) is None:
            engine.start()
        # One request before the port opens: the first forward pass is slow.
        await asyncio.to_thread(engine.submit(list(range(8)), 4).result, 60)
        try:
            yield
        finally:
            engine.stop()
            waiters.shutdown(wait=False, cancel_futures=True)

    return Starlette(
        routes=[
            Route("/generate", generate, methods=["POST"]),
            Route("/healthz", healthz),
            Route("/metrics", metrics_endpoint),
        ],
        lifespan=lifespan,
        max_body_size=max_body_bytes,  # larger bodies get 413 before they are read
    )


def bind(host: str, port: int) -> socket.socket:
    """Take the port before the slow part (loading the model): a port in use fails now."""
    # proto=IPPROTO_TCP: asyncio then sets TCP_NODELAY on each connection. With proto 0
    # it does not, and Nagle's algorithm holds a streamed token until the client's
    # delayed ACK (up to 40 ms on Linux): a first token 40 ms late.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise SystemExit(f"server.py: cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock  # uvicorn listens on it once the app has started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--policy", default="continuous")
    parser.add_argument("--max-batch", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    args = parser.parse_args()
    sock = bind(args.host, args.port)

    import torch
    import uvicorn
    from engine import Engine
    from tiny_llm import build_model

    torch.set_num_threads(args.threads)
    disable_created_metrics()  # no *_created series: less to scrape
    engine = Engine(build_model(), policy=args.policy, max_batch=args.max_batch)
    # One process: the engine's thread beside uvicorn's event loop.
    config = uvicorn.Config(create_app(engine), log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
