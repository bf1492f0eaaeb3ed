"""How many replicas the HPA (and KEDA) will ask for: the formula and what the one-liner omits.

    desiredReplicas = ceil(currentReplicas * currentMetricValue / desiredMetricValue)

plus the tolerance band (no change near the target: 10% both ways unless the HPA's behavior
sets its own), the min/max clamp, the largest proposal winning when there are several metrics,
and for KEDA the 0 <-> 1 step the HPA cannot take.
Run it: python examples/kubernetes/autoscaling/hpa_math.py
Not modelled: the 5-minute scale-down stabilization window, unready Pods and missing metrics.
"""

import math
from fractions import Fraction

# --8<-- [start:hpa]
TOLERANCE = Fraction(1, 10)  # kube-controller-manager --horizontal-pod-autoscaler-tolerance


def hpa_desired(
    current: int,
    metric: float,
    target: float,
    low: int,
    high: int,
    up: Fraction = TOLERANCE,  # behavior.scaleUp.tolerance, if the HPA sets it
    down: Fraction = TOLERANCE,  # behavior.scaleDown.tolerance, if the HPA sets it
) -> int:
    """Replicas for a Utilization/AverageValue target (e.g. 70% of requests.cpu)."""
    ratio = Fraction(metric) / Fraction(target)
    # Inside the band around the target: do nothing, so replicas do not flap.
    inside = 1 - down <= ratio <= 1 + up
    desired = current if inside else math.ceil(current * ratio)
    return max(low, min(high, desired))  # minReplicas <= desired <= maxReplicas


# --8<-- [end:hpa]

# hpa-cpu.yaml's behavior (the test suite checks these against the manifest).
HPA_CPU_UP, HPA_CPU_DOWN = Fraction("0.05"), Fraction("0.15")


# --8<-- [start:keda]
def keda_desired(
    current: int, total: float, threshold: float, low: int, high: int, activation: float = 0
) -> int:
    """Replicas for one KEDA trigger: `total` is the query's single value, `threshold` is what
    one replica should carry.

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


def keda_two_triggers(current: int, waiting: int, running: int, low: int, high: int) -> int:
    """keda-scaledobject.yaml: the queue (5 per replica) and the batch (24 per replica).

    With several metrics the HPA computes a proposal for each and takes the largest; KEDA
    scales to zero only when every trigger is idle.
    """
    if low == 0 and current > 0 and waiting == running == 0:
        return 0
    queue = keda_desired(current, waiting, 5, low, high)
    batch = keda_desired(current, running, 24, low, high)
    return max(queue, batch)


# --8<-- [end:keda]


def why(current: int, desired: int) -> str:
    return "scale up" if desired > current else "scale down" if desired < current else "no change"


if __name__ == "__main__":
    # --8<-- [start:worked]
    print("HPA, target 70% CPU, minReplicas 2, maxReplicas 10, default 10% tolerance")
    for current, cpu in [(4, 90), (4, 75), (4, 30), (3, 20), (8, 100)]:
        raw = math.ceil(current * Fraction(cpu, 70))
        desired = hpa_desired(current, cpu, 70, low=2, high=10)
        note = "within 10% of 70: tolerance" if desired == current else why(current, desired)
        if raw != desired and desired != current:
            note += ", clamped"
        formula = f"ceil({current} * {cpu}/70) = {raw:2}"
        print(f"  {current} pods at {cpu:3}%: {formula} -> {desired:2} ({note})")

    print("hpa-cpu.yaml: behavior.scaleUp.tolerance 0.05, scaleDown.tolerance 0.15")
    for current, cpu in [(4, 75), (4, 73), (8, 60)]:
        default = hpa_desired(current, cpu, 70, low=2, high=10)
        own = hpa_desired(current, cpu, 70, 2, 10, up=HPA_CPU_UP, down=HPA_CPU_DOWN)
        ratio = f"{float(Fraction(cpu, 70)):.2f}"
        print(f"  {current} pods at {cpu}%: ratio {ratio}: default {default}, hpa-cpu.yaml {own}")

    print("KEDA on the queue (5 per replica) and the batch (24), minReplicaCount 1")
    for current, waiting, running in [(1, 0, 10), (1, 12, 24), (3, 0, 70), (3, 0, 30)]:
        queue = keda_desired(current, waiting, 5, low=1, high=10)
        batch = keda_desired(current, running, 24, low=1, high=10)
        desired = keda_two_triggers(current, waiting, running, low=1, high=10)
        state = f"{current} replicas, {waiting:2} waiting, {running:2} running"
        print(f"  {state}: queue {queue}, batch {batch} -> {desired} ({why(current, desired)})")

    print("The same with minReplicaCount 0 (KEDA's default)")
    for current, waiting, running in [(1, 0, 0), (0, 3, 0)]:
        desired = keda_two_triggers(current, waiting, running, low=0, high=10)
        state = f"{current} replicas, {waiting:2} waiting, {running:2} running"
        print(f"  {state}: -> {desired} ({why(current, desired)})")

    print("4 replicas with 6 requests waiting on each, threshold 5 per replica:")
    print(f"  avg =  6 -> {keda_desired(4, 6, 5, low=1, high=10)} replicas")
    print(f"  sum = 24 -> {keda_desired(4, 24, 5, low=1, high=10)} replicas")
    # --8<-- [end:worked]
