"""What a candidate finds with the site's own search (Material's, in Chromium, on site/)."""

from __future__ import annotations

import json
import re

import pytest

from tests.docs.pages import SITE
from tests.support.browser import site_page

DIAGRAM_SOURCE = re.compile(r"\b(?:flowchart|graph) (?:LR|RL|TB|TD|BT)\b|\bsequenceDiagram\b")

# What candidates type, and the page (and section) that should come first.
TOP_RESULTS = {
    "OOMKilled": "reliability/troubleshooting.html",
    "CrashLoopBackOff": "reliability/troubleshooting.html",
    "ImagePullBackOff": "reliability/troubleshooting.html",
    "watermark": "distributed/flink.html",
    "burn rate": "reliability/slo-alerts.html",
    "feature store": "data/feature-stores.html",
    "point-in-time": "data/point-in-time.html",
    "AQE": "distributed/spark-performance.html",
    "KEDA": "kubernetes/autoscaling.html",
    "ResourceClaim": "training/gpu-scheduling.html",
    "HTTPRoute": "kubernetes/networking.html",
    "savepoint": "distributed/flink.html",
    "model registry alias": "mlops/mlflow.html",
    "error budget": "labs/slo-error-budget.html",
    "Pending": "reliability/troubleshooting.html",
    "ErrImagePull": "reliability/troubleshooting.html",
}


def search_index() -> dict:
    path = SITE / "search" / "search_index.json"
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `nox -s docs`")
    return json.loads(path.read_text("utf-8"))


def test_diagram_source_is_not_indexed():
    found = [
        doc["location"] for doc in search_index()["docs"] if DIAGRAM_SOURCE.search(doc["text"])
    ]
    assert not found, f"Mermaid source in the search index at {found[:5]}"


def test_errata_rank_below_the_chapters():
    boosts = {
        doc["location"]: doc.get("boost", 1)
        for doc in search_index()["docs"]
        if doc["location"].startswith("errata.html")
    }
    assert boosts and all(boost < 1 for boost in boosts.values()), boosts


@pytest.fixture(scope="module")
def search_page(chromium):
    with site_page(chromium, SITE) as page:
        yield page


@pytest.mark.parametrize("query", sorted(TOP_RESULTS))
def test_a_candidates_query_finds_its_page_first(search_page, query):
    search_page.goto(search_page.base + "index.html", wait_until="load")
    box = search_page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    first = search_page.locator(".md-search-result__item a").first
    first.wait_for(timeout=30_000)
    href = first.get_attribute("href") or ""
    top = href.removeprefix(search_page.base).split("#")[0].split("?")[0].lstrip("./")
    assert top == TOP_RESULTS[query], f"{query!r}: the first result is {href}"
