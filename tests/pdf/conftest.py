"""The PDF (nox -s pdf) and the offline zip (nox -s offline) are built before these tests run."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from guidebuild.browser import OPEN_SHADOW_ROOTS
from tests.pdf.sources import OFFLINE_ZIP, PDF


@pytest.fixture(scope="session")
def pdf_reader():
    from pypdf import PdfReader

    if not PDF.is_file():
        pytest.fail(f"{PDF} does not exist: build it with `nox -s pdf`")
    return PdfReader(PDF)


@pytest.fixture(scope="session")
def pdf_pages_text(pdf_reader) -> list[str]:
    return [page.extract_text() or "" for page in pdf_reader.pages]


@pytest.fixture(scope="session")
def offline_zip():
    if not OFFLINE_ZIP.is_file():
        pytest.fail(f"{OFFLINE_ZIP} does not exist: build it with `nox -s offline`")
    return OFFLINE_ZIP


# What a page opened from disk may load; anything else is blocked and recorded.
LOCAL = ("file:", "data:", "blob:", "about:")


@pytest.fixture(scope="session")
def offline_site(offline_zip, tmp_path_factory) -> Path:
    """The zip, unpacked once: the one folder it holds."""
    target = tmp_path_factory.mktemp("offline")
    with zipfile.ZipFile(offline_zip) as archive:
        names = archive.namelist()
        assert "README.txt" in names
        archive.extractall(target)
    roots = [p for p in target.iterdir() if p.is_dir()]
    assert len(roots) == 1, f"the zip should hold one folder, holds {roots}"
    assert (roots[0] / "index.html").is_file()
    return roots[0]


@pytest.fixture
def offline_page(chromium):
    """A page whose every non-file request is blocked; `.external` lists those requests and
    `.errors` the page's uncaught script errors."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(OPEN_SHADOW_ROOTS)
    external: list[str] = []

    def route(route):
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.external = external
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
