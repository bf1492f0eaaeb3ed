"""The draft's Ray Serve calls against Ray 2.60 (no cluster needed for these)."""

from __future__ import annotations

import pytest
from ray import serve

from tests.ray_.conftest import run_driver


def test_deployment_deploy_was_removed():
    @serve.deployment(num_replicas=2)
    class SentimentModel:
        def __call__(self, request):
            return {}

    with pytest.raises(AttributeError):
        SentimentModel.deploy()
    # What replaced it: bind() builds an application for serve.run().
    assert type(SentimentModel.bind()).__name__ == "Application"


HALF_A_GPU = """
import ray
ray.init(address="auto")
print(f"gpus={ray.cluster_resources().get('GPU', 0)}")

@ray.remote(num_gpus=0.5)  # what the draft gives each Serve replica
def on_half_a_gpu():
    return "ran"

ready, _ = ray.wait([on_half_a_gpu.remote()], timeout=15)
print(f"ready={len(ready)}")
"""


def test_half_a_gpu_never_schedules_on_a_cluster_without_gpus(ray_cluster: str):
    printed = dict(
        line.split("=", 1) for line in run_driver(HALF_A_GPU).splitlines() if "=" in line
    )
    if float(printed["gpus"]) > 0:
        pytest.skip(f"this cluster has {printed['gpus']} GPUs: the request can be met here")
    assert printed["ready"] == "0"  # pending, not failed: Ray waits for a GPU node to appear
