"""The draft's Ray Serve calls against Ray 2.60 (no cluster needed for these)."""

from __future__ import annotations

import pytest


def test_deployment_deploy_was_removed():
    from ray import serve

    @serve.deployment(num_replicas=2)
    class SentimentModel:
        def __call__(self, request):
            return {}

    with pytest.raises(AttributeError):
        SentimentModel.deploy()
    # What replaced it: bind() builds an application for serve.run().
    assert type(SentimentModel.bind()).__name__ == "Application"


def test_half_a_gpu_never_schedules_on_a_cluster_without_gpus(ray_driver: None):
    import ray

    gpus = ray.cluster_resources().get("GPU", 0)
    if gpus > 0:
        pytest.skip(f"this cluster has {gpus} GPUs: the request can be met here")

    @ray.remote(num_gpus=0.5)  # what the draft gives each Serve replica
    def on_half_a_gpu():
        return "ran"

    @ray.remote(num_cpus=0.5)  # what the example gives it instead
    def on_half_a_cpu():
        return "ran"

    pending = on_half_a_gpu.remote()
    # The control: submitted after it, the CPU task runs (this also waits out the start of a
    # worker process, which is what a "not yet" would otherwise measure on a busy machine).
    assert ray.get(on_half_a_cpu.remote(), timeout=180) == "ran"
    ready, _ = ray.wait([pending], timeout=5)
    assert ready == []  # pending, not failed: Ray waits for a GPU node to appear
    ray.cancel(pending)  # leave nothing queued on the session's cluster
