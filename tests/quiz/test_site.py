"""The built site (site/, `mkdocs build --strict`, which `nox -s docs` runs first) ends every
chapter page with its quiz: readable without script, labelled for screen readers, ids unique."""

from __future__ import annotations

import collections
import os
import re
from pathlib import Path

import pytest

from guidebuild.quiz import all_questions, load_quiz

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("GUIDE_SITE") or ROOT / "site")
QUESTIONS = all_questions(load_quiz())
BY_PAGE = collections.defaultdict(list)
for _question in QUESTIONS:
    BY_PAGE[_question.page].append(_question)


def built(page: str) -> str:
    path = SITE / page.replace(".md", ".html")
    if not path.is_file():
        pytest.fail(f"{path} is missing: build the site first (`nox -s docs` does)")
    return path.read_text("utf-8")


@pytest.mark.parametrize("page", sorted(BY_PAGE), ids=str)
def test_page_ends_with_its_quiz(page):
    html = built(page)
    assert 'id="check-yourself"' in html
    quiz = html[html.index('id="check-yourself"') :]
    for question in BY_PAGE[page]:
        block = quiz[quiz.index(f'id="quiz-{question.id}"') :]
        block = block[: block.index("</details>")]
        # The model answer is in the HTML, in a <details>: readable with no script at all.
        assert (
            '<details class="quiz__answer' in block and "<summary>Model answer</summary>" in block
        )
        if question.choices:
            assert "<fieldset" in block and "<legend>" in block
            radios = re.findall(r'<input type="radio" id="([^"]+)"', block)
            labels = re.findall(r'<label for="([^"]+)"', block)
            assert radios == labels and len(radios) == len(question.choices), block[:300]
            assert 'role="status" aria-live="polite"' in block
            assert '<button type="button"' in block


@pytest.mark.parametrize("page", sorted(BY_PAGE), ids=str)
def test_ids_are_unique_on_the_page(page):
    ids = re.findall(r'\sid="([^"]+)"', built(page))
    duplicates = [i for i, n in collections.Counter(ids).items() if n > 1]
    assert not duplicates, duplicates


def test_quiz_script_and_style_are_served_by_the_site():
    html = built(sorted(BY_PAGE)[0])
    assert re.search(r'<script src="(\.\./)*assets/javascripts/quiz\.js"', html), "quiz.js"
    assert re.search(r'href="(\.\./)*assets/stylesheets/quiz\.css"', html), "quiz.css"
    assert (SITE / "assets" / "javascripts" / "quiz.js").is_file()
