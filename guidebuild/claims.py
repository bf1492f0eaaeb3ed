"""Version-sensitive claims: the facts a page states that a new release can make false.

A page marks such a fact where it states it, with `<!-- md:claim <id> -->`; the registry
(docs/includes/claims/<part>.yml) says what exactly is claimed and which test reads it from the
installed package or the official schema. The build turns each mark into a footnote that names
the test, so the proof sits at the end of the page and the lesson reads uninterrupted.

    spark-aqe-default:
      fact: "`spark.sql.adaptive.enabled` defaults to `true`."
      test: tests/spark/test_claims.py::test_adaptive_execution_is_on_by_default

`<!-- md:no-claim <why> -->` marks a sentence that reads like such a fact but is not one (tests/
docs/test_claims.py finds those sentences, and fails on any that carries neither mark).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from guidebuild.errors import BuildError
from guidebuild.paths import DOCS, ROOT
from guidebuild.yaml_nodes import error_line, load_with_nodes

CLAIMS_DIR = DOCS / "includes" / "claims"
CLAIM_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")
TEST_NODE = re.compile(r"^tests/(?P<folder>[\w/]+?)/[\w/]*?test_\w+\.py::test_\w+$")


@dataclass(frozen=True)
class Claim:
    id: str
    fact: str  # Markdown, one sentence
    test: str  # tests/<folder>/test_x.py::test_y
    source: str  # "docs/includes/claims/spark.yml:12"

    @property
    def session(self) -> str:
        """The nox command that runs the claim's test."""
        folder = self.test.split("/")[1]
        if folder in {"docs", "quiz", "harness"}:
            return "nox -s docs"
        return f"nox -s examples -- {folder.rstrip('_')}"

    def footnote(self) -> str:
        return f"Checked: {self.fact} `{self.test}` reads it on every test run (`{self.session}`)."


def _problems(path: Path) -> tuple[dict[str, Claim], list[str]]:
    where = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
    try:
        data, node = load_with_nodes(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        return {}, [f"{where}:{error_line(error)}: not valid YAML: {error}"]
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        return {}, [f"{where}:1: expected a mapping of claim id -> {{fact, test}}"]
    lines = {key.value: key.start_mark.line + 1 for key, _ in node.value}
    claims, problems = {}, []
    for claim_id, entry in data.items():
        at = f"{where}:{lines.get(claim_id, 1)}"
        if not CLAIM_ID.match(str(claim_id)):
            problems.append(f"{at}: claim id {claim_id!r} must be lower-case words joined by -")
            continue
        if not isinstance(entry, dict) or set(entry) != {"fact", "test"}:
            problems.append(f"{at}: {claim_id} needs exactly `fact:` and `test:`")
            continue
        fact, test = str(entry["fact"]).strip(), str(entry["test"]).strip()
        if not fact.endswith("."):
            problems.append(f"{at}: {claim_id}: `fact` is one sentence ending with a full stop")
        if not TEST_NODE.match(test):
            problems.append(f"{at}: {claim_id}: `test` must be tests/<folder>/test_x.py::test_y")
        claims[claim_id] = Claim(claim_id, fact, test, at)
    return claims, problems


@cache
def load_claims(claims_dir: Path = CLAIMS_DIR) -> dict[str, Claim]:
    """Every registered claim by id; BuildError lists each problem with its file and line."""
    claims: dict[str, Claim] = {}
    problems: list[str] = []
    for path in sorted(claims_dir.glob("*.yml")):
        found, file_problems = _problems(path)
        problems += file_problems
        for claim_id, claim in found.items():
            if claim_id in claims:
                problems.append(f"{claim.source}: {claim_id} is also at {claims[claim_id].source}")
            claims[claim_id] = claim
    if problems:
        raise BuildError("claims registry:\n" + "\n".join(problems))
    return claims


def unknown_claim(claim_id: str, where: str) -> BuildError:
    return BuildError(
        f"{where}: no claim '{claim_id}' in docs/includes/claims/*.yml: register it there with "
        "its `fact:` and the `test:` that checks it"
    )
