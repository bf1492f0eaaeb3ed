"""The practice page's SM-2 scheduler (docs/assets/javascripts/practice.js), run in Chromium
through `window.FieldGuidePractice.sm2`, against sequences worked by hand from the rules the
page states (docs/practice.md, "How reviews are scheduled"):

    grades: Again 1, Hard 3, Good 4, Easy 5; EF starts at 2.5;
    EF' = max(1.3, EF + 0.1 - (5 - q) * (0.08 + (5 - q) * 0.02)), computed first;
    q < 3: reps 0, interval 0 (due the same day); else reps + 1 and the interval is 1, then 6,
    then ceil(last interval * EF'); due = the review's day + interval (calendar days).
"""

from __future__ import annotations

import pytest

from tests.docs.pages import SITE
from tests.support.browser import site_page

REVIEWS = """([card, steps]) => {
  const { sm2 } = window.FieldGuidePractice;
  let current = card || sm2.newCard();
  return steps.map(([grade, day]) => (current = sm2.review(current, grade, day)));
}"""


@pytest.fixture(scope="module")
def page(chromium):
    with site_page(chromium, SITE) as page:
        page.goto(page.base + "practice.html", wait_until="load")
        page.wait_for_function("() => window.FieldGuidePractice && window.FieldGuidePractice.sm2")
        yield page


def reviews(page, steps, card=None) -> list[dict]:
    return page.evaluate(REVIEWS, [card, steps])


def summary(cards: list[dict]) -> list[tuple]:
    return [(c["ef"], c["reps"], c["interval"], c["due"]) for c in cards]


def test_a_new_card(page):
    card = page.evaluate("window.FieldGuidePractice.sm2.newCard()")
    assert card == {"ef": 2.5, "reps": 0, "interval": 0, "due": None}


def test_good_three_times_gives_1_6_and_15_days_with_ef_unchanged(page):
    cards = reviews(page, [("good", "2026-03-01"), ("good", "2026-03-02"), ("good", "2026-03-08")])
    assert summary(cards) == [
        (2.5, 1, 1, "2026-03-02"),
        (2.5, 2, 6, "2026-03-08"),
        (2.5, 3, 15, "2026-03-23"),  # ceil(6 * 2.5) = 15
    ]
    assert cards[-1]["last"] == "2026-03-08"


def test_each_grade_moves_ef_by_its_own_step(page):
    after = page.evaluate(
        """() => { const { sm2 } = window.FieldGuidePractice;
             return [1, 3, 4, 5].map((q) => sm2.review(sm2.newCard(), q, "2026-03-01").ef); }"""
    )
    # 2.5 + 0.1 - (5-q)(0.08 + (5-q) 0.02): again -0.54, hard -0.14, good 0, easy +0.1
    assert after == [1.96, 2.36, 2.5, 2.6]


def test_hard_then_good_then_good_then_easy(page):
    cards = reviews(
        page,
        [
            ("hard", "2026-03-01"),
            ("good", "2026-03-02"),
            ("good", "2026-03-08"),
            ("easy", "2026-03-23"),
        ],
    )
    assert summary(cards) == [
        (2.36, 1, 1, "2026-03-02"),  # hard still passes: 2.5 - 0.14
        (2.36, 2, 6, "2026-03-08"),
        (2.36, 3, 15, "2026-03-23"),  # ceil(6 * 2.36 = 14.16)
        (2.46, 4, 37, "2026-04-29"),  # EF first: 2.36 + 0.1; ceil(15 * 2.46 = 36.9)
    ]


def test_again_resets_the_reps_and_keeps_the_card_due_the_same_day(page):
    cards = reviews(
        page,
        [
            ("good", "2026-03-01"),
            ("good", "2026-03-02"),
            ("again", "2026-03-08"),
            ("good", "2026-03-08"),
            ("good", "2026-03-09"),
            ("good", "2026-03-15"),
        ],
    )
    assert summary(cards) == [
        (2.5, 1, 1, "2026-03-02"),
        (2.5, 2, 6, "2026-03-08"),
        (1.96, 0, 0, "2026-03-08"),  # due again today: shown later in the same review
        (1.96, 1, 1, "2026-03-09"),
        (1.96, 2, 6, "2026-03-15"),
        (1.96, 3, 12, "2026-03-27"),  # ceil(6 * 1.96 = 11.76)
    ]


def test_ef_never_falls_below_1_3(page):
    again = reviews(page, [("again", "2026-03-01")] * 4)
    assert [c["ef"] for c in again] == [1.96, 1.42, 1.3, 1.3]
    hard = reviews(page, [(3, "2026-03-01")] * 10)
    assert [c["ef"] for c in hard] == [2.36, 2.22, 2.08, 1.94, 1.8, 1.66, 1.52, 1.38, 1.3, 1.3]
    floor = {"ef": 1.3, "reps": 0, "interval": 0, "due": "2026-03-01"}
    cards = reviews(
        page, [("good", "2026-03-01"), ("good", "2026-03-02"), ("good", "2026-03-08")], floor
    )
    assert [c["interval"] for c in cards] == [1, 6, 8]  # ceil(6 * 1.3 = 7.8)


def test_intervals_are_exact_where_floating_point_is_not(page):
    """25 * 2.2 is 55.00000000000001 in floating point; a naive ceil makes it 56 days."""
    card = {"ef": 2.2, "reps": 3, "interval": 25, "due": "2026-03-01"}
    (after,) = reviews(page, [("good", "2026-03-01")], card)
    assert summary([after]) == [(2.2, 4, 55, "2026-04-25")]


def test_due_dates_cross_month_and_year_ends(page):
    add = "([day, n]) => window.FieldGuidePractice.sm2.addDays(day, n)"
    assert page.evaluate(add, ["2026-01-31", 1]) == "2026-02-01"
    assert page.evaluate(add, ["2026-02-26", 6]) == "2026-03-04"  # 2026: 28 days in February
    assert page.evaluate(add, ["2028-02-26", 6]) == "2028-03-03"  # 2028: a leap year
    assert page.evaluate(add, ["2026-12-28", 6]) == "2027-01-03"
    cards = reviews(page, [("good", "2026-01-31"), ("good", "2026-02-01"), ("good", "2026-02-07")])
    assert [c["due"] for c in cards] == ["2026-02-01", "2026-02-07", "2026-02-22"]


def test_grade_names_and_numbers_agree_and_nonsense_is_refused(page):
    same = page.evaluate(
        """() => { const { sm2 } = window.FieldGuidePractice;
             const card = { ef: 2.5, reps: 2, interval: 6, due: "2026-03-01" };
             return Object.entries(sm2.GRADES).map(([name, q]) =>
               JSON.stringify(sm2.review(card, name, "2026-03-01")) ===
               JSON.stringify(sm2.review(card, q, "2026-03-01"))); }"""
    )
    assert same == [True, True, True, True]
    refused = page.evaluate(
        """() => ["great", 6, -1, 2.5].map((grade) => {
             try { window.FieldGuidePractice.sm2.review(
                     window.FieldGuidePractice.sm2.newCard(), grade, "2026-03-01"); return false; }
             catch (error) { return error instanceof RangeError; } })"""
    )
    assert refused == [True, True, True, True]


def test_today_is_the_local_calendar_date(page):
    day = page.evaluate("window.FieldGuidePractice.sm2.today(new Date(2026, 0, 31, 23, 59))")
    assert day == "2026-01-31"
