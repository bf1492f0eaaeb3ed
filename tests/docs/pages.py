from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
# GUIDE_SITE: test another build (e.g. a helper's /tmp folder) than site/.
SITE = Path(os.environ.get("GUIDE_SITE") or ROOT / "site")


def markdown_pages() -> list[Path]:
    """Every Markdown page of the site (docs/includes/ holds fragments, checked where included)."""
    return sorted(p for p in DOCS.rglob("*.md") if "includes" not in p.relative_to(DOCS).parts)
