"""Output on pages is generated: every `examples/**/*.out.txt` is shown by a page and written
(or compared) by a test, and no page shows output from anywhere else (tests/docs/fences.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.fences import OUTPUT_SUFFIX, fences
from tests.docs.pages import DOCS, ROOT, markdown_pages

OUTPUT_FILES = sorted(
    p.relative_to(ROOT).as_posix() for p in ROOT.glob(f"examples/**/*{OUTPUT_SUFFIX}")
)
THIS_FILE = Path(__file__).resolve()


def included_outputs() -> set[str]:
    found = set()
    for page in markdown_pages() + sorted((DOCS / "includes").rglob("*.md")):
        for fence in fences(page.read_text("utf-8"), str(page)):
            found.update(t for t in fence.includes if t.endswith(OUTPUT_SUFFIX))
    return found


def test_there_are_output_files():
    assert len(OUTPUT_FILES) >= 20, OUTPUT_FILES


@pytest.mark.parametrize("name", OUTPUT_FILES)
def test_every_output_file_is_on_a_page(name: str):
    assert name in included_outputs(), (
        f"{name} is shown by no page: include it in a `text` fence, or delete it"
    )


@pytest.mark.parametrize("name", OUTPUT_FILES)
def test_every_output_file_is_written_by_a_test(name: str):
    tests = [
        p.relative_to(ROOT).as_posix()
        for p in sorted((ROOT / "tests").rglob("*.py"))
        if p.resolve() != THIS_FILE and name in p.read_text("utf-8")
    ]
    assert tests, (
        f"no test names {name}: the test that runs the example must check it with "
        f'page_output("{name}", printed) (tests/support/outputs.py)'
    )
