"""How many replicas the HPA (and KEDA) will ask for: the formula and what the one-liner omits.

    desiredReplicas = ceil(currentReplicas * currentMetricValue / desiredMetricValue)

plus the tolerance band (no change within 10% of the target), the min/max clamp, and for KEDA
the 0 <-> 1 step the HPA cannot take. Run it: python examples/kubernetes/autoscaling/hpa_math.py
Not modelled: the 5-minute scale-down stabilization window, unready Pods and missing metrics.
"""

import math
from fractions import Fraction

# --8<-- [start:hpa]
TOLERANCE = Fraction(1, 10)  # kube-controller-manager --horizontal-pod-autoscaler-tolerance


def hpa_desired(current: int, metric: float, target: float, low: int, high: int) -> int:
    """Replicas for a Utilization/AverageValue target (e.g. 70% of requests.cpu)."""
    ratio = Fraction(metric) / Fraction(target)
    # Within 10% of the target: do nothing, so replicas do not flap.
    desired = current if abs(1 - ratio) <= TOLERANCE else math.ceil(current * ratio)
    return max(low, min(high, desired))  # minReplicas <= desired <= maxReplicas


# --8<-- [end:hpa]


# --8<-- [start:keda]
def keda_desired(
    current: int, total: float, threshold: float, low: int, high: int, activation: float = 0
) -> int:
    """Replicas for a KEDA trigger: `total` is the query's single value, `threshold` per replica.

    KEDA's HPA uses an External metric with an AverageValue target, so it divides the total by
    the threshold (it does not multiply by the current replicas).
    """
    if current == 0:  # the HPA never scales from 0: KEDA's operator does the 0 -> 1 step
        return max(1, low) if total > activation else 0
    if low == 0 and total <= activation:
        return 0  # idle: KEDA scales to zero once cooldownPeriod (300 s) has passed
    ratio = Fraction(total) / (Fraction(threshold) * current)
    if abs(1 - ratio) <= TOLERANCE:
        return current
    desired = math.ceil(Fraction(total) / Fraction(threshold))
    return max(max(1, low), min(high, desired))  # KEDA gives its HPA minReplicas >= 1


# --8<-- [end:keda]


def why(current: int, desired: int) -> str:
    return "scale up" if desired > current else "scale down" if desired < current else "no change"


if __name__ == "__main__":
    # --8<-- [start:worked]
    print("HPA, target 70% CPU, minReplicas 2, maxReplicas 10 (hpa-cpu.yaml)")
    for current, cpu in [(4, 90), (4, 75), (4, 30), (3, 20), (8, 100)]:
        raw = math.ceil(current * Fraction(cpu, 70))
        desired = hpa_desired(current, cpu, 70, low=2, high=10)
        note = "within 10% of 70: tolerance" if desired == current else why(current, desired)
        if raw != desired and desired != current:
            note += ", clamped"
        formula = f"ceil({current} * {cpu}/70) = {raw:2}"
        print(f"  {current} pods at {cpu:3}%: {formula} -> {desired:2} ({note})")

    print("KEDA, threshold 80 per replica, minReplicaCount 0, maxReplicaCount 10")
    for current, total in [(0, 0), (0, 95), (1, 95), (4, 380), (5, 20), (5, 0)]:
        desired = keda_desired(current, total, 80, low=0, high=10)
        print(f"  {current} replicas, query = {total:3}: -> {desired:2} ({why(current, desired)})")

    print("The draft's avg() query on 4 GPU pods at 95%, threshold 80:")
    print(f"  avg = 95  -> {keda_desired(4, 95, 80, low=1, high=10)} replicas")
    print(f"  sum = 380 -> {keda_desired(4, 380, 80, low=1, high=10)} replicas")
    # --8<-- [end:worked]
