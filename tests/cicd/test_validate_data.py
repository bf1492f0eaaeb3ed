"""scripts/validate_data.py: the shipped batch passes; each broken file fails naming its line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.cicd.conftest import run_script

ARGS = ("--data-path", "data/raw/", "--schema", "schema.json")


def test_the_shipped_batch_passes(project: Path) -> None:
    result = run_script(project, "validate_data.py", *ARGS)
    assert "1 file(s), 284 rows, 0 problem(s)" in result.stdout
    assert "PASSED" in (project / "reports" / "validation_report.html").read_text()


@pytest.mark.parametrize(
    ("break_it", "message", "shown"),
    [
        (lambda f: f.drop(columns=["mean radius"]), "missing column 'mean radius'", None),
        (lambda f: f.assign(extra=1), "unexpected column 'extra'", None),
        # Row 4 of the frame is line 6 of the file: line 1 is the header. docs/mlops/cicd.md
        # shows this one.
        (
            lambda f: f.assign(**{"mean area": f["mean area"].where(f.index != 4, -1.0)}),
            "column 'mean area': 1 value(s) below min 0 (line 6: -1.0)",
            "examples/cicd/scripts/validate_data.negative-area.out.txt",
        ),
        (
            lambda f: f.assign(target=f["target"].where(f.index != 0, 2)),
            "column 'target': 1 value(s) not in [0, 1] (line 2: 2)",
            None,
        ),
        (
            lambda f: f.assign(**{"mean texture": f["mean texture"].where(f.index != 9)}),
            "column 'mean texture': 1 empty (line 11)",
            None,
        ),
        (lambda f: f.head(10), "10 rows, fewer than min_rows=50", None),
    ],
    ids=["missing-column", "extra-column", "negative-area", "unknown-label", "empty", "too-few"],
)
def test_broken_data_fails_naming_file_and_line(
    project: Path, break_it, message: str, shown: str | None, page_output
) -> None:
    batch = project / "data" / "raw" / "batch.csv"
    break_it(pd.read_csv(batch)).to_csv(batch, index=False)
    result = run_script(project, "validate_data.py", *ARGS, expect=1)
    assert f"data/raw/batch.csv: {message}" in result.stderr
    report = (project / "reports" / "validation_report.html").read_text()
    assert "FAILED" in report
    if shown:
        # The problems (stderr), then the summary (stdout): the order the script prints them.
        page_output(shown, result.stderr + result.stdout)
