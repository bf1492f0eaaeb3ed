"""Every version-sensitive fact on a page is tied to a test that reads it from the pinned release.

The registry (docs/includes/claims/*.yml) names each claim's test; the pages, the errata, the
labs and the quiz mark where they state it. These checks keep the three in step.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

from guidebuild.claims import load_claims
from guidebuild.errors import BuildError
from guidebuild.shortcodes import expand_shortcodes
from tests.docs.claims_scan import ROOT, scan, scanned_files, units_of


@cache
def defined_tests(path: Path) -> frozenset[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))
    return frozenset(node.name for node in functions if node.name.startswith("test_"))


def cited_claims() -> dict[str, list[str]]:
    cited: dict[str, list[str]] = {}
    for path in scanned_files():
        for unit in units_of(path):
            for claim_id in unit.claims:
                cited.setdefault(claim_id, []).append(unit.where)
    return cited


def test_every_claim_names_a_test_that_exists():
    missing = []
    for claim in load_claims().values():
        file, _, name = claim.test.partition("::")
        path = ROOT / file
        if not path.is_file() or name not in defined_tests(path):
            missing.append(f"{claim.source}: {claim.id}: no {claim.test}")
    assert not missing, "\n".join(missing)


def test_every_claim_on_a_page_is_registered():
    claims = load_claims()
    unknown = [
        f"{where}: no claim '{claim_id}' in docs/includes/claims/*.yml"
        for claim_id, places in cited_claims().items()
        if claim_id not in claims
        for where in places
    ]
    assert not unknown, "\n".join(unknown)


def test_every_registered_claim_is_stated_somewhere():
    orphans = sorted(set(load_claims()) - set(cited_claims()))
    assert not orphans, f"registered but marked on no page or question: {orphans}"


@pytest.mark.parametrize("where", sorted(scan()))
def test_each_version_sensitive_sentence_is_checked_or_explained(where):
    """A sentence that says "defaults to", "beta", "was removed", "Spark 4.1" ... carries a mark."""
    unmarked = [
        f"{unit.where}: {', '.join(repr(t) for t in unit.triggers)}: add <!-- md:claim <id> --> "
        "(checked by a test) or <!-- md:no-claim <why> -->"
        for unit in scan()[where]
        if unit.triggers and not unit.claims and not unit.explained
    ]
    assert not unmarked, "\n".join(unmarked)


def test_a_mark_with_an_unknown_id_stops_the_build_at_its_line():
    page = "Spark re-plans.\n\nAQE is on by default<!-- md:claim spark-aqe-defualt -->.\n"
    with pytest.raises(BuildError, match=r"docs/x\.md:3: no claim 'spark-aqe-defualt'"):
        expand_shortcodes(page, "x.md")


def test_a_mark_becomes_a_footnote_naming_the_test():
    page = "On by default<!-- md:claim spark-aqe-default -->, ok <!-- md:no-claim a concept -->.\n"
    expanded = expand_shortcodes(page, "x.md")
    assert expanded.body == "On by default[^claim-spark-aqe-default], ok.\n"
    note = expanded.end.splitlines()[-1]
    assert note.startswith("[^claim-spark-aqe-default]: Checked: ")
    assert "`tests/spark/test_claims.py::test_adaptive_execution_is_on_by_default`" in note


def test_registry_problems_are_named_with_file_and_line(tmp_path):
    (tmp_path / "x.yml").write_text(
        "good-claim:\n  fact: A fact.\n  test: tests/spark/test_a.py::test_b\n"
        "Bad_Id:\n  fact: x.\n  test: tests/spark/test_a.py::test_b\n"
        "no-stop:\n  fact: no full stop\n  test: tests/spark/test_a.py::test_b\n"
        "no-test:\n  fact: A fact.\n"
    )
    with pytest.raises(BuildError) as raised:
        load_claims.__wrapped__(tmp_path)
    message = str(raised.value)
    assert f"{tmp_path}/x.yml:4: claim id 'Bad_Id'" in message
    assert f"{tmp_path}/x.yml:7: no-stop: `fact` is one sentence" in message
    assert f"{tmp_path}/x.yml:10: no-test needs exactly `fact:` and `test:`" in message
    assert "good-claim" not in message


def test_a_yaml_typo_in_the_registry_names_its_line(tmp_path):
    (tmp_path / "x.yml").write_text(
        "good-claim:\n  fact: A fact.\n  test: tests/spark/test_a.py::test_b\n"
        "typo:\n  fact: A fact: with a colon.\n  test: tests/spark/test_a.py::test_b\n"
    )
    with pytest.raises(BuildError, match=rf"{tmp_path}/x\.yml:5: not valid YAML"):
        load_claims.__wrapped__(tmp_path)
