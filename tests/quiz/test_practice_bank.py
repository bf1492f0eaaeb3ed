"""The practice page's bank (assets/practice/bank.js in the built site) and the PDF's mock
interviews (guidebuild/practice.py): every question there, each pointing at the heading that
teaches it, its answer's links working from the site's root, and mock sets spread over parts
and levels."""

from __future__ import annotations

import functools
import html
import json
import re

import pytest

from guidebuild.practice import BANK, mock_sets, rebase_links, section_titles
from guidebuild.quiz import all_questions, load_quiz
from tests.quiz.test_site import SITE, built

PARTS = load_quiz()
QUESTIONS = all_questions(PARTS)


@functools.cache
def bank() -> dict:
    path = SITE / BANK
    if not path.is_file():
        pytest.fail(f"{path} is missing: build the site first (`nox -s docs` does)")
    text = path.read_text("utf-8")
    prefix = "window.FIELD_GUIDE_BANK = "
    assert text.startswith(prefix) and text.rstrip().endswith(";"), text[:80]
    return json.loads(text[len(prefix) :].rstrip().removesuffix(";"))


def heading_text(page_html: str, anchor: str) -> str | None:
    match = re.search(rf'<h[1-6][^>]*\bid="{re.escape(anchor)}"[^>]*>(.*?)</h[1-6]>', page_html)
    if not match:
        return None
    text = re.sub(r'<a class="headerlink".*?</a>|<[^>]+>', "", match[1])
    return html.unescape(text).strip()


def test_the_bank_has_every_question_once_in_order():
    assert [q["id"] for q in bank()["questions"]] == [q.id for q in QUESTIONS]
    counts = {part["name"]: part["count"] for part in bank()["parts"]}
    assert counts == {name: len(all_questions({name: part})) for name, part in PARTS.items()}


def test_each_question_points_at_the_heading_that_teaches_it():
    """The section id is a heading of the built page, and the title the bank shows for it is
    that heading's text."""
    wrong = []
    for entry in bank()["questions"]:
        page_html = built(entry["page"].replace(".html", ".md"))
        text = heading_text(page_html, entry["section"])
        if text is None or text != entry["sectionTitle"]:
            wrong.append((entry["id"], entry["page"], entry["section"], entry["sectionTitle"]))
    assert not wrong, wrong[:10]


def test_links_in_answers_work_from_the_practice_page():
    """Answers are written for their chapter page; in the bank their links are root-relative,
    and each one reaches a built file (and its anchor, when it names one)."""
    broken = []
    for entry in bank()["questions"]:
        for url in re.findall(r'href="([^"]+)"', entry["answer"]):
            if url.startswith(("http://", "https://", "#__")):
                continue
            path, _, anchor = url.partition("#")
            target = SITE / path
            if not target.is_file():
                broken.append((entry["id"], url, "no such file"))
            elif anchor and f'id="{anchor}"' not in target.read_text("utf-8"):
                broken.append((entry["id"], url, "no such anchor"))
    assert not broken, broken[:10]


def test_the_practice_page_loads_the_bank_and_its_script():
    page = built("practice.md")
    assert re.search(r'<script src="assets/practice/bank\.js"', page), "bank.js"
    assert re.search(r'<script src="assets/javascripts/practice\.js"', page), "practice.js"


# --- the pieces, on small inputs ------------------------------------------------------------


def slug(text: str, separator: str) -> str:
    return re.sub(r"[^a-z0-9]+", separator, text.lower()).strip(separator)


def test_section_titles_skip_code_and_honour_explicit_ids():
    markdown = (
        "# Page\n\n## The `kubectl` way\n\n```bash\n## not a heading\n```\n\n"
        "### Burn rates {#burn}\n\n#### [Linked](x.md) and **bold**\n"
    )
    assert section_titles(markdown, slug) == {
        "page": "Page",
        "the-kubectl-way": "The kubectl way",
        "burn": "Burn rates",
        "linked-and-bold": "Linked and bold",
    }


@pytest.mark.parametrize(
    ("link", "page", "expected"),
    [
        ('href="use-red.html#red"', "reliability/sre.md", 'href="reliability/use-red.html#red"'),
        ('href="../data/skew.html"', "reliability/sre.md", 'href="data/skew.html"'),
        ('href="#burn-rate"', "reliability/sre.md", 'href="reliability/sre.html#burn-rate"'),
        ('href="#__codelineno-1-2"', "reliability/sre.md", 'href="#__codelineno-1-2"'),
        ('href="https://prometheus.io/"', "reliability/sre.md", 'href="https://prometheus.io/"'),
        ('href="../labs/p99-regression.html"', "serving/queueing.md", None),
    ],
)
def test_links_are_rebased_to_the_site_root(link, page, expected):
    expected = expected or 'href="labs/p99-regression.html"'
    assert rebase_links(f"<a {link}>x</a>", page) == f"<a {expected}>x</a>"


def test_mock_sets_spread_over_parts_and_levels_and_never_repeat():
    sets = mock_sets(PARTS, 3, 12)
    assert [len(s) for s in sets] == [12, 12, 12]
    ids = [q.id for s in sets for q in s]
    assert len(ids) == len(set(ids)), "a question printed twice"
    for chosen in sets:
        assert {q.level for q in chosen} == {"recall", "apply", "design"}
        assert len({q.part for q in chosen}) >= min(len(PARTS), 8), [q.part for q in chosen]
    assert [q.id for s in mock_sets(PARTS, 3, 12) for q in s] == ids, "not deterministic"


def test_too_few_questions_for_the_mock_sets_is_a_clear_error():
    with pytest.raises(ValueError, match="not enough questions"):
        mock_sets(PARTS, 100, 12)
