"""Every link of the built site resolves (guidebuild/links.py), and the checker can fail.

The strict build validates links written in Markdown; this also covers the HTML that hooks and
notebooks emit. External links are listed in a report, not fetched (no network here).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guidebuild import links, publish
from tests.docs.pages import ROOT, SITE


@pytest.fixture(scope="module")
def site() -> Path:
    assert (SITE / "index.html").is_file(), "no built site: run `mkdocs build --strict` first"
    return SITE


def test_every_internal_link_and_anchor_of_the_built_site_resolves(site: Path):
    internal, ids, _ = links.collect(site)
    assert len(ids) > 20 and len(internal) > 1000, "the site looks half-built"
    assert any("#" in link.href for link in internal), "no anchor link was checked"
    assert links.broken(site, internal, ids) == []


def test_a_missing_page_or_anchor_is_named_with_its_page(tmp_path: Path):
    (tmp_path / "guide").mkdir()
    (tmp_path / "index.html").write_text(
        '<h2 id="intro">Intro</h2><a href="#intro">ok</a><a href="#outro">no anchor</a>'
        '<a href="guide/">ok, a folder</a><a href="gone.html">no page</a>'
        '<a href="https://example.org/">external</a><a href="/field-guide/guide/x.html#a">ok</a>'
    )
    (tmp_path / "guide" / "index.html").write_text('<a href="../index.html#intro">ok</a>')
    (tmp_path / "guide" / "x.html").write_text('<p id="a">a</p><a href="x.html#b">no anchor</a>')
    internal, ids, external = links.collect(tmp_path)
    assert links.broken(tmp_path, internal, ids) == [
        "guide/x.html: link 'x.html#b': no id 'b' on guide/x.html",
        "index.html: link '#outro': no id 'outro' on index.html",
        "index.html: link 'gone.html': no such file in the site",
    ]
    assert [link.href for link in external] == ["https://example.org/"]
    assert "| <https://example.org/> | index.html |" in links.external_report(external)


def test_downloads_the_home_page_links_are_published_beside_the_site(site: Path):
    """links.py skips `downloads/`: publish.py copies those files in, and Pages publishes that."""
    internal, _, _ = links.collect(site)
    linked = {Path(link.href).name for link in internal if link.href.startswith("downloads/")}
    assert linked, "the home page no longer links the PDF and the zip"
    copied = {path.name for path in publish.DOWNLOADS}
    assert linked <= copied, f"linked but never published: {sorted(linked - copied)}"
    workflow = (ROOT / ".github" / "workflows" / "pages.yml").read_text()
    assert "nox -s publish" in workflow and "path: dist/pages" in workflow, (
        "pages.yml must publish what `nox -s publish` assembles in dist/pages"
    )
