"""The practice page from the offline zip (dist/field-guide-offline.zip, `nox -s offline`): opened
over file:// with every request that is not a file blocked and recorded, it loads its question
bank, runs a short mock interview, keeps the progress across a reload, and asks for nothing
outside the unzipped folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def practice_page_file(offline_site) -> Path:
    page = offline_site / "practice.html"
    assert page.is_file(), "the zip has no practice page"
    assert (offline_site / "assets" / "practice" / "bank.js").is_file(), "the zip has no bank"
    return page


def test_a_short_mock_runs_from_disk(practice_page_file, offline_page):
    page = offline_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(practice_page_file.as_uri(), wait_until="load")
    page.locator("#practice-mock").wait_for()
    bank = {q["id"]: q for q in page.evaluate("window.FIELD_GUIDE_BANK.questions")}
    assert bank, "the bank is empty"

    page.locator(".practice__start").click()
    for number in range(1, 6):
        article = page.locator(".practice__question")
        assert article.locator("h2").text_content() == f"Question {number} of 5"
        q = bank[article.get_attribute("data-id")]
        if q["kind"] == "choice":
            article.locator(f'input[value="{q["correct"]}"]').check()
            article.get_by_role("button", name="Check").click()
        elif q["kind"] == "numeric":
            article.locator("input.practice__number").fill(str(q["numeric"]["value"]))
            article.get_by_role("button", name="Check").click()
        else:
            article.get_by_role("button", name="Show the model answer").click()
            article.locator(".practice__self-strong").click()
        assert article.locator(".practice__answer").is_visible()
        page.locator(".practice__next").click()

    summary = page.locator(".practice__summary")
    summary.wait_for()
    assert (summary.get_attribute("data-score"), summary.get_attribute("data-answered")) == (
        "5",
        "5",
    )
    # Each question links to its section, inside the unzipped folder.
    first = summary.locator(".practice__source a").first
    target = practice_page_file.parent / first.get_attribute("href").split("#")[0]
    assert target.is_file(), target

    page.reload(wait_until="load")
    page.locator("#practice-mock").wait_for()
    cells = page.locator('tr[data-part=""] td').all_text_contents()
    assert cells[:2] == [f"5 of {len(bank)}", "100% of 5"], cells
    assert page.errors == [], page.errors
    assert page.external == [], page.external
