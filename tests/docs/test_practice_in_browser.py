"""The practice page (docs/practice.md, docs/assets/javascripts/practice.js) in Chromium, with
the question bank of the build (assets/practice/bank.js): a mock interview from start to finish
by keyboard alone, the countdown, progress across a reload, the review queue, reset, damaged
storage, the rotating pool, the page without JavaScript, and a 390 px phone.

Setting up a test may write the page's localStorage directly; the keyboard test then touches
nothing but the keyboard.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from guidebuild.browser import serve
from tests.docs.pages import SITE
from tests.docs.test_phone import OVERFLOWING
from tests.support.browser import PHONE, site_page

PAGE = "practice.html"
KEY = "field-guide-practice:v1"


def site_bank() -> dict:
    script = (SITE / "assets" / "practice" / "bank.js").read_text("utf-8")
    return json.loads(script[script.index("{") : script.rindex("}") + 1])


@pytest.fixture
def app(chromium):
    with site_page(chromium, SITE) as page:
        page.goto(page.base + PAGE, wait_until="load")
        page.locator("#practice-mock").wait_for()
        yield page


def open_with(page, state) -> None:
    """Reload the page with `state` (a dict, or a raw string) as its stored progress."""
    raw = state if isinstance(state, str) else json.dumps(state)
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [KEY, raw])
    page.reload(wait_until="load")
    page.locator("#practice-mock").wait_for()


def stored(page) -> dict | None:
    return page.evaluate("(key) => JSON.parse(localStorage.getItem(key))", KEY)


def state(**parts) -> dict:
    return {
        "v": 1,
        "seen": {},
        "results": {},
        "cards": {},
        "fresh": {"day": "", "count": 0},
    } | parts


def questions(page) -> dict[str, dict]:
    return {q["id"]: q for q in page.evaluate("window.FIELD_GUIDE_BANK.questions")}


def focused(page, selector: str) -> bool:
    return page.evaluate("(s) => !!document.activeElement?.matches(s)", selector)


def tab_to(page, selector: str, limit: int = 300) -> None:
    """Press Tab until the focused element matches `selector`."""
    for _ in range(limit):
        if focused(page, selector):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"Tab never reached {selector}")


def current(page, bank: dict[str, dict]) -> dict:
    return bank[page.locator(".practice__question").get_attribute("data-id")]


def typed_number(q: dict, right: bool) -> str:
    value = q["numeric"]["value"]
    return str(value) if right else str(value * 10 + 7)


def wrong_choice(q: dict) -> int:
    return (q["correct"] + 1) % len(q["choices"])


def answer_by_keyboard(page, q: dict, right: bool, grade: str) -> None:
    """From the question's focused heading to its Next button, by keyboard alone."""
    assert focused(page, ".practice__question h2"), "focus is not on the question's heading"
    result = page.locator(".practice__question .practice__result").first
    if q["kind"] == "choice":
        want = q["correct"] if right else wrong_choice(q)
        page.keyboard.press("Tab")
        assert focused(page, "input[type=radio]")
        page.keyboard.press("Space")
        for _ in range(want):
            page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.value") == str(want)
        page.keyboard.press("Tab")
        assert focused(page, "button[type=submit]")
        page.keyboard.press("Enter")
        assert result.text_content().startswith("Right" if right else "Not quite"), q["id"]
    elif q["kind"] == "numeric":
        page.keyboard.press("Tab")
        assert focused(page, "input.practice__number")
        page.keyboard.type(typed_number(q, right))
        page.keyboard.press("Enter")
        assert result.text_content().startswith("Right" if right else "Not quite"), q["id"]
        assert str(q["numeric"]["value"]) in result.text_content()
    else:
        page.keyboard.press("Tab")
        assert focused(page, "textarea")
        page.keyboard.type("Name the trade-off first, then measure.")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        assert focused(page, ".practice__answer"), "focus did not move to the model answer"
        assert page.locator(".practice__rubric dt").all_text_contents() == [
            "Strong",
            "Average",
            "Weak",
        ]
        tab_to(page, f".practice__self-{grade}")
        page.keyboard.press("Space")
    assert focused(page, ".practice__next"), "focus did not move to the Next button"
    assert page.locator(".practice__next").text_content() in {"Next question", "See your results"}
    page.keyboard.press("Enter")


