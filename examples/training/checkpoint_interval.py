"""How often to checkpoint: measure the cost, simulate failures, find the best.

Run it: python examples/training/checkpoint_interval.py

1. Measure C, the time of one DCP save of the toy model and its Adam state, on
   this machine (the median of several saves).
2. Simulate a long job under failures that arrive at random (exponential gaps,
   mean time between failures M) for many checkpoint intervals T: each failure
   loses the work since the last finished checkpoint, plus a restart R = C.
3. Compare the best simulated T with Young/Daly's approximation sqrt(2 C M).

Everything in the table is in units of C, so the table does not depend on the
machine: only the ratio M / C does. Large jobs live at M / C of 50 to 500
(minutes of checkpointing, hours between failures); this uses 200.
"""

from __future__ import annotations

import math
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

MTBF_IN_C = 200.0  # M / C
RESTART_IN_C = 1.0  # R / C: reload the checkpoint, rejoin the job
INTERVALS_IN_C = [2.5, 5, 7.5, 10, 12.5, 15, 20, 25, 30, 40, 60, 80, 120]
WORK_IN_MTBF = 2000  # the simulated job is 2,000 MTBFs of work: many failures


def measure_checkpoint_seconds(saves: int = 5) -> float:
    """Median wall time of one DCP save of the toy model and optimizer."""
    import checkpoint
    import torch
    from toy import global_batch, make_model, make_optimizer

    model = make_model()
    optimizer = make_optimizer(model)
    x, y = global_batch(0)
    torch.nn.functional.mse_loss(model(x), y).backward()
    optimizer.step()  # Adam's moments exist now: they are saved too
    times = []
    with tempfile.TemporaryDirectory() as folder:
        for step in range(saves + 1):
            start = time.perf_counter()
            checkpoint.save(Path(folder), model, optimizer, step)
            times.append(time.perf_counter() - start)
    return statistics.median(times[1:])  # the first save pays for imports


# --8<-- [start:simulate]
def simulate(interval, mtbf, restart, work, rng) -> dict[str, float]:
    """One long job: segments of `interval` work each end in a save of cost 1
    (the unit is C). A failure during a segment (or its save) loses the segment
    so far, costs `restart`, and the segment starts over from its beginning."""
    segments = math.ceil(work / interval)
    length = interval + 1.0  # work, then the save
    survive = math.exp(-length / mtbf)  # P(no failure during one segment)
    failures = rng.geometric(survive, size=segments) - 1  # failed tries each
    total_failures = int(failures.sum())
    # Where in the segment each failure struck: exponential, cut at `length`.
    u = rng.random(total_failures)
    lost = -mtbf * np.log1p(-u * (1 - survive))
    wall = segments * length + lost.sum() + total_failures * restart
    done = segments * interval  # the work, rounded up to whole segments
    return {
        "overhead": wall / done - 1,
        "saving": segments / done,  # time spent saving, per unit of work
        "lost": (lost.sum() + total_failures * restart) / done,
    }


# --8<-- [end:simulate]


def sweep(seed: int = 2026) -> dict:
    rng = np.random.default_rng(seed)
    work = WORK_IN_MTBF * MTBF_IN_C
    rows = {}
    for t in INTERVALS_IN_C:
        rows[t] = simulate(t, MTBF_IN_C, RESTART_IN_C, work, rng)
    best = min(rows, key=lambda t: rows[t]["overhead"])
    young = math.sqrt(2 * 1.0 * MTBF_IN_C)
    return {"rows": rows, "best": best, "young": young, "daly": young - 1.0}


def report(c_seconds: float, result: dict) -> list[str]:
    lines = [
        f"M = {MTBF_IN_C:.0f} C between failures, restart {RESTART_IN_C:.0f} C",
        "interval  overhead   saving     lost",
    ]
    for t, row in result["rows"].items():
        mark = "  <- best" if t == result["best"] else ""
        cells = f"{t:6.1f} C  {row['overhead']:7.1%}  {row['saving']:7.1%}"
        lines.append(f"{cells}  {row['lost']:7.1%}{mark}")
    best, young = result["best"], result["young"]
    ratio = best / young
    lines += [
        f"best simulated interval: {best:.1f} C",
        f"Young  sqrt(2CM):        {young:.1f} C  (best/Young {ratio:.2f})",
        f"Daly   sqrt(2CM) - C:    {result['daly']:.1f} C",
        f"measured here: C = {c_seconds * 1000:.0f} ms per save, so checkpoint "
        f"every {best * c_seconds:.1f} s",
    ]
    # The same rule at the scale of a real job: C = 2 min, M = 4 h.
    c_min, m_min = 2.0, 240.0
    lines.append(
        f"a job with C = {c_min:.0f} min, M = {m_min / 60:.0f} h: every "
        f"{math.sqrt(2 * c_min * m_min):.0f} min, overhead about "
        f"{math.sqrt(2 * c_min / m_min):.0%}"
    )
    return lines


if __name__ == "__main__":
    c_seconds = measure_checkpoint_seconds()
    result = sweep()
    print("\n".join(report(c_seconds, result)))
