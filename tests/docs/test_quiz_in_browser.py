"""The "Check yourself" quiz in Chromium: set up when the reader reaches it, then it marks a
wrong and a right answer and keeps the score (docs/assets/javascripts/quiz.js)."""

from __future__ import annotations

import pytest

from tests.docs.pages import SITE
from tests.support.browser import site_page

PAGE = "kubernetes/why.html"


@pytest.fixture(scope="module")
def quiz_page(chromium):
    with site_page(chromium, SITE) as page:
        page.goto(page.base + PAGE, wait_until="load")
        yield page


def test_the_quiz_is_set_up_only_when_the_reader_reaches_it(quiz_page):
    first = quiz_page.locator(".quiz__question[data-correct]").first
    assert not first.locator(".quiz__check").is_visible(), "set up at load, far off screen"
    first.scroll_into_view_if_needed()
    first.locator(".quiz__check").wait_for(state="visible", timeout=10_000)


def test_check_marks_a_wrong_then_a_right_answer_and_counts_it(quiz_page):
    question = quiz_page.locator(".quiz__question[data-correct]").first
    question.scroll_into_view_if_needed()
    question.locator(".quiz__check").wait_for(state="visible", timeout=10_000)
    correct = int(question.get_attribute("data-correct") or "0")
    options = question.locator('input[type="radio"]')
    wrong = next(i for i in range(options.count()) if i != correct)
    options.nth(wrong).check()
    question.locator(".quiz__check").click()
    feedback = question.locator(".quiz__feedback")
    assert feedback.text_content().startswith("Not quite."), feedback.text_content()
    options.nth(correct).check()
    question.locator(".quiz__check").click()
    assert feedback.text_content().startswith("Correct:"), feedback.text_content()
    score = quiz_page.locator(".quiz__score").first.text_content()
    assert score.startswith("Score: 1 of "), score