def answer_with_clicks(page, q: dict, right: bool = True, mock: bool = True) -> None:
    """Answer (a mock grades an open answer Strong or Weak; a review card only reveals it)."""
    article = page.locator(".practice__question")
    if q["kind"] == "choice":
        choice = q["correct"] if right else wrong_choice(q)
        article.locator(f'input[value="{choice}"]').check()
        article.get_by_role("button", name="Check").click()
    elif q["kind"] == "numeric":
        article.locator("input.practice__number").fill(typed_number(q, right))
        article.get_by_role("button", name="Check").click()
    else:
        article.get_by_role("button", name="Show the model answer").click()
        if mock:
            article.locator(".practice__self-strong" if right else ".practice__self-weak").click()
    article.locator(".practice__answer").wait_for()


def mock_ids(page) -> list[str]:
    """End the mock now and read which questions it held."""
    page.get_by_role("button", name="End the mock now").click()
    page.locator(".practice__summary").wait_for()
    return page.locator(".practice__review > li").evaluate_all(
        "items => items.map((li) => li.dataset.id)"
    )


def test_a_mock_interview_by_keyboard_alone(app):
    bank = questions(app)
    ones = {}
    for q in bank.values():  # one question of each kind, from three different parts
        if q["kind"] not in ones and q["part"] not in {o["part"] for o in ones.values()}:
            ones[q["kind"]] = q
    assert set(ones) == {"choice", "numeric", "open"}, "the bank lacks a kind"
    # Everything else was seen before, so the mock starts with these three (never seen first).
    mine = {q["id"] for q in ones.values()}
    open_with(app, state(seen={qid: 1000 for qid in bank if qid not in mine}))

    tab_to(app, ".practice__start")
    assert app.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    app.keyboard.press("Enter")
    shown = []
    for number in range(1, 6):
        heading = app.locator(".practice__question h2")
        assert heading.text_content() == f"Question {number} of 5"
        assert focused(app, ".practice__question h2:focus-visible")
        q = current(app, bank)
        shown.append(q)
        if q["id"] in mine:  # choice and numeric right, open graded Average
            answer_by_keyboard(app, q, right=True, grade="average")
        else:  # the rest wrong, or graded Weak
            answer_by_keyboard(app, q, right=False, grade="weak")
    assert {q["id"] for q in shown[:3]} == mine, "unseen questions did not come first"

    summary = app.locator(".practice__summary")
    summary.wait_for()
    assert focused(app, ".practice__summary h2")
    assert (summary.get_attribute("data-score"), summary.get_attribute("data-answered")) == (
        "2.5",
        "5",
    )
    assert app.locator(".practice__score").text_content().startswith("Score: 2.5 of 5 (50%).")
    points = {q["id"]: (0.5 if q["kind"] == "open" else 1) if q["id"] in mine else 0 for q in shown}
    for key in ("part", "level"):
        for name in {q[key] for q in shown}:
            mine_here = [q for q in shown if q[key] == name]
            got = sum(points[q["id"]] for q in mine_here)
            row = summary.locator(f'table:has(caption:text-is("By {key}")) tr[data-name="{name}"]')
            cells = row.locator("td").all_text_contents()
            assert cells == [str(len(mine_here)), f"{got:g} of {len(mine_here)}"], (key, name)
    labels = {"choice": "Right", "numeric": "Right", "open": "Average"}
    for q in shown:
        item = summary.locator(f'.practice__review > li[data-id="{q["id"]}"]')
        wanted = (
            labels[q["kind"]] if q["id"] in mine else "Weak" if q["kind"] == "open" else "Wrong"
        )
        assert item.get_attribute("data-result") == wanted
        link = f"{q['page']}#{q['section']}" if q["section"] else q["page"]
        assert item.locator(".practice__source a").get_attribute("href") == link

    tab_to(app, ".practice__summary .practice__back")
    app.keyboard.press("Enter")
    assert focused(app, "#practice-mock")
    seen_row = app.locator('tr[data-part=""] td').first.text_content()
    assert seen_row == f"{len(bank)} of {len(bank)}"


