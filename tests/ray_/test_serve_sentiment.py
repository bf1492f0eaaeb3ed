"""examples/ray_/serve_sentiment.py: two replicas of a VADER sentiment model behind HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
import ray
import requests
from ray import serve

from tests.ray_.conftest import EXAMPLES


@pytest.fixture(scope="module")
def sentiment_app(ray_cluster: str, serve_port: int) -> Iterator[str]:
    """Run the example as a reader would (`python examples/ray_/serve_sentiment.py`); the app
    outlives the script on the cluster, so shut Serve down afterwards, pass or fail."""
    try:
        run = subprocess.run(
            [sys.executable, str(EXAMPLES / "serve_sentiment.py")],
            env=os.environ.copy(),  # RAY_ADDRESS and SERVE_HTTP_PORT from the fixtures
            capture_output=True,
            text=True,
            timeout=420,
        )
        assert run.returncode == 0, f"the example failed:\n{run.stdout}\n{run.stderr}"
        yield run.stdout
    finally:
        ray.init(address=ray_cluster)
        try:
            serve.shutdown()
        finally:
            ray.shutdown()


def post(port: int, path: str, text: str) -> requests.Response:
    return requests.post(f"http://127.0.0.1:{port}{path}", data=text, timeout=30)


def test_example_prints_its_test_requests(sentiment_app: str):
    lines = sentiment_app.splitlines()
    assert any(
        line.startswith("'I love this!' -> {'label': 'POSITIVE', 'score': 0.") for line in lines
    ), sentiment_app
    assert any(
        line.startswith("'This is the worst purchase I have ever made.' -> {'label': 'NEGATIVE'")
        for line in lines
    ), sentiment_app


def test_http_post_labels_positive_and_negative(sentiment_app: str, serve_port: int):
    # The script has exited: these requests reach the app it left running on the cluster.
    positive = post(serve_port, "/sentiment", "What a wonderful, delightful day. I am so happy!")
    negative = post(serve_port, "/sentiment", "This is terrible, awful and I hate it.")

    assert positive.status_code == 200, positive.text
    assert positive.json()["label"] == "POSITIVE"
    assert positive.json()["score"] > 0.5
    assert negative.status_code == 200, negative.text
    assert negative.json()["label"] == "NEGATIVE"
    assert negative.json()["score"] < -0.5


def test_two_replicas_are_running(sentiment_app: str, ray_cluster: str):
    ray.init(address=ray_cluster)
    try:
        deployment = serve.status().applications["sentiment"].deployments["SentimentModel"]
    finally:
        ray.shutdown()
    assert deployment.status == "HEALTHY"
    assert deployment.replica_states == {"RUNNING": 2}
