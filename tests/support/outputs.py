"""Output that pages show, written by the tests that produce it.

A page never carries pasted output. It includes a file that sits beside the example,
`<example>.out.txt` (or `<example>.<case>.out.txt` when one example prints several things the
page shows), and the test that runs the example compares what it printed with that file:

    def test_tuning_prints_the_page_output(page_output):
        page_output("examples/spark/tuning.out.txt", printed)

`pytest --update-outputs` (`nox -s examples -- spark --update-outputs`) writes the files from
the run instead of comparing. tests/docs/test_outputs.py checks that every output file is
included by a page and named by a test, and that pages have no other output blocks.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUFFIX = ".out.txt"

PageOutput = Callable[[str, str], None]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-outputs",
        action="store_true",
        help="write the examples' *.out.txt files (the output pages show) from this run",
    )


def normalised(text: str) -> str:
    """Trailing spaces and blank end lines dropped: they are invisible on a page."""
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    return "\n".join(lines) + "\n"


def output_path(name: str) -> Path:
    path = ROOT / name
    if not name.endswith(SUFFIX) or not name.startswith("examples/"):
        raise ValueError(f"{name!r}: an output file is examples/.../<name>{SUFFIX}")
    return path


def compare_output(name: str, printed: str, update: bool) -> str | None:
    """Check (or, with `update`, write) one output file; what went wrong, or None."""
    path = output_path(name)
    wanted = normalised(printed)
    if update:
        if not path.is_file() or path.read_text("utf-8") != wanted:
            path.write_text(wanted, "utf-8")
        return None
    if not path.is_file():
        return f"{name} does not exist: write it from this run with `pytest --update-outputs`"
    shown = path.read_text("utf-8")
    if shown == wanted:
        return None
    diff = "".join(
        difflib.unified_diff(
            shown.splitlines(keepends=True),
            wanted.splitlines(keepends=True),
            fromfile=f"{name} (what the page shows)",
            tofile="this run",
        )
    )
    return (
        f"the example no longer prints what its page shows:\n{diff}\n"
        "If the change is intended, write the file from this run: `pytest --update-outputs`."
    )


@pytest.fixture
def page_output(request: pytest.FixtureRequest) -> PageOutput:
    """`page_output("examples/<...>.out.txt", printed)`: the page shows exactly `printed`."""
    update = bool(request.config.getoption("--update-outputs"))

    def check(name: str, printed: str) -> None:
        problem = compare_output(name, printed, update)
        if problem:
            pytest.fail(problem, pytrace=False)

    return check
