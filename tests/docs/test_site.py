"""The built site (site/, from `mkdocs build --strict`) requests nothing outside itself.

Fonts, Mermaid and the offline search shim must be served by the site; a page loads Mermaid
only when it draws a diagram. `nox -s docs` builds the site before running these tests.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.docs.pages import SITE

# Attributes through which a browser fetches something by itself when it renders the page.
# (`<a href>` is a link the reader may follow, and `<link rel=canonical>` fetches nothing.)
FETCHING = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
}
FETCHING_LINK_RELS = {"stylesheet", "preconnect", "preload", "prefetch", "modulepreload", "icon",
                      "manifest", "dns-prefetch"}  # fmt: skip
EXTERNAL = re.compile(r"^(?:[a-z]+:)?//", re.I)
CSS_EXTERNAL = re.compile(r"(?:url\(|@import)\s*['\"]?((?:https?:)?//[^'\")\s]+)")


class Requests(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[str] = []
        self.description: str | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.scripts.append(values["src"])
        if tag == "meta" and values.get("name") == "description":
            self.description = values.get("content")
        names = FETCHING.get(tag, ())
        if tag == "link" and set((values.get("rel") or "").split()) & FETCHING_LINK_RELS:
            names = ("href",)
        self.urls.extend(values[name] for name in names if values.get(name))


def parse(page: Path) -> tuple[Requests, str]:
    html = page.read_text(encoding="utf-8")
    parser = Requests()
    parser.feed(html)
    return parser, html


HTML_PAGES = sorted(SITE.rglob("*.html")) if SITE.is_dir() else []


def test_site_was_built():
    assert HTML_PAGES, f"no HTML under {SITE}: run `mkdocs build --strict` (nox -s docs does)"


@pytest.mark.parametrize("page", HTML_PAGES, ids=lambda p: str(p.relative_to(SITE)))
def test_page_fetches_nothing_outside_the_site(page: Path):
    parser, _ = parse(page)
    external = [url for url in parser.urls if EXTERNAL.match(url)]
    assert not external, f"{page.relative_to(SITE)} fetches {external}"


def test_stylesheets_fetch_nothing_outside_the_site():
    offenders = {
        str(css.relative_to(SITE)): found
        for css in SITE.rglob("*.css")
        if (found := CSS_EXTERNAL.findall(css.read_text()))
    }
    assert not offenders, offenders


@pytest.mark.parametrize("page", HTML_PAGES, ids=lambda p: str(p.relative_to(SITE)))
def test_mermaid_is_loaded_only_where_a_diagram_is(page: Path):
    """overrides/main.html fetches the 3.5 MB Mermaid only on a page with a diagram to draw."""
    _, html = parse(page)
    loads_mermaid = "assets/vendor/mermaid/mermaid.min.js" in html
    has_diagram = 'class="mermaid"' in html
    assert loads_mermaid == has_diagram, (
        f"{page.relative_to(SITE)}: diagram={has_diagram} but Mermaid loaded={loads_mermaid}"
    )


def test_vendored_assets_are_served_by_the_site():
    assert (SITE / "assets/vendor/mermaid/mermaid.min.js").stat().st_size > 1_000_000
    shim = SITE / "assets/vendor/iframe-worker/shim.js"
    assert shim.is_file()
    index, _ = parse(SITE / "index.html")
    assert any(src.endswith("assets/vendor/iframe-worker/shim.js") for src in index.scripts)


def test_offline_search_index_is_inlined():
    """The offline plugin turns the JSON index into a script, so search works from file://."""
    assert (SITE / "search" / "search_index.js").is_file()


def test_every_page_has_a_description_of_its_own():
    """Search engines and link previews show it; a page without one repeats site_description."""
    pages = [p for p in HTML_PAGES if p.name != "404.html"]
    seen: dict[str, str] = {}
    for page in pages:
        parser, _ = parse(page)
        name = str(page.relative_to(SITE))
        assert parser.description, f"{name} has no meta description"
        assert parser.description not in seen, (
            f"{name} has the same description as {seen.get(parser.description)}: "
            "give it a `description:` in its front matter"
        )
        seen[parser.description] = name
