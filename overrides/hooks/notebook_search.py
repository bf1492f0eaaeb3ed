"""A notebook's search entries hold its cells, not its prompts and copy buttons.

mkdocs-jupyter writes an `In [4]:` prompt and a copy button (with its hidden "Copied!" notice)
before every cell, so a search for "skew" showed "In [4]: Copied! spark = ..." in the Spark
lab's result. Material's search plugin leaves out any element marked `data-search-exclude`;
these are marked before it indexes the page. The page looks and works the same.
"""

from __future__ import annotations

import re

NOT_CONTENT = re.compile(
    r'<div class="(zeroclipboard-container|jp-InputPrompt jp-InputArea-prompt'
    r'|jp-OutputPrompt jp-OutputArea-prompt)"'
)


def exclude_prompts_and_buttons(html: str) -> str:
    return NOT_CONTENT.sub(r'<div class="\1" data-search-exclude', html)


def on_page_content(html, page, config, files):
    if page.file.src_uri.endswith(".ipynb"):
        return exclude_prompts_and_buttons(html)
    return html
