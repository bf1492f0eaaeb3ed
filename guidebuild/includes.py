"""Check every `--8<--` include before pymdownx.snippets runs, and name the page and line.

Snippets' own `check_paths` stops the build with a traceback that names neither the page nor
the line, and says nothing about a missing section. The hook (mkdocs_hooks.py) fails first, with
`docs/page.md:12: ...` and the fix. tests/docs uses the same functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from guidebuild.paths import ROOT

INCLUDE = re.compile(r'^\s*-{1,}8<-{1,}\s+"(?P<target>[^"]+)"\s*$')


@dataclass(frozen=True)
class Problem:
    page: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.message}"


def include_target(line: str) -> str | None:
    match = INCLUDE.match(line)
    return match["target"] if match else None


def check_target(target: str, root: Path = ROOT) -> str | None:
    """Why `target` ("path" or "path:section") cannot be included, or None when it can."""
    path, _, section = target.partition(":")
    file = root / path
    if not file.is_file():
        return f'included file "{path}" does not exist (paths are relative to the repository root)'
    if not section:
        return None
    if re.fullmatch(r"[\d:,-]+", section):
        return (
            f'"{target}" includes by line numbers, which drift when the file changes; '
            "use a named section"
        )
    text = file.read_text(encoding="utf-8")
    missing = [m for m in (f"[start:{section}]", f"[end:{section}]") if f"--8<-- {m}" not in text]
    if missing:
        return (
            f'"{path}" has no section "{section}": mark it with "# --8<-- [start:{section}]" and '
            f'"# --8<-- [end:{section}]"'
        )
    return None


def include_problems(markdown: str, page: str, root: Path = ROOT) -> list[Problem]:
    problems: list[Problem] = []
    for number, line in enumerate(markdown.splitlines(), start=1):
        target = include_target(line)
        if target is not None and (message := check_target(target, root)):
            problems.append(Problem(page, number, message))
    return problems
