"""docs/labs/p99-regression.ipynb: v2 raises p99 through its own CPU cost; rollback restores it."""

from __future__ import annotations

import warnings

import pytest

from tests.labs.notebooks import run_lab
from tests.ray_.conftest import head_health

BASELINE, INCIDENT, ROLLBACK = "v1 (baseline)", "v2 (incident)", "v1 (rolled back)"


# Once so far (a clean-clone CI run, 26 Nov) the notebook's `ray.init()` found no node of the
# running head ("No node info found matching attributes"); the same tests passed when repeated.
# The cause is unknown: a second run is allowed, with a warning that shows the head's state.
RAY_CONNECT_FAILED = "Failed to connect to Ray cluster"


@pytest.fixture(scope="module")
def lab(ray_cluster, serve_port):
    try:
        return run_lab("p99-regression")
    except pytest.fail.Exception as failure:
        if RAY_CONNECT_FAILED not in str(failure):
            raise
        health = head_health()  # before a second run, while the logs are as the failure left them
    warnings.warn(f"p99 lab: no Ray node found; running it again. Head:\n{health}", stacklevel=1)
    try:
        return run_lab("p99-regression")
    except pytest.fail.Exception as failure:
        pytest.fail(f"{failure}\nthe Ray head when the first run failed:\n{health}", pytrace=False)


def test_each_phase_served_every_request_by_its_version_on_both_replicas(lab):
    phases, load = lab.summary["deterministic"], lab.summary["deterministic"]["load"]
    # Every request the phase offered (a request every 1/rate s for its length) came back.
    offered = load["rate_rps"] * load["seconds"]
    assert offered >= 20, load  # enough requests for a p99 to mean something
    for phase, version in ((BASELINE, "v1"), (INCIDENT, "v2"), (ROLLBACK, "v1")):
        assert phases[phase] == {
            "requests": offered,
            "errors": 0,
            "versions": [version],
            "replicas": 2,
        }, phase


def test_rate_did_not_change_so_it_is_not_an_overload(lab):
    """Step 1 of the flow: the open-loop load offered (and got) the same rate in every phase."""
    offered = lab.summary["deterministic"]["load"]["rate_rps"]
    rates = [lab.summary["red"][phase]["rate_rps"] for phase in (BASELINE, INCIDENT, ROLLBACK)]
    for rate in rates:
        assert rate == pytest.approx(offered, rel=0.15), rates


def test_p99_regressed_with_v2_and_recovered_after_rollback(lab):
    red = lab.summary["red"]
    before, during, after = (red[p]["p99_ms"] for p in (BASELINE, INCIDENT, ROLLBACK))
    # The p99 of a phase's 24 requests is its slowest one, which on a busy machine can be a v1
    # request that waited for a core: hence a margin of 2.5x on the tail...
    assert during > 2.5 * before, red
    assert during > 2.5 * after, red
    # ...and 4x on the median, which moved as much: every request got slower, not a few.
    assert red[INCIDENT]["p50_ms"] > 4 * red[BASELINE]["p50_ms"], red
    assert red[INCIDENT]["p50_ms"] > 4 * red[ROLLBACK]["p50_ms"], red


def test_the_time_is_the_new_versions_cpu_not_waiting(lab):
    """Steps 4-6: CPU per request grew with latency (the model), so scaling out is no fix."""
    use, red = lab.summary["use"], lab.summary["red"]
    assert use[INCIDENT]["cpu_per_request_ms"] > 20 * use[BASELINE]["cpu_per_request_ms"], use
    assert use[INCIDENT]["utilization"] > 5 * use[BASELINE]["utilization"], use
    # Most of v2's median latency is its own CPU time, not time spent waiting.
    assert use[INCIDENT]["cpu_per_request_ms"] > 0.5 * red[INCIDENT]["p50_ms"], (use, red)
