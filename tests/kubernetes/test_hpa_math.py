"""The HPA/KEDA arithmetic of examples/kubernetes/autoscaling/hpa_math.py, and the output that
autoscaling.md shows (hpa_math.out.txt), written from a run of the script. The script's
tolerances and thresholds are the manifests' own."""

from __future__ import annotations

import runpy
from fractions import Fraction

import pytest
import yaml

from tests.kubernetes.conftest import EXAMPLES
from tests.support.examples import run_example
from tests.support.outputs import PageOutput

SCRIPT = EXAMPLES / "autoscaling" / "hpa_math.py"
math_ = runpy.run_path(str(SCRIPT))  # the functions, without running __main__
hpa, keda, keda_two = math_["hpa_desired"], math_["keda_desired"], math_["keda_two_triggers"]


@pytest.fixture(scope="module")
def printed() -> str:
    return run_example(SCRIPT).stdout


@pytest.mark.parametrize(
    ("current", "cpu", "expected"),
    [
        (4, 90, 6),  # ceil(4 * 90/70) = ceil(5.14)
        (4, 77, 4),  # ratio 1.10: inside the tolerance, no change
        (4, 78, 5),  # ratio 1.114: outside, ceil(4.46)
        (4, 63, 4),  # ratio 0.90: inside
        (4, 62, 4),  # ratio 0.886: outside, but ceil(3.54) is 4 again
        (4, 30, 2),
        (3, 20, 2),  # ceil(0.86) = 1, clamped to minReplicas
        (8, 100, 10),  # ceil(11.4) = 12, clamped to maxReplicas
    ],
)
def test_hpa_formula_with_tolerance_and_clamp(current, cpu, expected):
    assert hpa(current, cpu, 70, low=2, high=10) == expected


def test_the_draft_sentence_exceeds_70_is_not_enough_to_scale():
    # The draft: "When average CPU utilization across pods exceeds 70%, HPA increases replicas".
    assert hpa(4, 75, 70, low=2, high=10) == 4
    assert hpa(4, 77, 70, low=2, high=10) == 4


@pytest.mark.parametrize(
    ("current", "cpu", "expected"),
    [
        (4, 75, 5),  # ratio 1.071: over the 5% scale-up band (the default 10% keeps 4)
        (4, 73, 4),  # ratio 1.043: inside it
        (8, 60, 8),  # ratio 0.857: inside the 15% scale-down band (the default gives 7)
        (8, 59, 7),  # ratio 0.843: outside, ceil(6.74)
        (4, 90, 6),  # far from the target, the tolerance does not matter
    ],
)
def test_per_hpa_tolerance_is_asymmetric(current, cpu, expected):
    up, down = math_["HPA_CPU_UP"], math_["HPA_CPU_DOWN"]
    assert hpa(current, cpu, 70, low=2, high=10, up=up, down=down) == expected


def test_script_uses_the_tolerances_of_hpa_cpu_yaml():
    behavior = yaml.safe_load((EXAMPLES / "autoscaling" / "hpa-cpu.yaml").read_text())["spec"][
        "behavior"
    ]
    assert Fraction(str(behavior["scaleUp"]["tolerance"])) == math_["HPA_CPU_UP"]
    assert Fraction(str(behavior["scaleDown"]["tolerance"])) == math_["HPA_CPU_DOWN"]


def test_script_uses_the_thresholds_of_the_scaled_object():
    scaled = yaml.safe_load((EXAMPLES / "autoscaling" / "keda-scaledobject.yaml").read_text())
    thresholds = {
        trigger["metadata"]["query"].split("{")[0].removeprefix("sum("): trigger["metadata"][
            "threshold"
        ]
        for trigger in scaled["spec"]["triggers"]
    }
    assert thresholds == {"vllm:num_requests_waiting": "5", "vllm:num_requests_running": "24"}
    assert scaled["spec"]["minReplicaCount"] == 1
    assert scaled["spec"]["maxReplicaCount"] == 10


def test_two_triggers_take_the_larger_proposal():
    assert keda_two(1, 12, 24, low=1, high=10) == 3  # the queue asks for 3, the batch for 1
    assert keda_two(3, 0, 70, low=1, high=10) == 3  # empty queue: the batch keeps 3
    assert keda(3, 0, 5, low=1, high=10) == 1  # ... which the queue alone would cut to 1
    assert keda_two(3, 0, 30, low=1, high=10) == 2
    assert keda_two(1, 0, 0, low=0, high=10) == 0  # both idle: zero
    assert keda_two(1, 0, 3, low=0, high=10) == 1  # one trigger active: no zero


def test_keda_scales_to_zero_and_back():
    assert keda(5, 0, 80, low=0, high=10) == 0  # idle -> zero
    assert keda(0, 0, 80, low=0, high=10) == 0  # stays at zero
    assert keda(0, 95, 80, low=0, high=10) == 1  # first event: KEDA's 0 -> 1
    assert keda(1, 95, 80, low=0, high=10) == 2  # then the HPA: ceil(95/80)
    assert keda(5, 0, 80, low=1, high=10) == 1  # minReplicaCount 1 never reaches zero
    assert keda(0, 5, 80, low=0, high=10, activation=10) == 0  # below activationThreshold


def test_keda_average_value_divides_the_total():
    assert keda(4, 380, 80, low=1, high=10) == 5  # sum over 4 pods at 95%
    assert keda(4, 95, 80, low=1, high=10) == 2  # the draft's avg: scales DOWN busy GPUs
    assert keda(4, 330, 80, low=1, high=10) == 4  # 330/320 = 1.03: tolerance
    assert keda(4, 24, 5, low=1, high=10) == 5  # 6 waiting on each of 4 replicas: the sum
    assert keda(4, 6, 5, low=1, high=10) == 2  # their average scales a queueing fleet DOWN


def test_printed_numbers(printed: str):
    lines = printed.splitlines()
    assert "  4 pods at  90%: ceil(4 * 90/70) =  6 ->  6 (scale up)" in lines
    assert "  4 pods at  75%: ceil(4 * 75/70) =  5 ->  4 (within 10% of 70: tolerance)" in lines
    assert "  3 pods at  20%: ceil(3 * 20/70) =  1 ->  2 (scale down, clamped)" in lines
    assert "  8 pods at 100%: ceil(8 * 100/70) = 12 -> 10 (scale up, clamped)" in lines
    assert "  4 pods at 75%: ratio 1.07: default 4, hpa-cpu.yaml 5" in lines
    assert "  8 pods at 60%: ratio 0.86: default 7, hpa-cpu.yaml 8" in lines
    assert "  1 replicas, 12 waiting, 24 running: queue 3, batch 1 -> 3 (scale up)" in lines
    assert "  3 replicas,  0 waiting, 70 running: queue 1, batch 3 -> 3 (no change)" in lines
    assert "  1 replicas,  0 waiting,  0 running: -> 0 (scale down)" in lines
    assert "  0 replicas,  3 waiting,  0 running: -> 1 (scale up)" in lines
    assert "  avg =  6 -> 2 replicas" in lines
    assert "  sum = 24 -> 5 replicas" in lines


def test_page_shows_what_the_example_prints(printed: str, page_output: PageOutput):
    page_output("examples/kubernetes/autoscaling/hpa_math.out.txt", printed)
