"""Lab pages (guidebuild/notebooks.py): only the JupyterLab CSS they use, and search entries
without prompts and copy buttons."""

from __future__ import annotations

import json
import re

import pytest

from guidebuild import notebooks
from tests.docs.pages import DOCS, SITE

SHEET = (
    ".jupyter-wrapper{--jp-comment: #2f6b6b}"
    ".jupyter-wrapper :root{--jp-icon: url(x.svg)}"
    ".jp-Cell .jp-InputArea{padding:0}"
    ".jp-Dialog{z-index:10}"
    ".jp-Cell:not(.jp-mod-active) .jp-InputPrompt{opacity:.5}"
    ".jp-Toolbar,.jp-Cell{margin:0}"
    "[data-md-color-scheme=slate] .jupyter-wrapper{--jp-comment: #9cc}"
    "@media (max-width:760px){.jp-Dialog{width:100%}.jp-Cell{margin:1px}}"
    "@media print{.jp-Dialog{display:none}}"
    "@font-face{font-family:x;src:url(x.woff)}"
)


def test_rules_for_classes_the_page_lacks_are_dropped():
    used = {"jupyter-wrapper", "jp-Cell", "jp-InputArea", "jp-InputPrompt"}
    assert notebooks.purge(SHEET, used) == (
        ".jupyter-wrapper{--jp-comment: #2f6b6b}"
        ".jp-Cell .jp-InputArea{padding:0}"
        ".jp-Cell:not(.jp-mod-active) .jp-InputPrompt{opacity:.5}"
        ".jp-Cell{margin:0}"
        "[data-md-color-scheme=slate] .jupyter-wrapper{--jp-comment: #9cc}"
        "@media (max-width:760px){.jp-Cell{margin:1px}}"
        "@font-face{font-family:x;src:url(x.woff)}"
    )


def test_the_selection_colour_goes_and_the_box_model_stays():
    sheet = (
        ".jupyter-wrapper ::selection{background:rgba(125,188,255,.6)}"
        ".jupyter-wrapper *,.jupyter-wrapper *:before{box-sizing:unset}"
    )
    assert notebooks.purge(sheet, {"jupyter-wrapper"}) == (
        ".jupyter-wrapper *,.jupyter-wrapper *:before{box-sizing:unset}"
    )


def test_only_large_blocks_are_touched():
    small = '<style type="text/css">.jp-Dialog{z-index:10}</style><p class="x">'
    assert notebooks.purge_page(small) == small


def test_the_pygments_css_written_as_a_python_list_is_dropped():
    unreadable = (
        "<style>\n['pre { line-height: 125%; }\\n.highlight-ipynb .k { color: green }']\n</style>"
    )
    html = f'<div class="jp-Cell"></div>\n        {unreadable}\n</article>'
    assert notebooks.purge_page(html) == '<div class="jp-Cell"></div>\n</article>'


def lab_pages():
    return sorted((SITE / "labs").glob("*.html")) if (SITE / "labs").is_dir() else []


@pytest.mark.parametrize("page", lab_pages(), ids=lambda p: p.name)
def test_built_lab_pages_keep_the_cell_styles_and_lose_the_rest(page):
    html = page.read_text(encoding="utf-8")
    styles = re.findall(r'<style type="text/css">(.*?)</style>', html, re.S)
    assert sum(map(len, styles)) < 120_000, f"{page.name}: inline CSS is back to JupyterLab's"
    if "jupyter-wrapper" in html:  # a notebook page (labs/index.html is Markdown)
        css = "".join(styles)
        assert ".jupyter-wrapper .jp-InputArea" in css or ".jp-InputArea" in css
        assert "--jp-mirror-editor-comment-color" in css
        assert ".jp-Dialog" not in css
        assert "<style>\n        ['" not in html and "<style>['" not in html
        assert ".highlight-ipynb .k {" in css  # the readable copy of the Pygments colours stays


def test_the_lab_pages_were_built():
    built = len(lab_pages())
    assert built == 1 + len(list((DOCS / "labs").glob("*.ipynb"))) == 8, (
        f"expected labs/index.html and seven notebook pages in site/, found {built}"
    )


CELL = (
    '<div class="jp-InputPrompt jp-InputArea-prompt">In [4]:</div>'
    '<div class="zeroclipboard-container"><clipboard-copy for="cell-4">'
    '<span class="notice" hidden="">Copied!</span></clipboard-copy></div>'
    '<div class="highlight-ipynb hl-python"><pre>spark.stop()</pre></div>'
    '<div class="jp-OutputPrompt jp-OutputArea-prompt">Out[4]:</div>'
)


def test_prompts_and_copy_buttons_are_marked_and_the_cell_is_not():
    html = notebooks.exclude_prompts_and_buttons(CELL)
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
