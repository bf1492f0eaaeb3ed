"""Notebook pages keep only the CSS they use.

mkdocs-jupyter writes all of JupyterLab's stylesheet into every notebook page: 574 KB of inline
CSS (widgets, dialogs, toolbars, drag images) for a page that shows cells, outputs and a table
or two. A phone parses and matches all of it before the first paint (Lighthouse measured the
lab pages at 3.5 s to first paint on its mobile profile). This drops each rule whose
selector names a class that appears nowhere in the notebook's HTML, the way PurgeCSS does,
from the large inline style blocks only. Custom properties (`--jp-*` colours), @font-face and
@keyframes are kept; the small blocks (Pygments colours, the page's own scripts' styles) are
left as they are.

mkdocs-jupyter's template also writes the Pygments colours a second time, at the end of the
notebook, as the repr of a Python list (`<style>['pre { ... }\\n.highlight-ipynb ...']</style>`).
No browser can read a rule of it (`\\n` turns each selector into `n.highlight-ipynb`); the page
looks the same without it, and a style sheet that late restyles every element parsed before it
(1,800 on the p99 lab). That block is dropped.
"""

from __future__ import annotations

import re

try:  # MkDocs loads a hook as a file, with the hook's folder on sys.path
    import css_purge
except ImportError:  # the tests import the hooks as a package
    from overrides.hooks import css_purge

# Only blocks this large are JupyterLab's stylesheet; smaller ones are left alone.
LARGE_BLOCK = 20_000
STYLE_BLOCK = re.compile(r'(<style type="text/css">)(.*?)(</style>)', re.S)
LIST_REPR_STYLE_BLOCK = re.compile(r"\s*<style>\s*\['.*?'\]\s*</style>", re.S)


def selector_can_match(selector: str, classes: set[str]) -> bool:
    # Material's script adds md-* classes at run time (a table gets .md-typeset__scrollwrap),
    # so a rule about one of them is kept whether or not the HTML has it yet.
    # `:root` is the <html> element: `.jupyter-wrapper :root` (80 KB of icon variables in
    # JupyterLab's sheet, scoped by nbconvert's wrapper) matches nothing.
    bare = css_purge.bare(selector)
    if ":root" in bare and not bare.startswith(":root"):
        return False
    # `.jupyter-wrapper ::selection` (a blue selection colour) makes the browser style a
    # selection pseudo-element for every element of the notebook: a full restyle of the p99
    # lab took 31 ms instead of 21 ms (Chromium, unthrottled; Material restyles the page twice
    # as it starts). Text selected in a notebook takes the browser's colour, as elsewhere.
    if "::selection" in bare:
        return False
    return all(
        name in classes or name.startswith("md-") for name in css_purge.required_classes(selector)
    )


def purge(css: str, classes: set[str]) -> str:
    """`css` without the rules (and selectors) that cannot match an element of the page.
    Every notebook page carries the same sheet, so css_purge parses it once per build."""
    return css_purge.purge(css, lambda selector: selector_can_match(selector, classes))


def purge_page(html: str) -> str:
    classes = css_purge.html_classes(html)

    def replace(match: re.Match) -> str:
        opening, css, closing = match.groups()
        if len(css) < LARGE_BLOCK:
            return match.group(0)
        return opening + purge(css, classes) + closing

    return STYLE_BLOCK.sub(replace, LIST_REPR_STYLE_BLOCK.sub("", html))


def on_page_content(html, page, config, files):
    # The notebook's HTML, before the search plugin indexes it and the theme wraps it.
    if page.file.src_uri.endswith(".ipynb"):
        return purge_page(html)
    return html
