"""examples/data/skew_features.py and skew_lab.py, the code behind docs/data/skew.md and the
training/serving skew lab: the three implementations of the features on hand-made payments
(window edges, units), the comparison's tolerance, bad events, and both files run as a
reader runs them."""

from __future__ import annotations

import json
from types import ModuleType

import pandas as pd
import pytest

from tests.support.examples import import_example, run_example

DAY, HOUR = 86_400, 3_600
NOW = 1_767_225_600 + 30 * DAY


@pytest.fixture(scope="module")
def skew() -> ModuleType:
    """examples/data/skew_lab.py; its `skew_features` is the module it computes with."""
    return import_example("data/skew_lab.py")


@pytest.fixture(scope="module")
def features(skew: ModuleType) -> ModuleType:
    return import_example("data/skew_features.py")


def event(payment_id: int, ts: int, cents: int) -> dict:
    return {"payment_id": payment_id, "customer_id": 7, "ts": ts, "amount": cents}


# Payments at the window's edges: [NOW - 7 days, NOW) holds the 2nd, 3rd and 4th.
EVENTS = [
    event(0, NOW - 7 * DAY - 1, 10_000),  # one second too old
    event(1, NOW - 7 * DAY, 1_234),  # exactly 7 days before: in
    event(2, NOW - 2 * DAY, 5_000),
    event(3, NOW - 5 * HOUR, 99),
    event(4, NOW, 777),  # the payment being scored: never its own feature
]
REQUEST = {"ts": NOW, "signup_ts": NOW - 400 * DAY}


def three_ways(features: ModuleType) -> tuple[dict, dict, dict]:
    table = features.warehouse_table(EVENTS)
    offline = features.window_features(
        table["ts"].to_numpy(), table["amount_usd"].to_numpy(), NOW, REQUEST["signup_ts"]
    )
    shipped = features.online_features(EVENTS, REQUEST)
    fixed = features.online_features_fixed(EVENTS, REQUEST)
    return offline, shipped, fixed


def test_the_window_is_the_seven_days_before_the_payment(features):
    offline, shipped, fixed = three_ways(features)
    for served in (offline, shipped, fixed):
        assert served["payments_7d"] == 3
        assert served["hours_since"] == 5.0
        assert served["age_days"] == 400.0
    assert offline["spend_7d"] == pytest.approx(12.34 + 50.00 + 0.99)


def test_the_shipped_service_sums_cents_and_the_fixed_one_dollars(features):
    offline, shipped, fixed = three_ways(features)
    assert shipped["spend_7d"] == 1_234 + 5_000 + 99  # cents
    assert shipped["spend_7d"] == pytest.approx(100 * offline["spend_7d"])
    assert fixed == offline  # the same definition: equal, not close


def test_an_empty_week_is_the_same_in_every_unit(features):
    request = {"ts": NOW - 8 * DAY, "signup_ts": REQUEST["signup_ts"]}
    shipped = features.online_features(EVENTS, request)
    fixed = features.online_features_fixed(EVENTS, request)
    assert shipped == fixed
    assert (shipped["spend_7d"], shipped["payments_7d"]) == (0.0, 0)
    assert shipped["hours_since"] == features.NO_PAYMENT


def test_an_event_with_an_amount_in_dollars_is_refused_by_name(features):
    bad = event(42, NOW, 0) | {"amount": 12.34}
    with pytest.raises(TypeError, match=r"payment 42: 'amount' must be integer cents"):
        features.warehouse_row(bad)


def test_the_comparison_ignores_float_noise_and_flags_a_real_difference(skew):
    index = pd.Index([1, 2, 3, 4], name="payment_id")
    offline = pd.DataFrame({name: [1.0, 2.0, 0.0, 3.0] for name in skew.FEATURES}, index)
    log = offline.copy()
    log["spend_7d"] *= 1 + 1e-12  # another summation order
    log.loc[4, "hours_since"] = 3.5  # one request of four off
    comparison = skew.compare(log, offline)
    assert skew.flagged(comparison) == ["hours_since"]
    assert comparison.loc["hours_since", "mismatch"] == 0.25
    assert comparison.loc["hours_since", "mean_abs_diff"] == pytest.approx(0.5 / 4)
    assert comparison.loc["spend_7d", "mismatch"] == 0.0


def test_the_service_logs_each_request_and_only_then_sees_the_payment(skew):
    signups = pd.Series({7: REQUEST["signup_ts"]})
    service = skew.FraudService(skew.online_features_fixed, signups)
    first = service.features(EVENTS[1])
    second = service.features(EVENTS[2])
    assert first["payments_7d"] == 0 and second["payments_7d"] == 1
    assert [row["payment_id"] for row in service.log] == [1, 2]
    assert service.log[1]["spend_7d"] == 12.34


def test_on_generated_payments_only_spend_is_skewed_and_the_fix_removes_it(skew):
    world = skew.generate(customers=40)
    offline = skew.training_features(skew.warehouse_table(world.events), world.signups)
    before = skew.compare(skew.go_live(world, skew.online_features), offline)
    after = skew.compare(skew.go_live(world, skew.online_features_fixed), offline)
    assert skew.flagged(before) == ["spend_7d"]
    assert before.loc["spend_7d", "ratio_p50"] == 100.0
    assert skew.flagged(after) == [] and set(after["mismatch"]) == {0.0}


def test_the_labels_are_seeded(skew):
    first, second = skew.generate(customers=30), skew.generate(customers=30)
    assert first.events == second.events
    assert first.labels.equals(second.labels)
    assert 0.05 < first.labels.mean() < 0.5


def test_the_summary_json_stays_narrow(skew):
    summary = {"a": {"spend_7d": 0.9926, "payments_7d": 0.0, "hours_since": 0.0}}
    text = skew.json_summary({"deterministic": summary | {"auc": {"x": 0.9}}}, width=40)
    assert max(map(len, text.splitlines())) <= 40
    assert '"auc": {"x": 0.9}' in text
    assert json.loads(text) == {"deterministic": summary | {"auc": {"x": 0.9}}}


def test_the_features_example_prints_the_page_output(page_output):
    run = run_example("data/skew_features.py")
    rows = {line.split()[0]: line.split()[1:] for line in run.stdout.splitlines()[1:]}
    assert rows["spend_7d"] == ["19.99", "1999.00", "19.99"]
    assert rows["payments_7d"] == ["1.00", "1.00", "1.00"]
    page_output("examples/data/skew_features.out.txt", run.stdout)


def test_the_lab_script_tells_the_whole_story(skew):
    """`python examples/data/skew_lab.py 200`: a smaller world, the same finding."""
    run = run_example("data/skew_lab.py", "200")
    assert run.stdout.count("flagged: spend_7d") == 1
    assert run.stdout.count("flagged: none") == 1
    scores = {
        line.split()[0]: float(line.split()[1])
        for line in run.stdout.split("--- ROC AUC\n")[1].splitlines()
    }
    assert scores["offline"] - scores["online_before"] >= 0.1, scores
    assert abs(scores["online_after"] - scores["offline"]) <= 0.05, scores
