"""The HPA/KEDA arithmetic of examples/kubernetes/autoscaling/hpa_math.py, and the output that
autoscaling.md shows (hpa_math.out.txt), written from a run of the script."""

from __future__ import annotations

import runpy

import pytest

from tests.kubernetes.conftest import EXAMPLES
from tests.support.examples import run_example
from tests.support.outputs import PageOutput

SCRIPT = EXAMPLES / "autoscaling" / "hpa_math.py"
math_ = runpy.run_path(str(SCRIPT))  # the functions, without running __main__
hpa, keda = math_["hpa_desired"], math_["keda_desired"]


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


def test_printed_numbers(printed: str):
    lines = printed.splitlines()
    assert "  4 pods at  90%: ceil(4 * 90/70) =  6 ->  6 (scale up)" in lines
    assert "  4 pods at  75%: ceil(4 * 75/70) =  5 ->  4 (within 10% of 70: tolerance)" in lines
    assert "  3 pods at  20%: ceil(3 * 20/70) =  1 ->  2 (scale down, clamped)" in lines
    assert "  8 pods at 100%: ceil(8 * 100/70) = 12 -> 10 (scale up, clamped)" in lines
    assert "  0 replicas, query =  95: ->  1 (scale up)" in lines
    assert "  5 replicas, query =   0: ->  0 (scale down)" in lines
    assert "  avg = 95  -> 2 replicas" in lines
    assert "  sum = 380 -> 5 replicas" in lines


def test_page_shows_what_the_example_prints(printed: str, page_output: PageOutput):
    page_output("examples/kubernetes/autoscaling/hpa_math.out.txt", printed)
