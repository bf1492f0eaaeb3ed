"""The offline zip (dist/field-guide-offline.zip, `nox -s offline`) works from file:// alone.

Chromium opens the unzipped pages from disk with every request that is not a file blocked and
recorded: search must find pages, a Mermaid diagram must be drawn, nothing may go outside.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.pdf.sources import plain


@pytest.fixture(scope="module")
def site(offline_site) -> Path:
    return offline_site


def search_term(site: Path) -> tuple[str, str]:
    """A word from a page title in the site's own search index, and that page's location."""
    script = (site / "search" / "search_index.js").read_text("utf-8")
    index = json.loads(script[script.index("{") : script.rindex("}") + 1])
    for doc in index["docs"]:
        words = [w for w in re.findall(r"[A-Za-z]{6,}", plain(doc.get("title", "")))]
        if words and "#" not in doc["location"] and doc["location"]:
            return words[0], doc["location"]
    pytest.fail("the search index has no page title to search for")


def test_search_finds_pages_from_disk(site, offline_page):
    word, location = search_term(site)
    offline_page.goto((site / "index.html").as_uri(), wait_until="load")
    query = offline_page.locator("input[data-md-component='search-query']")
    query.focus()
    query.press_sequentially(word, delay=30)  # Material searches on key events, as a reader types
    results = offline_page.locator(".md-search-result__item")
    results.first.wait_for(timeout=60_000)
    hrefs = offline_page.eval_on_selector_all(
        ".md-search-result__item a", "els => els.map(a => a.getAttribute('href'))"
    )
    assert any(location.split("#")[0] in (href or "") for href in hrefs), (word, location, hrefs)
    assert offline_page.external == [], offline_page.external


def test_a_diagram_is_drawn_from_disk(site, offline_page):
    pages = sorted(p for p in site.rglob("*.html") if 'class="mermaid"' in p.read_text("utf-8"))
    if not pages:
        pytest.skip("no page of this site draws a Mermaid diagram")
    offline_page.goto(pages[0].as_uri(), wait_until="load")
    offline_page.wait_for_function(
        "() => document.querySelectorAll('pre.mermaid').length === 0", timeout=120_000
    )
    drawn = offline_page.eval_on_selector_all(
        "div.mermaid",
        "els => els.map(e => e.shadowRoot && e.shadowRoot.querySelector('svg g') ? 1 : 0)",
    )
    assert drawn and all(drawn), f"{pages[0].name}: diagrams drawn {drawn}"
    text = offline_page.eval_on_selector_all(
        "div.mermaid", "els => els.map(e => e.shadowRoot.textContent).join(' ')"
    )
    assert "Syntax error" not in text
    assert offline_page.external == [], offline_page.external


def test_every_page_requests_nothing_outside(site, offline_page):
    for page in sorted(site.rglob("*.html")):
        offline_page.goto(page.as_uri(), wait_until="load")
    offline_page.wait_for_timeout(1000)
    assert offline_page.external == [], offline_page.external


def test_a_copy_button_copies_its_code_block(site, offline_page):
    """The buttons are written into the HTML (guidebuild/lean_theme.py); Material's
    script must still copy with them, once per block."""
    page = site / "distributed" / "spark.html"
    offline_page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    offline_page.goto(page.as_uri(), wait_until="load")
    counts = offline_page.evaluate(
        """() => [...document.querySelectorAll("pre:not(.mermaid) > code")].map(
             (code) => code.parentElement.querySelectorAll(".md-code__button").length)"""
    )
    assert len(counts) > 5 and set(counts) == {1}, f"copy buttons per code block: {counts}"
    block = offline_page.locator("pre:not(.mermaid)").nth(2)
    block.scroll_into_view_if_needed()
    block.hover()
    block.locator(".md-code__button").click()
    offline_page.locator(".md-dialog", has_text="Copied").wait_for()
    copied = offline_page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() == block.locator("code").inner_text().strip()
    assert len(copied.strip()) > 20, copied


def test_the_dark_palette_reaches_the_root(site, offline_page):
    """Material's color-scheme <meta> is gone (lean_theme.py); the root's scrollbars still
    follow the palette through extra.css."""
    offline_page.emulate_media(color_scheme="dark")
    offline_page.goto((site / "index.html").as_uri(), wait_until="load")
    scheme = offline_page.evaluate(
        """() => [document.body.dataset.mdColorScheme,
                  getComputedStyle(document.documentElement).colorScheme,
                  document.querySelectorAll('meta[name="color-scheme"]').length]"""
    )
    assert scheme == ["slate", "dark", 0], scheme


def test_no_button_or_link_leads_to_a_file_the_zip_lacks(site):
    """The Pages workflow adds the downloads beside the site; the zip must not offer them."""
    dead = []
    for page in site.rglob("*.html"):
        for href in re.findall(r'<a [^>]*href="([^"#?]+)"', page.read_text("utf-8")):
            if re.match(r"^[a-z][a-z0-9+.-]*:", href):
                continue
            if not (page.parent / href).resolve().exists():
                dead.append(f"{page.relative_to(site)}: {href}")
    assert not dead, f"links to files not in the zip: {dead[:10]}"


def test_the_home_page_says_where_the_downloads_are(site):
    """Without its buttons, the "Take it with you" sentence would offer nothing: the zip's copy
    names the web edition instead."""
    home = (site / "index.html").read_text("utf-8")
    block = re.search(r'<div class="downloads">(.*?)</div>', home, re.S)
    assert block is not None, "the home page has no downloads block"
    assert "offline copy" in block[1] and 'href="https://' in block[1], block[1]
    assert "md-button" not in block[1]
