"""examples/ray_/actors.py: three ModelReplica actors, 100 round-robin requests."""

from __future__ import annotations

import ast

import pytest

from tests.ray_.conftest import driver_output, run_ray_example
from tests.support.examples import ExampleRun
from tests.support.ray_head import RayHead


@pytest.fixture(scope="module")
def actors(ray_head: RayHead) -> ExampleRun:
    return run_ray_example("actors.py", head=ray_head)


def test_round_robin_spreads_100_requests_34_33_33(actors: ExampleRun):
    # Ray also forwards the actors' own prints ("Loading model ...") to this output.
    lines = actors.stdout.splitlines()
    stats = [ast.literal_eval(line) for line in lines if line.startswith("{'model_id'")]
    assert stats == [
        {"model_id": 0, "request_count": 34},
        {"model_id": 1, "request_count": 33},
        {"model_id": 2, "request_count": 33},
    ]
    assert len(actors.globals["results"]) == 100


def test_state_survives_across_calls(actors: ExampleRun):
    for i, result in enumerate(actors.globals["results"]):
        # Request i went to actor i % 3, whose counter had seen i // 3 requests before it.
        assert result == {
            "prediction": f"result_input_{i}",
            "model_id": i % 3,
            "request_count": i // 3 + 1,
        }


def test_page_shows_what_the_example_printed(actors: ExampleRun, page_output):
    page_output("examples/ray_/actors.out.txt", driver_output(actors.stdout))
