"""examples/ray_/serve_sentiment.py: two replicas of a VADER sentiment model behind HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.ray_.conftest import driver_output, run_ray_example
from tests.support.examples import ExampleRun
from tests.support.ray_head import RayHead


@pytest.fixture(scope="module")
def sentiment_app(ray_head: RayHead, ray_driver: None, serve_port: int) -> Iterator[ExampleRun]:
    """Run the example as a reader would; the app outlives the script on the cluster, so
    shut Serve down afterwards (from this process, connected as a driver), pass or fail."""
    from ray import serve

    try:
        yield run_ray_example("serve_sentiment.py", head=ray_head)
    finally:
        serve.shutdown()


def post(port: int, path: str, text: str) -> requests.Response:
    return requests.post(f"http://127.0.0.1:{port}{path}", data=text, timeout=30)


def test_example_prints_its_test_requests(sentiment_app: ExampleRun, page_output):
    lines = sentiment_app.stdout.splitlines()
    assert any(
        line.startswith("'I love this!' -> {'label': 'POSITIVE', 'score': 0.") for line in lines
    ), sentiment_app.stdout
    assert any(
        line.startswith("'This is the worst purchase I have ever made.' -> {'label': 'NEGATIVE'")
        for line in lines
    ), sentiment_app.stdout
    # VADER is a fixed lexicon and fixed rules: the same scores on every run.
    page_output("examples/ray_/serve_sentiment.out.txt", driver_output(sentiment_app.stdout))


def test_http_post_labels_positive_and_negative(sentiment_app: ExampleRun, serve_port: int):
    # The script has exited: these requests reach the app it left running on the cluster.
    positive = post(serve_port, "/sentiment", "What a wonderful, delightful day. I am so happy!")
    negative = post(serve_port, "/sentiment", "This is terrible, awful and I hate it.")

    assert positive.status_code == 200, positive.text
    assert positive.json()["label"] == "POSITIVE"
    assert positive.json()["score"] > 0.5
    assert negative.status_code == 200, negative.text
    assert negative.json()["label"] == "NEGATIVE"
    assert negative.json()["score"] < -0.5


def test_two_replicas_are_running(sentiment_app: ExampleRun):
    # What `serve status` shows, read by this process from the Serve controller.
    from ray import serve

    deployment = serve.status().applications["sentiment"].deployments["SentimentModel"]
    assert (deployment.status, deployment.replica_states) == ("HEALTHY", {"RUNNING": 2})


def test_draft_url_is_not_routed(sentiment_app: ExampleRun, serve_port: int):
    # The removed .deploy() served a deployment at /<class name>; an application now answers
    # at the route_prefix given to serve.run ("/" unless told).
    assert post(serve_port, "/SentimentModel", "I love this!").status_code == 404
