"""`page_output` (tests/support/outputs.py) can fail, names the fix, and writes on request."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import outputs

NAME = "examples/spark/tuning.out.txt"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "examples" / "spark").mkdir(parents=True)
    monkeypatch.setattr(outputs, "ROOT", tmp_path)
    return tmp_path


def test_a_changed_output_fails_with_a_diff_and_the_fix(root: Path):
    (root / NAME).write_text("AQE on: 1\n")
    problem = outputs.compare_output(NAME, "AQE on: 2\n", update=False)
    assert problem is not None
    assert "-AQE on: 1" in problem and "+AQE on: 2" in problem
    assert "pytest --update-outputs" in problem


def test_a_missing_output_file_names_the_command_that_writes_it(root: Path):
    problem = outputs.compare_output(NAME, "x\n", update=False)
    assert problem is not None and "does not exist" in problem and "--update-outputs" in problem


def test_update_writes_the_file_and_then_it_matches(root: Path):
    assert outputs.compare_output(NAME, "a  \nb\n\n\n", update=True) is None
    assert (root / NAME).read_text() == "a\nb\n"
    assert outputs.compare_output(NAME, "a\nb", update=False) is None


def test_only_out_files_under_examples_are_accepted(root: Path):
    with pytest.raises(ValueError, match="examples/"):
        outputs.compare_output("docs/page.md", "x", update=True)
