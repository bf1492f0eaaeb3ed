"""Stages 4b and 5: ask a served model for predictions, as a client would, and check the answer.

    python scripts/smoke_test.py --endpoint https://staging.example.com --data data/test/ \
        --expect-model models/latest/
    python scripts/smoke_test.py --serve packaged_model --data data/test/

--endpoint tests a running MLflow scoring server (a deployment behind a URL). --serve starts
`mlflow models serve` for a local model on 127.0.0.1 first, and stops it after, so a package is
smoke-tested before anything is deployed. The test waits for /ping, POSTs --rows rows to
/invocations, and fails unless every answer is a known label and enough of them are right.
--expect-model (a model_info.json folder from train.py) also fails unless the answers came from
that model version: serve_model.py names it in the X-Model-Version header of every response.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pandas as pd


@contextlib.contextmanager
def served(model: str, log: Path) -> Iterator[str]:
    """`mlflow models serve` on a free port in its own process group, always stopped."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    mlflow_cli = Path(sys.executable).parent / "mlflow"  # the same environment as this script
    args = [
        str(mlflow_cli),
        "models",
        "serve",
        "-m",
        model,
        "--env-manager",
        "local",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    # It execs uvicorn from PATH: put this environment's bin folder first.
    env = {**os.environ, "PATH": f"{mlflow_cli.parent}{os.pathsep}{os.environ['PATH']}"}
    with open(log, "wb") as out:
        server = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def wait_ready(endpoint: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{endpoint}/ping", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            if time.monotonic() > deadline:
                sys.exit(f"smoke_test: {endpoint}/ping did not answer in {timeout:.0f} s: {error}")
        time.sleep(1)


# --8<-- [start:check]
def smoke(
    endpoint: str, rows: pd.DataFrame, target: str, min_accuracy: float, version: str | None
) -> str:
    body = {"dataframe_split": rows.drop(columns=[target]).to_dict(orient="split")}
    request = urllib.request.Request(
        f"{endpoint}/invocations",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        predictions = json.load(response)["predictions"]
        answered_by = response.headers.get("X-Model-Version")
    latency_ms = (time.perf_counter() - started) * 1000
    if version is not None and answered_by != version:
        sys.exit(
            f"smoke_test: expected model version {version}, the server answered with {answered_by}"
        )
    if len(predictions) != len(rows) or not set(predictions) <= {0, 1}:
        sys.exit(f"smoke_test: expected {len(rows)} labels in {{0, 1}}, got {predictions}")
    accuracy = sum(p == t for p, t in zip(predictions, rows[target], strict=True)) / len(rows)
    if accuracy < min_accuracy:
        sys.exit(f"smoke_test: accuracy {accuracy:.2f} on {len(rows)} rows < {min_accuracy}")
    from_version = f", version {answered_by}" if answered_by else ""
    return f"{len(rows)} predictions{from_version}, accuracy {accuracy:.2f}, {latency_ms:.0f} ms"


# --8<-- [end:check]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--endpoint", help="base URL of a running scoring server")
    where.add_argument("--serve", help="a model folder or models:/ URI to serve locally first")
    parser.add_argument("--data", type=Path, default=Path("data/test"))
    parser.add_argument("--target", default="target")
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--min-accuracy", type=float, default=0.8)
    parser.add_argument("--timeout", type=float, default=180)
    parser.add_argument("--expect-model", type=Path, help="a model_info.json folder: its version")
    args = parser.parse_args()
    if args.endpoint and "://" not in args.endpoint:
        parser.error(f"--endpoint needs a scheme: https://{args.endpoint}")

    rows = pd.concat([pd.read_csv(f) for f in sorted(args.data.glob("*.csv"))]).head(args.rows)
    version = None
    if args.expect_model:
        version = json.loads((args.expect_model / "model_info.json").read_text())["version"]
    with contextlib.ExitStack() as stack:
        endpoint = args.endpoint or stack.enter_context(served(args.serve, Path("serve.log")))
        wait_ready(endpoint.rstrip("/"), args.timeout)
        summary = smoke(endpoint.rstrip("/"), rows, args.target, args.min_accuracy, version)
        print(f"smoke_test: {endpoint}: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
