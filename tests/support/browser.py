"""One Chromium for every test that looks at a built site, the print page or the offline zip.

The machine's Chromium (guidebuild/browser.py finds it, or CHROMIUM), driven by Playwright,
launched once per test session when a test first asks for `chromium`, and always closed.
`site_page` serves a built site on 127.0.0.1 on a free port and opens a page of it at phone or
laptop size. Playwright is imported only when a test uses these, so the engine venvs, which
lack it, load this plugin for nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from guidebuild.browser import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def site_page(browser: Any, site: Path, *, phone: bool = False) -> Iterator[Any]:
    """A page of the site built in `site`, served on 127.0.0.1; `page.base` is the site's URL.

    `phone`: 390 x 844 at scale 1 as a touch device; otherwise a 1280 x 800 laptop."""
    from guidebuild.browser import serve

    if not (site / "index.html").is_file():
        pytest.fail(f"{site} holds no built site: run `nox -s docs` (or set GUIDE_SITE)")
    size = {"viewport": PHONE, "device_scale_factor": 1, "is_mobile": True, "has_touch": True}
    with serve(site) as base:
        context = browser.new_context(**(size if phone else {"viewport": LAPTOP}))
        try:
            page = context.new_page()
            page.base = base
            yield page
        finally:
            context.close()
