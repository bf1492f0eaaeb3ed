"""examples/training/checkpoint_interval.py: the checkpoint cost C is measured here, the
failures simulated, and the best interval lands near Young/Daly's sqrt(2 C M)."""

from __future__ import annotations

import math
import re

from tests.support.examples import import_example, run_in_process

# The simulation's best interval must be within this factor of sqrt(2 C M). Young's formula
# is the first-order optimum; Daly's next terms move it by about sqrt(C / 2M) = 5% at
# M = 200 C, and the cost curve is flat near its minimum (20% off the optimum costs under 1%
# more), so a grid point or two either side is expected, a factor of 1.5 is not.
FACTOR = 1.5


def test_best_interval_is_young_daly_computed_from_the_measured_cost(page_output):
    import_example("training/checkpoint_interval.py")  # its folder on sys.path
    run = run_in_process("training/checkpoint_interval.py")
    c_seconds, result = run.globals["c_seconds"], run.globals["result"]
    mtbf_seconds = run.globals["MTBF_IN_C"] * c_seconds
    assert c_seconds > 0
    young_seconds = math.sqrt(2 * c_seconds * mtbf_seconds)
    best_seconds = result["best"] * c_seconds
    assert 1 / FACTOR <= best_seconds / young_seconds <= FACTOR
    assert math.isclose(result["young"] * c_seconds, young_seconds)

    rows = result["rows"]
    intervals = sorted(rows)
    overhead = [rows[t]["overhead"] for t in intervals]
    # U-shaped: too often wastes time saving, too rarely loses work to failures.
    assert overhead[0] > 2 * min(overhead) and overhead[-1] > 2 * min(overhead)
    saving = [rows[t]["saving"] for t in intervals]
    lost = [rows[t]["lost"] for t in intervals]
    assert saving == sorted(saving, reverse=True)
    assert lost == sorted(lost)
    for t in intervals:  # overhead = saving + lost, by construction of the simulation
        assert math.isclose(rows[t]["overhead"], rows[t]["saving"] + rows[t]["lost"])

    printed = re.sub(
        r"C = \d+ ms per save, so checkpoint every [\d.]+ s",
        "C = <ms> ms per save, so checkpoint every <seconds> s",
        run.stdout,
    )
    assert printed != run.stdout, "the measured line is masked, not missing"
    page_output("examples/training/checkpoint_interval.out.txt", printed)