def test_the_countdown_announces_milestones_and_ends_the_mock_at_zero(chromium):
    with site_page(chromium, SITE) as page:
        page.clock.install()
        page.goto(page.base + PAGE, wait_until="load")
        page.locator(".practice__start").click()
        clock = page.locator(".practice__time")
        announce = page.locator(".practice__mock .practice__sr")
        assert clock.text_content() == "15:00"  # 5 questions, 3 minutes each
        page.clock.run_for("07:30")
        assert clock.text_content() == "7:30"
        assert announce.text_content() == "7 minutes 30 seconds left."
        page.clock.run_for("04:00")
        assert announce.text_content() == "5 minutes left."
        page.clock.run_for("03:29")
        assert announce.text_content() == "1 minute left."
        page.get_by_role("button", name="Skip this question").click()  # unanswered, it counts 0
        assert page.locator(".practice__question h2").text_content() == "Question 2 of 5"
        page.clock.run_for("00:02")
        summary = page.locator(".practice__summary")
        summary.wait_for()
        assert summary.locator("h2").text_content().startswith("Time is up")
        assert focused(page, ".practice__summary h2")
        assert summary.get_attribute("data-answered") == "0"
        results = summary.locator(".practice__review > li").evaluate_all(
            "items => items.map((li) => li.dataset.result)"
        )
        assert results == ["Not answered"] * 5


def test_progress_survives_a_reload(app):
    bank = questions(app)
    app.locator(".practice__start").click()
    answer_with_clicks(app, current(app, bank))
    mock_ids(app)
    app.get_by_role("button", name="Back to the practice menu").click()
    total = app.locator('tr[data-part=""]')
    before = total.locator("td").all_text_contents()
    assert before == [f"5 of {len(bank)}", "100% of 1", "0"]
    app.reload(wait_until="load")
    app.locator("#practice-mock").wait_for()
    assert total.locator("td").all_text_contents() == before
    assert len(stored(app)["seen"]) == 5


def test_the_review_queue_schedules_a_due_card_and_repeats_a_missed_one(chromium):
    with site_page(chromium, SITE) as page:
        page.clock.set_fixed_time(dt.datetime(2026, 1, 30, 12, 0))
        page.goto(page.base + PAGE, wait_until="load")
        bank = questions(page)
        due = next(q for q in bank.values() if q["kind"] == "choice")
        card = {"ef": 2.5, "reps": 2, "interval": 6, "due": "2026-01-29", "last": "2026-01-23"}
        open_with(page, state(cards={due["id"]: card}))
        line = page.locator(".practice__due")
        assert line.get_attribute("data-due") == "1"
        assert line.text_content().startswith("Due today: 1 card, and 10 new cards")
        page.locator(".practice__start-review").click()

        article = page.locator(".practice__question")
        assert article.get_attribute("data-id") == due["id"], "the due card is not first"
        assert focused(page, ".practice__question h2")
        answer_with_clicks(page, due, mock=False)
        grades = page.locator(".practice__grades button")
        assert grades.all_text_contents() == [
            "Again: today",
            "Hard: 15 days",  # EF 2.36, ceil(6 * 2.36)
            "Good: 15 days",  # ceil(6 * 2.5)
            "Easy: 16 days",  # EF 2.6, ceil(6 * 2.6)
        ]
        page.locator(".practice__grade-good").click()
        saved = stored(page)
        assert saved["cards"][due["id"]] == {
            "ef": 2.5,
            "reps": 3,
            "interval": 15,
            "due": "2026-02-14",
            "last": "2026-01-30",
        }
        assert saved["results"][due["id"]]["g"] == 4
        status = page.locator(".practice__reviewing > .practice__result")
        assert status.text_content() == "Next review in 15 days, on 2026-02-14."

        fresh = current(page, bank)  # a new card next: missed, it comes back in this review
        assert fresh["id"] != due["id"]
        answer_with_clicks(page, fresh, right=False, mock=False)
        page.locator(".practice__grade-again").click()
        saved = stored(page)
        assert saved["cards"][fresh["id"]] == {
            "ef": 1.96,
            "reps": 0,
            "interval": 0,
            "due": "2026-01-30",
            "last": "2026-01-30",
        }
        assert saved["fresh"] == {"day": "2026-01-30", "count": 1}
        page.get_by_role("button", name="End the review").click()
        assert page.locator(".practice__done").text_content().count("1 card is still due today")
        page.get_by_role("button", name="Back to the practice menu").click()
        assert line.get_attribute("data-due") == "1"
        assert "and 9 new cards" in line.text_content()


