"""The audit's own logic (guidebuild/audit.py): calibration, the bar, the table.

Lighthouse itself runs in `nox -s audit`; these check what decides pass or fail around it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guidebuild import audit


@pytest.mark.parametrize(
    ("benchmark_index", "multiplier"),
    # The calculator's anchor points (1533 -> 4x, 1300 -> 3x, 800 -> 2x), its cap and floor.
    [(2500, 4.0), (1533, 4.0), (1300, 3.0), (1050, 2.5), (800, 2.0), (475, 1.5), (100, 1.0)],
)
def test_cpu_slowdown_follows_lighthouses_calculator(benchmark_index, multiplier):
    assert audit.calibrated_slowdown(benchmark_index) == multiplier


def row(page: str, performance: int, accessibility: int = 100) -> dict:
    scores = {"performance": performance, "accessibility": accessibility}
    scores |= {"best-practices": 100, "seo": 100}
    return {"page": page, "scores": scores, "lost": {}, "benchmark": 1400.0, "slowdown": 3.4}


def test_one_point_under_any_bar_fails_the_page():
    rows = [row("a.html", 95), row("b.html", 94), row("c.html", 99, accessibility=98)]
    assert [r["page"] for r in audit.under_the_bar(rows)] == ["b.html", "c.html"]


def test_the_table_marks_scores_under_the_bar_and_states_the_throttling():
    text = audit.table([row("b.html", 94)])
    assert "| b.html | 94 ✗ | 100 | 100 | 100 | 1400 | 3.4x |" in text.splitlines()


def test_lost_points_name_the_audits_worst_first():
    report = {
        "categories": {
            name: {
                "auditRefs": [{"id": f"{name}-x", "weight": 1}, {"id": f"{name}-y", "weight": 0}]
            }
            for name in audit.CATEGORIES
        },
        "audits": {f"{name}-x": {"score": 1} for name in audit.CATEGORIES},
    }
    report["audits"]["performance-x"] = {"score": 0.42, "displayValue": "2,160 ms"}
    report["audits"]["performance-y"] = {"score": 0}  # weight 0: informative, costs nothing
    assert audit.lost_points(report)["performance"] == ["performance-x (0.42, 2,160 ms)"]
    assert audit.lost_points(report)["seo"] == []


def test_pages_are_every_readers_page(tmp_path: Path):
    for name in ("index.html", "404.html", "print_page.html", "a/b.html", "assets/x.html"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("<html></html>")
    assert audit.pages(tmp_path, []) == ["a/b.html", "index.html"]
    assert audit.pages(tmp_path, ["a/*"]) == ["a/b.html"]
    with pytest.raises(audit.BuildError, match="no page"):
        audit.pages(tmp_path, ["nothing/*"])
