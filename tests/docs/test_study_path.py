"""The study path: each page's reading time, the study plan's times, and the home page's first
phone screen.

The reading time is written into each built page by the post-build step
(guidebuild/reading_time.py). These tests hold each built page's shown time to its own HTML,
the study plan's times to the pages' times, and the home page's first 390 x 844 screen to what
a reader needs first: the study plan, the quizzes, the labs and the downloads.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from guidebuild import reading_time
from tests.docs.pages import DOCS, ROOT, SITE
from tests.support.browser import PHONE, site_page

PLAN = "start-here"

BADGE = re.compile(r'<p class="guide-reading-time">(\d+) min read</p>\n?')
ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*)</article>', re.S)
PLAN_TIME = re.compile(r'<span class="guide-minutes" data-reading-time="([^"]*)">([^<]*)</span>')


def built(page: str) -> str:
    path = SITE / f"{page}.html"
    if not path.is_file():
        pytest.fail(f"{path} is missing: build the site first (`nox -s docs` does)")
    return path.read_text("utf-8")


def nav_pages() -> list[str]:
    """Every page of mkdocs.yml's nav, as docs-relative source paths."""

    def walk(items: list) -> list[str]:
        found = []
        for item in items:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            found += walk(value) if isinstance(value, list) else [value]
        return found

    text = (ROOT / "mkdocs.yml").read_text("utf-8")
    nav = yaml.safe_load(text[text.index("\nnav:") :])["nav"]
    return walk(nav)


def stem(src: str) -> str:
    return src.rsplit(".", 1)[0]


def shown_minutes(page: str) -> int | None:
    match = BADGE.search(built(page))
    return int(match[1]) if match else None


def test_the_plan_times_add_up_and_an_unknown_page_shows_a_question_mark():
    html = (
        '<p><span data-reading-time="a.md"></span>, <span data-reading-time="a.md b.ipynb">'
        '</span>, <span data-reading-time="gone.md"></span>.</p>'
    )
    filled = reading_time._plan_times(html, {"a.html": 2, "b.html": 5})
    assert [text for _, text in PLAN_TIME.findall(filled)] == ["2 min", "7 min", "? min"]
    assert filled.endswith("</span>.</p>") and ", <span" in filled


def test_the_step_changes_nothing_the_second_time(tmp_path: Path):
    page = '<article class="md-content__inner md-typeset"><h1>T</h1><p>a b c</p></article>'
    (tmp_path / "index.html").write_text(page)
    (tmp_path / "x.html").write_text(page)
    assert reading_time.add_reading_times(tmp_path) == 1  # the home page keeps no time
    once = (tmp_path / "x.html").read_text()
    assert '<p class="guide-reading-time">1 min read</p>' in once
    assert reading_time.add_reading_times(tmp_path) == 0
    assert (tmp_path / "x.html").read_text() == once


def test_code_reads_slower_than_prose():
    prose = "<p>" + "word " * 200 + "</p>"
    code = "<pre><code>" + "x = 1\n" * 200 + "</code></pre>"
    assert reading_time.counts(prose) == (200, 0) and reading_time.minutes(prose) == 1
    assert reading_time.counts(code) == (0, 200) and reading_time.minutes(code) == 10


@pytest.mark.parametrize("src", [p for p in nav_pages() if p != "index.md"], ids=str)
def test_each_page_shows_the_reading_time_of_its_own_html(src: str):
    html = built(stem(src))
    badges = BADGE.findall(html)
    assert len(badges) == 1, f"{src}: expected one reading time under the title, got {badges}"
    assert re.search(r"</h1>\s*" + BADGE.pattern, html), f"{src}: the time is not under the title"
    article = ARTICLE.search(html)
    assert article, f"{src}: no article in the built page"
    assert int(badges[0]) == reading_time.minutes(BADGE.sub("", article[1])), src


def test_the_home_page_has_no_reading_time():
    assert shown_minutes("index") is None


def test_the_study_plan_times_are_the_pages_times():
    html = built(PLAN)
    times = PLAN_TIME.findall(html)
    assert len(times) > 40, "the study plan lost its times"
    assert "data-reading-time" not in PLAN_TIME.sub("", html), "a time was left unfilled"
    for names, text in times:
        pages = names.split()
        assert text != "? min", f"{names}: not a page of the nav"
        shown = [shown_minutes(stem(page)) for page in pages]
        assert None not in shown, f"{names}: a page without a reading time"
        assert text == f"{sum(s for s in shown if s is not None)} min", (names, text, shown)


def test_each_timed_item_of_the_study_plan_links_its_page():
    html = built(PLAN)
    for item in re.findall(r"<li>(.*?)</li>", html, re.S):
        timed = [names for names, _ in PLAN_TIME.findall(item)]
        for names in timed:
            for page in names.split():
                assert f'href="{stem(page)}.html' in item, f"{page}: timed, not linked: {item}"


def test_the_two_week_plan_covers_every_chapter_page_and_lab():
    markdown = (DOCS / f"{PLAN}.md").read_text("utf-8")
    two_weeks = markdown[markdown.index("## Two weeks") : markdown.index("## Three days")]
    listed = set(re.findall(r"\]\(([^)#]+)\)", two_weeks))
    wanted = {
        p
        for p in nav_pages()
        if ("/" in p and not p.startswith("labs/index")) or p == "cheat-sheet.md"
    }
    assert wanted - listed == set(), f"left out of the two-week plan: {sorted(wanted - listed)}"


def test_the_home_page_first_phone_screen_says_where_to_start(chromium):
    built("index")
    wanted = {
        "the study plan": "start-here.html",
        "a quiz": "kubernetes/why.html#check-yourself",
        "the practice page": "practice.html",
        "the labs": "labs/index.html",
        "the flashcards": "downloads/field-guide-flashcards.apkg",
        "the PDF": "downloads/field-guide.pdf",
        "the offline zip": "downloads/field-guide-offline.zip",
    }
    with site_page(chromium, SITE, phone=True) as page:
        page.goto(page.base + "index.html", wait_until="load")
        links = page.evaluate(
            """() => [...document.querySelectorAll(".md-content a[href]")].map((a) => {
              const box = a.getBoundingClientRect();
              return [a.getAttribute("href"), box.bottom, box.width > 0];
            })"""
        )
    on_screen = {href for href, bottom, shown in links if shown and bottom <= PHONE["height"]}
    missing = [what for what, href in wanted.items() if href not in on_screen]
    assert not missing, f"not one tap away on the first phone screen: {missing}"
    tested = next(bottom for href, bottom, _ in links if href == "errata.html")
    assert tested > PHONE["height"], "how the examples are tested comes before the start"
