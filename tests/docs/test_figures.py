"""Notebook figures as files beside their page (guidebuild/figures.py)."""

from __future__ import annotations

import base64
import json
import re
import struct
import zlib
from pathlib import Path

import pytest

from guidebuild import figures
from guidebuild.errors import BuildError
from tests.docs.pages import SITE


def png(width: int, height: int) -> bytes:
    """A real (blank, greyscale) PNG of the given size."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\0" + b"\0" * width for _ in range(height))
    return (
        figures.PNG_SIGNATURE
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def inline(data: bytes) -> str:
    encoded = base64.b64encode(data).decode()
    return f'<img alt="a plot" class="" src="data:image/png;base64,{encoded}"/>'


def test_each_figure_becomes_a_file_beside_the_page_with_its_size_and_alt_text():
    first, second = png(30, 20), png(7, 5)
    html = f"<p>a</p>{inline(first)}<p>b</p>{inline(second)}"
    alts = ["Budget left, falling", 'Burn rates "1 h" & "6 h"']
    page, files = figures.externalise_figures(html, "labs/slo.html", alts)
    assert files == {"labs/slo-figure-1.png": first, "labs/slo-figure-2.png": second}
    assert page == (
        '<p>a</p><img class="" alt="Budget left, falling" src="slo-figure-1.png" width="30" '
        'height="20" loading="lazy"/><p>b</p><img class="" alt="Burn rates &quot;1 h&quot; '
        '&amp; &quot;6 h&quot;" src="slo-figure-2.png" width="7" height="5" loading="lazy"/>'
    )


def test_a_page_without_inline_figures_is_unchanged():
    html = '<img alt="logo" src="logo.png"/>'
    assert figures.externalise_figures(html, "labs/x.html", []) == (html, {})


def test_figures_and_alt_texts_must_pair_up():
    with pytest.raises(
        BuildError, match=r"labs/x\.html shows 1 inline figures, its notebook has 0"
    ):
        figures.externalise_figures(inline(png(2, 2)), "labs/x.html", [])
    with pytest.raises(
        BuildError, match=r"labs/x\.html shows 1 inline figures, its notebook has 2"
    ):
        figures.externalise_figures(inline(png(2, 2)), "labs/x.html", ["a", "b"])


def test_a_figure_that_is_not_a_png_names_the_page_and_the_fix():
    broken = '<img src="data:image/png;base64,' + base64.b64encode(b"GIF89a....").decode() + '"/>'
    with pytest.raises(BuildError, match=r"labs/x\.html: figure 1 is not a readable PNG"):
        figures.externalise_figures(broken, "labs/x.html", ["a plot"])


def notebook(tmp_path, *cells) -> Path:
    path = tmp_path / "lab.ipynb"
    path.write_text(json.dumps({"cells": list(cells)}), encoding="utf-8")
    return path


def plot_cell(metadata: dict) -> dict:
    return {"metadata": metadata, "outputs": [{"data": {"image/png": "iVBOR", "text/plain": "x"}}]}


def test_alt_texts_come_from_the_cells_metadata_in_order(tmp_path):
    text_cell = {"metadata": {}, "outputs": [{"data": {"text/plain": "42"}}]}
    path = notebook(tmp_path, plot_cell({"alt": "first"}), text_cell, plot_cell({"alt": "second"}))
    assert figures.figure_alts(path) == ["first", "second"]


def test_a_figure_without_alt_text_names_the_notebook_and_cell(tmp_path):
    path = notebook(tmp_path, {"metadata": {}, "source": "# intro"}, plot_cell({}))
    with pytest.raises(
        BuildError, match=r'lab\.ipynb, cell 2: a figure without alt text; add "alt"'
    ):
        figures.figure_alts(path)


# The built site (nox -s docs builds it before these run).

NOTEBOOK_PAGES = sorted(SITE.glob("labs/*.html")) if SITE.is_dir() else []


@pytest.mark.parametrize("page", NOTEBOOK_PAGES, ids=lambda p: p.name)
def test_built_lab_pages_load_their_figures_from_files(page):
    html = page.read_text(encoding="utf-8")
    assert "data:image/png" not in html
    assert "No description has been provided" not in html  # nbconvert's stand-in alt text
    for src, width, height in re.findall(
        r'<img[^>]* src="([^"]+\.png)" width="(\d+)" height="(\d+)"', html
    ):
        figure = page.parent / src
        assert figure.is_file(), f"{page.name} shows {src}, which the build did not write"
        assert figures.png_size(figure.read_bytes()) == (int(width), int(height))


def test_the_labs_have_figures_at_all():
    figures = [f for page in NOTEBOOK_PAGES for f in page.parent.glob(f"{page.stem}-figure-*.png")]
    assert len(figures) >= 3, figures


def test_a_site_goes_through_the_figure_step_once(tmp_path: Path):
    """The post-build step finds each notebook's page in either URL style, and a second run
    over the same folder changes nothing."""
    docs, site = tmp_path / "docs", tmp_path / "site"
    (docs / "labs").mkdir(parents=True)
    (site / "labs" / "slo").mkdir(parents=True)
    cell = {"metadata": {"alt": "budget left"}, "outputs": [{"data": {"image/png": "..."}}]}
    (docs / "labs" / "slo.ipynb").write_text(json.dumps({"cells": [cell]}))
    page = site / "labs" / "slo" / "index.html"
    page.write_text(f"<article>{inline(png(3, 2))}</article>")
    assert figures.write_figure_files(site, docs) == 1
    once = page.read_text()
    assert 'src="index-figure-1.png"' in once and (page.parent / "index-figure-1.png").is_file()
    assert figures.write_figure_files(site, docs) == 0
    assert page.read_text() == once
