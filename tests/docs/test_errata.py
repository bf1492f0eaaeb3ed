"""Every erratum says what the draft said, what is right, and what proves it; the proof exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.docs.pages import DOCS, ROOT

ERRATA = sorted((DOCS / "includes" / "errata").glob("*.md"))
PARTS = ("Draft said", "What is right", "Proved by")
TEST_REFERENCE = re.compile(r"`(?P<file>tests/[\w/.-]+\.py)::(?P<test>\w+)(?:\[[^\]]*\])?`")
LINK = re.compile(r"<https?://[^>]+>|\]\(https?://[^)]+\)")


def entries(path: Path) -> list[tuple[str, int, str]]:
    """(title, line, body) of each `### ` entry."""
    found, lines = [], path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if line.startswith("### "):
            found.append((line[4:].strip(), number, []))
        elif found:
            found[-1][2].append(line)
    return [(title, number, "\n".join(body)) for title, number, body in found]


ENTRIES = [(path, *entry) for path in ERRATA for entry in entries(path)]


def test_errata_page_includes_every_chapter_file():
    page = (DOCS / "errata.md").read_text(encoding="utf-8")
    for path in ERRATA:
        assert f'"docs/includes/errata/{path.name}"' in page, f"{path.name} is not on the page"


def test_there_are_errata():
    assert len(ENTRIES) >= 1


@pytest.mark.parametrize(
    ("path", "title", "line", "body"),
    ENTRIES,
    ids=[f"{p.stem}:{line}" for p, _, line, _ in ENTRIES],
)
def test_entry_is_complete_and_its_proof_exists(path: Path, title: str, line: int, body: str):
    where = f"{path.relative_to(ROOT)}:{line} ({title})"
    for part in PARTS:
        assert re.search(rf"^{part}\n:   \S", body, re.M), f"{where}: no '{part}' part"
    proof = body.split("Proved by", 1)[1]
    references = list(TEST_REFERENCE.finditer(proof))
    assert references or LINK.search(proof), (
        f"{where}: 'Proved by' names no test (`tests/...py::test_name`) and no source link"
    )
    for reference in references:
        test_file = ROOT / reference["file"]
        assert test_file.is_file(), f"{where}: {reference['file']} does not exist"
        defined = re.search(
            rf"^\s*(?:async )?def {reference['test']}\(", test_file.read_text(), re.M
        )
        assert defined, f"{where}: no test {reference['test']} in {reference['file']}"
