"""Queueing models of one server: latency against load, from the service time alone.

A single-server queue with random (Poisson) arrivals at rate lambda and a mean service
time S is busy a fraction rho = lambda * S of the time. A request waits, on average
(Pollaczek-Khinchine, M/G/1):

    wait = (1 + cs2) / 2 * rho / (1 - rho) * S

where cs2 is the squared coefficient of variation of the service time: 0 when every
request costs the same (M/D/1), 1 for exponential service times (M/M/1).
"""

from __future__ import annotations


# --8<-- [start:model]
def wait(rho: float, service: float, cs2: float) -> float:
    """Mean time in the queue before service starts (M/G/1)."""
    if not 0 <= rho < 1:
        raise ValueError(f"load {rho}: a queue is stable only below 1")
    return (1 + cs2) / 2 * rho / (1 - rho) * service


def latency(rho: float, service: float, cs2: float = 0.0) -> float:
    """Mean time in the system: the wait plus the service itself."""
    return wait(rho, service, cs2) + service
    # --8<-- [end:model]


def main() -> None:
    # --8<-- [start:table]
    print("load   M/D/1   M/M/1   (latency in service times)")
    for rho in (0.1, 0.5, 0.8, 0.9, 0.95, 0.99, 0.995):
        md1, mm1 = latency(rho, 1.0), latency(rho, 1.0, cs2=1.0)
        print(f"{rho:6.1%} {md1:6.2f} {mm1:7.2f}")
    # Ten times the traffic: from 9.95% to 99.5% busy.
    for name, cs2 in (("M/D/1", 0.0), ("M/M/1", 1.0)):
        ratio = latency(0.995, 1.0, cs2) / latency(0.0995, 1.0, cs2)
        print(f"{name}: 10x the traffic, {ratio:.0f}x the latency")
    # --8<-- [end:table]


if __name__ == "__main__":
    main()
