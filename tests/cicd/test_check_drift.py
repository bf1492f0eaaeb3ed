"""scripts/check_drift.py: clean data passes, shifted data fails naming the feature."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tests.cicd.conftest import run_script

ARGS = ("--data-path", "data/raw/", "--reference", "data/train/stats.json")


def test_clean_batch_passes(project: Path, page_output) -> None:
    result = run_script(project, "check_drift.py", *ARGS)
    psi = json.loads((project / "reports" / "drift.json").read_text())["psi"]
    assert len(psi) == 30
    # Two random halves of one data set: sampling noise only, below the 0.2 rule of thumb.
    assert 0 < max(psi.values()) < 0.2
    worst = max(psi, key=psi.get)
    assert f"highest PSI: {worst}={psi[worst]:.3f}" in result.stdout
    assert "passed" in result.stdout
    page_output("examples/cicd/scripts/check_drift.out.txt", result.stdout)


def test_drifted_batch_fails_naming_the_feature(project: Path, page_output) -> None:
    batch = project / "data" / "raw" / "batch.csv"
    frame = pd.read_csv(batch)
    # A unit change upstream (or a new sensor): every radius 30 % larger.
    frame["mean radius"] *= 1.3
    frame.to_csv(batch, index=False)
    result = run_script(project, "check_drift.py", *ARGS, expect=1)
    psi = json.loads((project / "reports" / "drift.json").read_text())["psi"]
    assert psi["mean radius"] > 0.2
    assert [name for name, score in psi.items() if score > 0.2] == ["mean radius"]
    assert "FAILED, PSI above 0.2 for ['mean radius']" in result.stderr
    # The PSI line (stdout), then the verdict (stderr): the order the script prints them.
    page_output("examples/cicd/scripts/check_drift.drifted.out.txt", result.stdout + result.stderr)


def test_threshold_is_a_parameter(project: Path) -> None:
    # The same clean batch fails a stricter gate: the threshold, not luck, decides.
    result = run_script(project, "check_drift.py", *ARGS, "--threshold", "0.1", expect=1)
    assert "FAILED" in result.stderr
