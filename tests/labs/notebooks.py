"""Run a lab notebook with nbclient and read back the numbers its `summary` cell printed.

The notebooks are stored WITH their outputs (the site shows them as they are: mkdocs-jupyter
has `execute: false`). Each test executes its lab afresh against the session's engines, so a
failing cell fails the suite, then compares the fresh summary's "deterministic" numbers with
the stored ones: stale stored outputs fail the test. `--update-outputs`, the option that
rewrites every generated output (tests/support/outputs.py), writes the fresh outputs back
instead (`nox -s examples -- labs --update-outputs`; TESTS names each lab's session).
"""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[2]
LABS = ROOT / "docs" / "labs"
TIMEOUT = 600  # per cell: a hung engine fails the cell (pytest-timeout is the outer net)

# Each lab, the session that runs it and its key (`nox -s examples -- <session> -k <key>` runs
# it alone), and its test. The training and serving labs run in their chapters' torch venvs.
TESTS = {
    "spark-skew": ("labs", "spark", "tests/labs/test_spark_skew.py"),
    "p99-regression": ("labs", "p99", "tests/labs/test_p99_regression.py"),
    "slo-error-budget": ("labs", "slo", "tests/labs/test_slo_error_budget.py"),
    "mlflow-promotion": ("labs", "mlflow", "tests/labs/test_mlflow_promotion.py"),
    "spot-preemption": ("training", "lab", "tests/training/test_lab.py"),
    "slow-assistant": ("serving", "lab", "tests/serving/test_lab.py"),
    "training-serving-skew": ("data", "test_lab", "tests/data/test_lab.py"),
}


@dataclass
class Lab:
    summary: dict  # what the fresh run's summary cell printed
    stored: dict  # what the stored notebook's summary cell shows
    notebook: nbformat.NotebookNode  # the fresh run
    seconds: float


def summary_of(notebook: nbformat.NotebookNode, path: Path) -> dict:
    cells = [c for c in notebook.cells if "summary" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"{path}: expected one code cell tagged 'summary'"
    outputs = cells[0].get("outputs", [])
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert text.strip(), f"{path}: the summary cell has no printed output (stored without outputs?)"
    return json.loads(text)


def tagged_source(path: Path, tag: str) -> str:
    """The source of the one code cell of a stored lab tagged `tag` (e.g. "session": the cell
    that connects to the engine, which tests run alone with other settings)."""
    notebook = nbformat.read(path, as_version=4)
    cells = [c for c in notebook.cells if tag in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1 and cells[0].cell_type == "code", f"{path}: one code cell tagged {tag}"
    return cells[0].source


def printed(notebook: nbformat.NotebookNode, tag: str) -> str:
    """What the code cell tagged `tag` printed in a run."""
    cells = [c for c in notebook.cells if tag in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"expected one code cell tagged {tag!r}"
    return "".join(
        o.get("text", "") for o in cells[0].get("outputs", []) if o.output_type == "stream"
    )


def execute(notebook: nbformat.NotebookNode, path: Path) -> float:
    """Execute in place in a python3 kernel whose working directory is docs/labs."""
    client = NotebookClient(
        notebook,
        timeout=TIMEOUT,
        kernel_name="python3",
        record_timing=False,  # no timestamps in the stored notebook: diffs show only real change
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.monotonic()
    try:
        client.execute()
    except CellExecutionError as error:
        pytest.fail(f"{path.relative_to(ROOT)}: a cell failed:\n{error}", pytrace=False)
    return time.monotonic() - start


def run_lab(name: str, config: pytest.Config) -> Lab:
    path = LABS / f"{name}.ipynb"
    stored = nbformat.read(path, as_version=4)
    fresh = copy.deepcopy(stored)
    for cell in fresh.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    seconds = execute(fresh, path)
    print(f"{path.relative_to(ROOT)} executed in {seconds:.1f} s")
    summary = summary_of(fresh, path)
    session, key, _ = TESTS[name]
    if config.getoption("--update-outputs"):
        fresh.metadata.pop("widgets", None)
        path.write_text(nbformat.writes(fresh) + "\n", encoding="utf-8")
        stored_summary = summary
    else:
        stored_summary = summary_of(stored, path)
        assert summary["deterministic"] == stored_summary["deterministic"], (
            f"{path.relative_to(ROOT)} is stored with stale outputs: its deterministic numbers "
            f"differ from a fresh run. Refresh it: nox -s examples -- {session} "
            f"--update-outputs -k {key}\nstored: {stored_summary['deterministic']}\n"
            f"fresh:  {summary['deterministic']}"
        )
    return Lab(summary, stored_summary, fresh, seconds)
