"""The cheat sheet prints on two A4 pages: its built page, printed alone by Chromium with the
PDF's margins (guidebuild/pdf.py) and the site's own print stylesheet, read back with pypdf.

Runs against a built site: GUIDE_SITE, or site/ (`nox -s docs` builds it). Needs Chromium
(guidebuild/browser.py finds it) and Playwright and pypdf, as the pdf session has them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("GUIDE_SITE") or ROOT / "site")
PAGE = "cheat-sheet.html"
MAX_PAGES = 2
MARGIN = {"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"}  # guidebuild/pdf.py


@pytest.fixture(scope="module")
def printed(chromium, tmp_path_factory) -> Path:
    from guidebuild.browser import serve

    if not (SITE / PAGE).is_file():
        pytest.fail(f"{SITE / PAGE} does not exist: build the site (nox -s docs) or set GUIDE_SITE")
    out = tmp_path_factory.mktemp("cheat-sheet") / "cheat-sheet.pdf"
    with serve(SITE) as base:
        page = chromium.new_page(viewport={"width": 1100, "height": 1400})
        page.emulate_media(media="print", color_scheme="light")
        page.goto(base + PAGE, wait_until="load")
        page.evaluate("document.fonts.ready")
        page.pdf(path=str(out), format="A4", print_background=True, margin=MARGIN)
        page.close()
    return out


def test_the_cheat_sheet_prints_on_two_a4_pages(printed: Path):
    from pypdf import PdfReader

    pages = PdfReader(printed).pages
    assert 0 < len(pages) <= MAX_PAGES, f"the cheat sheet prints on {len(pages)} A4 pages"


def test_the_printed_pages_hold_every_block(printed: Path):
    """Two pages that lost a part (cut off, or hidden by print CSS) would pass the count."""
    from pypdf import PdfReader

    text = " ".join(page.extract_text() or "" for page in PdfReader(printed).pages)
    headings = (
        "Kubernetes",
        "GPUs and training",
        "Serving and LLMs",
        "Distributed systems",
        "MLOps",
        "Reliability and the interview",
    )
    for heading in headings:
        assert heading in text
    facts = (
        "CrashLoopBackOff",
        "numLateRecordsDropped",
        "43.2 min",
        "14.4",
        "TTFT",
        "Point in time",
        "STAR",
    )
    for fact in facts:
        assert fact in text