def test_reset_asks_twice_and_clears_only_this_pages_keys(app):
    bank = questions(app)
    some = list(bank)[:3]
    app.evaluate("localStorage.setItem('someone-else', 'keep me')")
    app.evaluate("localStorage.setItem('field-guide-practice:old', 'mine too')")
    open_with(app, state(seen={qid: 1000 for qid in some}))
    total = app.locator('tr[data-part=""] td').first
    assert total.text_content() == f"3 of {len(bank)}"

    reset = app.locator(".practice__reset")
    reset.click()
    assert reset.text_content() == "Press again to erase all progress"
    reset.press("Tab")  # moving away disarms it
    assert reset.text_content() == "Reset progress"
    assert stored(app) is not None

    reset.click()
    reset.click()
    assert total.text_content() == f"0 of {len(bank)}"
    assert app.locator(".practice__reset-status").text_content().startswith("Progress erased")
    keys = app.evaluate("Object.keys(localStorage)")
    assert "someone-else" in keys
    assert not [key for key in keys if key.startswith("field-guide-practice:")], keys
    app.reload(wait_until="load")
    assert app.locator('tr[data-part=""] td').first.text_content() == f"0 of {len(bank)}"


@pytest.mark.parametrize("damage", ["{not json", '{"v": 0, "seen": []}', "[1, 2, 3]"])
def test_damaged_storage_starts_empty_and_says_so(app, damage):
    bank = questions(app)
    open_with(app, damage)
    assert "could not be read" in app.locator(".practice__notice").text_content()
    assert app.locator('tr[data-part=""] td').first.text_content() == f"0 of {len(bank)}"
    app.locator(".practice__start").click()
    assert app.locator(".practice__question h2").text_content() == "Question 1 of 5"
    mock_ids(app)
    assert stored(app)["v"] == 1 and len(stored(app)["seen"]) == 5


def test_the_pool_rotates_so_mocks_repeat_nothing_while_unseen_questions_remain(app):
    bank = questions(app)
    app.locator(".practice__start").click()
    first = mock_ids(app)
    app.get_by_role("button", name="Start another mock").click()
    second = mock_ids(app)
    app.get_by_role("button", name="Start another mock").click()
    third = mock_ids(app)
    assert len(set(first) | set(second) | set(third)) == 15
    parts = {bank[qid]["part"] for qid in first}
    assert len(parts) == 5, f"five questions from {parts}: not spread over the parts"

    # Everything seen: the two never seen come first, then the oldest set, never a newer one.
    ids = list(bank)
    unseen, oldest, newer = ids[:2], ids[2:7], ids[7:]
    open_with(app, state(seen={qid: 1000 for qid in oldest} | {qid: 2000 for qid in newer}))
    app.locator(".practice__start").click()
    mock = set(mock_ids(app))
    assert set(unseen) <= mock and mock - set(unseen) <= set(oldest), mock


def test_without_javascript_the_page_links_every_chapter_quiz(chromium):
    quizzed = sorted(
        page.relative_to(SITE).as_posix()
        for page in SITE.rglob("*.html")
        if 'id="check-yourself"' in page.read_text("utf-8")
    )
    with serve(SITE) as base:
        context = chromium.new_context(java_script_enabled=False, viewport=PHONE)
        try:
            page = context.new_page()
            page.goto(base + PAGE, wait_until="load")
            assert not page.locator("#practice-app").is_visible()
            assert "Mock interview" not in page.locator(".md-content").inner_text()
            links = page.locator('.md-content a[href$="#check-yourself"]')
            hrefs = links.evaluate_all("links => links.map((a) => a.getAttribute('href'))")
            assert sorted(href.split("#")[0] for href in hrefs) == quizzed
            assert all(link.is_visible() for link in links.all())
            for part in site_bank()["parts"]:
                assert page.locator(f'.md-content a[href="{part["index"]}"]').is_visible()
        finally:
            context.close()


def test_nothing_is_wider_than_a_phone(chromium):
    width = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    with site_page(chromium, SITE, phone=True) as page:
        page.goto(page.base + PAGE, wait_until="load")
        bank = questions(page)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            assert page.evaluate(width) <= 0 and page.evaluate(OVERFLOWING) == [], scheme
        page.locator("input[value='15']").check()
        page.locator(".practice__start").click()
        for _ in range(15):
            assert page.evaluate(width) <= 0
            answer_with_clicks(page, current(page, bank))
            assert page.evaluate(width) <= 0
            assert page.evaluate(OVERFLOWING) == [], current(page, bank)["id"]
            page.locator(".practice__next").click()
        page.locator(".practice__summary").wait_for()
        for details in page.locator(".practice__summary details").all():
            details.evaluate("(d) => { d.open = true; }")
        assert page.evaluate(width) <= 0
        assert page.evaluate(OVERFLOWING) == []
