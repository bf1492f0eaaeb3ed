"""Notebook search entries without prompts and copy buttons (overrides/hooks/notebook_search.py)."""

from __future__ import annotations

import json

import pytest

from overrides.hooks import notebook_search
from tests.docs.pages import SITE

CELL = (
    '<div class="jp-InputPrompt jp-InputArea-prompt">In [4]:</div>'
    '<div class="zeroclipboard-container"><clipboard-copy for="cell-4">'
    '<span class="notice" hidden="">Copied!</span></clipboard-copy></div>'
    '<div class="highlight-ipynb hl-python"><pre>spark.stop()</pre></div>'
    '<div class="jp-OutputPrompt jp-OutputArea-prompt">Out[4]:</div>'
)


def test_prompts_and_copy_buttons_are_marked_and_the_cell_is_not():
    html = notebook_search.exclude_prompts_and_buttons(CELL)
    assert html.count("data-search-exclude") == 3
    assert '<div class="highlight-ipynb hl-python"><pre>spark.stop()' in html
    assert html.replace(" data-search-exclude", "") == CELL


# The built site (nox -s docs builds it before these run).


@pytest.fixture(scope="module")
def lab_entries() -> list[dict]:
    index = SITE / "search" / "search_index.json"
    assert index.is_file(), f"no {index}: run `mkdocs build --strict` (nox -s docs does)"
    docs = json.loads(index.read_text(encoding="utf-8"))["docs"]
    return [d for d in docs if d["location"].startswith("labs/") and "index" not in d["location"]]


def test_lab_search_entries_hold_code_but_no_prompts_or_button_labels(lab_entries):
    assert len(lab_entries) > 10
    text = " ".join(entry["text"] for entry in lab_entries)
    assert "spark" in text and "import" in text  # the cells are still searchable
    assert "Copied!" not in text
    assert "In [" not in text and "Out[" not in text
