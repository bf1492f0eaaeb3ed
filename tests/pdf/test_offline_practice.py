"""The practice page from the offline zip (dist/field-guide-offline.zip, `nox -s offline`): opened
over file:// with every request that is not a file blocked and recorded, it loads its question
bank, runs a short mock interview, keeps the progress across a reload, and asks for nothing
outside the unzipped folder.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

LOCAL = ("file:", "data:", "blob:", "about:")


@pytest.fixture(scope="module")
def practice_page_file(offline_zip, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("offline-practice")
    with zipfile.ZipFile(offline_zip) as archive:
        archive.extractall(target)
    (root,) = [p for p in target.iterdir() if p.is_dir()]
    page = root / "practice.html"
    assert page.is_file(), "the zip has no practice page"
    assert (root / "assets" / "practice" / "bank.js").is_file(), "the zip has no question bank"
    return page


@pytest.fixture
def offline_page(chromium):
    """A phone-sized page whose every non-file request is blocked; `.external` lists them."""
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    external: list[str] = []

    def route(route):
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.external = external
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()


def test_a_short_mock_runs_from_disk(practice_page_file, offline_page):
    page = offline_page
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
