"""docs/labs/slo-error-budget.ipynb: the alerts fire where the planted incidents are."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.labs.notebooks import ROOT, printed, run_lab

FAST, SLOW, TICKET = "page (1h & 5m > 14.4)", "page (6h & 30m > 6)", "ticket (3d & 6h > 1)"


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def episodes(spans: list[str]) -> list[tuple[datetime, datetime]]:
    """'2026-11-09 14:16/14:47' -> (start, end); an episode never spans midnight here."""
    out = []
    for span in spans:
        start, end = span.split("/")
        first = parse(start)
        out.append((first, parse(f"{first:%Y-%m-%d} {end}")))
    return out


@pytest.fixture(scope="module")
def lab(pytestconfig: pytest.Config):
    return run_lab("slo-error-budget", pytestconfig)


def test_sli_and_budget_are_the_logs_arithmetic(lab):
    numbers = lab.summary["deterministic"]
    assert numbers["sli"] == pytest.approx(1 - numbers["failed"] / numbers["requests"], abs=1e-6)
    budget = 0.001 * numbers["requests"]
    assert numbers["budget_spent"] == pytest.approx(numbers["failed"] / budget, abs=1e-4)
    # The month stays within its SLO, but the incidents spent a real share of the budget.
    assert 0.999 < numbers["sli"] < 1
    assert 0.2 < numbers["budget_spent"] < 1


def test_fast_page_fires_once_during_the_outage_within_half_an_hour(lab):
    start, end = map(parse, lab.summary["incidents"]["outage"])
    fired = episodes(lab.summary["fired"][FAST])
    assert len(fired) == 1, fired  # no page for the blips nor for the slow leak
    first, last = fired[0]
    assert start < first <= start + timedelta(minutes=30)
    # The 5-minute window clears the alert within minutes of the outage's end.
    assert last <= end + timedelta(minutes=5)
    detected_after = (first - start).seconds // 60
    assert lab.summary["deterministic"]["outage_detected_after_min"] == detected_after


def test_slow_page_catches_the_leak_the_fast_page_misses(lab):
    start, end = map(parse, lab.summary["incidents"]["leak"])
    fired = episodes(lab.summary["fired"][SLOW])
    in_leak = [(a, b) for a, b in fired if start <= a < end]
    assert in_leak, fired
    # Burn 10 against a threshold of 6 over 6 hours: the window crosses it after ~3.6 hours.
    assert timedelta(hours=3) < in_leak[0][0] - start < timedelta(hours=4, minutes=30)
    assert lab.summary["deterministic"]["leak_detected_after_min"] == (
        (in_leak[0][0] - start).seconds // 60
    )


def test_no_page_or_ticket_outside_the_incidents(lab):
    incidents = [tuple(map(parse, lab.summary["incidents"][k])) for k in ("outage", "leak")]
    for name in (FAST, SLOW, TICKET):
        for first, _ in episodes(lab.summary["fired"][name]):
            assert any(a <= first < b + timedelta(hours=1) for a, b in incidents), (name, first)


def test_the_naive_short_window_alert_pages_on_blips(lab):
    numbers = lab.summary["deterministic"]
    first_blip = parse(lab.summary["blips"][0])
    assert parse(numbers["first_fired"]["naive (5m > 14.4)"]) == first_blip
    assert numbers["episodes"]["naive (5m > 14.4)"] > len(lab.summary["blips"]) + 2


def test_the_labs_alerts_are_the_prometheus_rules(lab):
    """Section 5 reads examples/observability/rules/slo-availability.rules.yml: the lab's three
    alerts are among its window pairs, which are the SRE workbook's four."""
    rules = lab.summary["rules"]
    assert rules["lab_alerts_in_rules"] is True
    assert rules["pairs"] == ["1d&2h>3", "1h&5m>14.4", "3d&6h>1", "6h&30m>6"]
    # The cell shows the timings promtool proved (tests/observability/test_alerts.py).
    shown = printed(lab.notebook, "rules")
    assert "LlmAvailabilityBudgetBurnFast (page):" in shown
    assert (ROOT / "examples/observability/slo-timings.out.txt").read_text() in shown
