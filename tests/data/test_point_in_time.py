"""examples/data/point_in_time.py on the walkthrough's repository: the model trained on a
naive latest-value join scores far better offline than on honest, point-in-time rows of a
later period; the model trained on Feast's point-in-time join scores the same on both.
The naive join uses feature rows computed after the label; Feast's join never does."""

from __future__ import annotations

import contextlib
import io

import pytest

from tests.support.examples import import_example

REPORT = "examples/data/point_in_time.out.txt"


@pytest.fixture(scope="module")
def measured(walkthrough):
    module = import_example("data/point_in_time.py")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        result = module.main(walkthrough["repo"])
    return result, printed.getvalue()


def test_the_naive_join_leaks_and_the_point_in_time_join_does_not(measured, page_output):
    result, printed = measured
    naive, pit = result["results"]["latest value"], result["results"]["point in time"]
    assert naive["rows"] == pit["rows"] == 1294  # every training label kept by both joins
    assert naive["offline"] >= 0.95
    assert naive["offline"] - naive["honest"] >= 0.3, naive
    assert abs(pit["offline"] - pit["honest"]) <= 0.05, pit
    assert pit["honest"] - naive["honest"] >= 0.15  # the leaky model is worse in production
    page_output(REPORT, printed)


def test_only_the_naive_join_uses_rows_computed_after_the_label(measured):
    result, _ = measured
    assert result["results"]["point in time"]["violations"] == 0
    naive = result["results"]["latest value"]
    assert naive["violations"] == naive["rows"]
    assert result["later_rows"] + naive["rows"] == result["labels"] == 2000


def test_a_single_leaky_feature_explains_the_offline_score(measured, walkthrough):
    """Churned customers' latest days_since_login is weeks; nobody else's is."""
    module = import_example("data/point_in_time.py")
    import pandas as pd

    labels = pd.read_parquet(walkthrough["repo"] / "data" / "labels.parquet")
    naive = module.naive_join(walkthrough["repo"], labels[labels.period == "train"])
    churned = naive[naive.churned == 1]["days_since_login"]
    stayed = naive[naive.churned == 0]["days_since_login"]
    assert churned.min() > stayed.quantile(0.99)


def test_numbers_quoted_on_the_pages_are_the_measured_ones(measured):
    from tests.support.examples import ROOT

    result, _ = measured
    naive, pit = result["results"]["latest value"], result["results"]["point in time"]
    pit_page = (ROOT / "docs/data/point-in-time.md").read_text()
    assert f"{pit['offline']:.3f} offline and {pit['honest']:.3f} honest" in pit_page
    assert f"here {pit['rows']} in and {pit['rows']} out" in pit_page
    store_page = (ROOT / "docs/data/feature-stores.md").read_text()
    quoted = f"scores {naive['offline']:.3f} offline and {naive['honest']:.3f} on\nhonest data"
    assert quoted in store_page
