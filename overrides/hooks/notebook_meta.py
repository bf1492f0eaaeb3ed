"""A notebook page's meta description comes from its notebook metadata ("description").

Markdown pages set it in front matter; mkdocs-jupyter pages have none, so without this every
lab would repeat the site's description.
"""

from __future__ import annotations

import json
from pathlib import Path


def on_page_context(context, page, config, nav):
    if page.file.src_uri.endswith(".ipynb") and not page.meta.get("description"):
        notebook = json.loads(Path(page.file.abs_src_path).read_text(encoding="utf-8"))
        if description := notebook.get("metadata", {}).get("description"):
            page.meta["description"] = description
    return context
