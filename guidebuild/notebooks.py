"""What a lab page (a notebook rendered by mkdocs-jupyter) needs besides its cells.

- Its meta description comes from the notebook's metadata (`description`), as Markdown pages
  take theirs from front matter.
- Its search entries hold cells, not the `In [4]:` prompts and copy buttons mkdocs-jupyter
  writes before each cell: those are marked `data-search-exclude`, which Material's search
  plugin honours.
- It keeps only the CSS it uses. mkdocs-jupyter inlines all of JupyterLab's stylesheet into
  every notebook page; rules naming a class the page never uses are dropped, PurgeCSS-style,
  from the large inline blocks only (custom properties, @font-face and @keyframes stay). The
  template's second copy of the Pygments colours, written as a Python list repr that no browser
  can parse, is dropped too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from guidebuild import css_purge

# Only blocks this large are JupyterLab's stylesheet; smaller ones are left alone.
LARGE_BLOCK = 20_000
STYLE_BLOCK = re.compile(r'(<style type="text/css">)(.*?)(</style>)', re.S)
LIST_REPR_STYLE_BLOCK = re.compile(r"\s*<style>\s*\['.*?'\]\s*</style>", re.S)
NOT_CONTENT = re.compile(
    r'<div class="(zeroclipboard-container|jp-InputPrompt jp-InputArea-prompt'
    r'|jp-OutputPrompt jp-OutputArea-prompt)"'
)


def is_notebook(src_uri: str) -> bool:
    return src_uri.endswith(".ipynb")


def notebook_description(notebook: Path) -> str | None:
    metadata = json.loads(notebook.read_text(encoding="utf-8")).get("metadata", {})
    description = metadata.get("description")
    return str(description) if description else None


def exclude_prompts_and_buttons(html: str) -> str:
    return NOT_CONTENT.sub(r'<div class="\1" data-search-exclude', html)


def selector_can_match(selector: str, classes: set[str]) -> bool:
    # Material's script adds md-* classes at run time (a table gets .md-typeset__scrollwrap),
    # so a rule about one of them is kept whether or not the HTML has it yet.
    bare = css_purge.bare(selector)
    # `:root` is <html>, so `.jupyter-wrapper :root` (JupyterLab's icon variables) matches nothing.
    if ":root" in bare and not bare.startswith(":root"):
        return False
    # A ::selection rule makes the browser style a pseudo-element for every element of the
    # notebook on each restyle; selected text takes the browser's colour, as elsewhere.
    if "::selection" in bare:
        return False
    return all(
        name in classes or name.startswith("md-") for name in css_purge.required_classes(selector)
    )


def purge(css: str, classes: set[str]) -> str:
    """`css` without the rules (and selectors) that cannot match an element of the page."""
    return css_purge.purge(css, lambda selector: selector_can_match(selector, classes))


def purge_page(html: str) -> str:
    classes = css_purge.html_classes(html)

    def replace(match: re.Match[str]) -> str:
        opening, css, closing = match.groups()
        if len(css) < LARGE_BLOCK:
            return match.group(0)
        return opening + purge(css, classes) + closing

    return STYLE_BLOCK.sub(replace, LIST_REPR_STYLE_BLOCK.sub("", html))


def notebook_content(html: str) -> str:
    """A notebook page's content as the site shows and indexes it."""
    return exclude_prompts_and_buttons(purge_page(html))
