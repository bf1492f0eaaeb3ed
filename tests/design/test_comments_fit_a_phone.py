"""The calculators' comments say where each assumption comes from: on a 390 px phone they must
show whole, not scroll out of the code box (code lines may scroll; the reasons may not)."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "design"
# A 390 px screen shows about 44 characters of a code line; two spare for rounding.
MAX_COMMENT_LINE = 42


def shown_lines(path: Path) -> list[tuple[int, str]]:
    """The lines a page includes: those inside `--8<-- [start:…]` / `[end:…]` sections."""
    shown, inside = [], False
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if "--8<-- [start:" in line:
            inside = True
        elif "--8<-- [end:" in line:
            inside = False
        elif inside:
            shown.append((number, line))
    return shown


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.py")), ids=lambda path: path.name)
def test_comments_fit_a_phone(path):
    lines = shown_lines(path)
    if path.name != "estimates.py":
        assert lines, f"{path.name} has no snippet sections: the page includes nothing from it"
    long = [
        f"{path.name}:{number}: {len(line)} characters"
        for number, line in lines
        if "#" in line and len(line) > MAX_COMMENT_LINE
    ]
    assert not long, f"comment lines over {MAX_COMMENT_LINE} characters: {long}"
