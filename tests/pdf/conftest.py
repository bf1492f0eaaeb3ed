"""The PDF (nox -s pdf) and the offline zip (nox -s offline) are built before these tests run."""

from __future__ import annotations

import pytest

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
