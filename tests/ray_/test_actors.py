"""examples/ray_/actors.py: three ModelReplica actors, 100 round-robin requests."""

from __future__ import annotations

import ast


def test_round_robin_spreads_100_requests_34_33_33(run_example, capsys):
    example = run_example("actors.py")

    lines = capsys.readouterr().out.splitlines()
    # Ray also forwards the actors' own prints ("Loading model ...") to this output.
    stats = [ast.literal_eval(line) for line in lines if line.startswith("{'model_id'")]
    assert stats == [
        {"model_id": 0, "request_count": 34},
        {"model_id": 1, "request_count": 33},
        {"model_id": 2, "request_count": 33},
    ]
    assert len(example["results"]) == 100


def test_state_survives_across_calls(run_example):
    results = run_example("actors.py")["results"]

    for i, result in enumerate(results):
        # Request i went to actor i % 3, whose counter had seen i // 3 requests before it.
        assert result == {
            "prediction": f"result_input_{i}",
            "model_id": i % 3,
            "request_count": i // 3 + 1,
        }
