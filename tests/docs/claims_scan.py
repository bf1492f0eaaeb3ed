"""Find the sentences that read like version-sensitive facts, and the marks that cover them.

A unit (a paragraph, a list item, a table row, a quiz question, a glossary line) that says
"defaults to", "beta", "deprecated", "was removed", "Spark 4.1" ... states something a release
can change. It must carry `<!-- md:claim <id> -->` (a registered claim, checked by a test) or
`<!-- md:no-claim <why> -->` (in a quiz question: `claims:` or `no_claim:`).

`python -m tests.docs.claims_scan` prints the count per file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

CLAIM_MARK = re.compile(r"<!-- md:claim (?P<id>[\w-]+) -->")
NO_CLAIM_MARK = re.compile(r"<!-- md:no-claim (?P<why>[^>]+?) -->")
TRIGGER = re.compile(
    r"""
    \bdefault(?:s|ed)?\b
  | \b(?:GA|[Aa]lpha|[Bb]eta|[Dd]eprecat\w*|[Rr]etired|[Ss]unset)\b
  | \bgenerally\ available\b | \blimited\ maintenance\b | \bmaintenance\ mode\b
  | \bend\ of\ life\b | \bfeature\ gate\b | \bno\ longer\b
  | \b(?:was|were|is|are|been|being|got)\ removed\b | \bremoved\ in\b
  | \b(?:since|as\ of|added\ in|introduced\ in|new\ in|until|before|from|after)
      \ (?:[A-Z][\w.-]*\ ){0,2}v?\d+\.\d+
  | \b[A-Z][A-Za-z]+\ v?\d+\.\d+(?:\.\d+)?\b
    """,
    re.X,
)
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+\1")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+\.)\s")


@dataclass
class Unit:
    where: str  # "docs/kubernetes/autoscaling.md:42"
    text: str
    triggers: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    explained: bool = False


def _triggers(text: str) -> list[str]:
    prose = LINK_TARGET.sub("]", INLINE_CODE.sub("``", text))
    prose = CLAIM_MARK.sub("", NO_CLAIM_MARK.sub("", prose))
    return [m.group(0) for m in TRIGGER.finditer(prose)]


def _markdown_units(text: str, where: str) -> list[Unit]:
    """Paragraphs, list items and table rows outside code fences, front matter and headings."""
    units: list[Unit] = []
    lines = text.splitlines()
    fence: str | None = None
    in_front_matter = bool(lines and lines[0] == "---")
    start, block = 0, []
    quoting_draft = False

    def close() -> None:
        nonlocal block
        if block and not quoting_draft:
            units.append(Unit(f"{where}:{start + 1}", "\n".join(block)))
        block = []

    for number, line in enumerate(lines):
        stripped = line.strip()
        if in_front_matter:
            if number > 0 and stripped == "---":
                in_front_matter = False
            continue
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            continue
        if match := re.match(r"(`{3,}|~{3,})", stripped):
            close()
            fence = match.group(1)
            continue
        if not stripped or stripped.startswith(("#", "--8<--", "|---", "| ---")):
            close()
            continue
        # An erratum quotes the draft's wrong text on purpose ("Draft said" and its definition).
        if stripped in {"Draft said", "What is right", "Proved by"}:
            close()
            quoting_draft = stripped != "What is right"
            continue
        if LIST_ITEM.match(line) or stripped.startswith("|") or line.startswith("*["):
            close()
        if not block:
            start = number
        block.append(line)
    close()
    return units


def _notebook_units(path: Path, where: str) -> list[Unit]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    units = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"])
            units += _markdown_units(source, f"{where} cell {index}")
    return units


def _quiz_units(path: Path, where: str) -> list[Unit]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    units = []
    for questions in data["pages"].values():
        for question in questions:
            parts = [question["ask"], question["answer"]]
            for choice in question.get("choices", []):
                parts += [choice["text"], choice.get("why", "")]
            unit = Unit(f"{where} ({question['id']})", "\n".join(parts))
            unit.claims = list(question.get("claims", []))
            unit.explained = "no_claim" in question
            units.append(unit)
    return units


def scanned_files() -> list[Path]:
    pages = [p for p in DOCS.rglob("*.md") if "claims" not in p.parts]
    quiz = (DOCS / "includes" / "quiz").glob("*.yml")
    return sorted([*pages, *DOCS.rglob("*.ipynb"), *quiz])


def units_of(path: Path) -> list[Unit]:
    where = path.relative_to(ROOT).as_posix()
    if path.suffix == ".ipynb":
        units = _notebook_units(path, where)
    elif path.suffix == ".yml":
        units = _quiz_units(path, where)
    else:
        units = _markdown_units(path.read_text(encoding="utf-8"), where)
    for unit in units:
        unit.triggers = _triggers(unit.text)
        unit.claims += CLAIM_MARK.findall(unit.text)
        unit.explained = unit.explained or bool(NO_CLAIM_MARK.search(unit.text))
    return units


def scan() -> dict[str, list[Unit]]:
    """Per file, the units that state a version-sensitive fact or carry a mark."""
    found = {}
    for path in scanned_files():
        units = [u for u in units_of(path) if u.triggers or u.claims or u.explained]
        if units:
            found[path.relative_to(ROOT).as_posix()] = units
    return found


def main() -> None:
    totals = [0, 0, 0, 0]
    print(f"{'file':48} {'flagged':>7} {'claimed':>7} {'explained':>9} {'open':>5}")
    for where, units in scan().items():
        flagged = [u for u in units if u.triggers or u.claims]
        claimed = sum(1 for u in flagged if u.claims)
        explained = sum(1 for u in flagged if u.explained and not u.claims)
        row = [len(flagged), claimed, explained, len(flagged) - claimed - explained]
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        print(f"{where:48} {row[0]:>7} {row[1]:>7} {row[2]:>9} {row[3]:>5}")
    print(f"{'total':48} {totals[0]:>7} {totals[1]:>7} {totals[2]:>9} {totals[3]:>5}")


if __name__ == "__main__":
    main()
