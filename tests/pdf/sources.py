"""What the Markdown sources say the PDF and the offline site must show.

Shared by the PDF and offline-zip tests: the pages of the nav, their titles, and the first
words of every content tab and every collapsible block (which a PDF must print open).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

# GUIDE_ROOT lets the tests check a build made from another checkout of the guide.
ROOT = Path(os.environ.get("GUIDE_ROOT") or Path(__file__).resolve().parents[2])
DOCS = ROOT / "docs"
DIST = ROOT / "dist"
PDF = Path(os.environ.get("GUIDE_PDF") or DIST / "field-guide.pdf")
OFFLINE_ZIP = Path(os.environ.get("GUIDE_OFFLINE_ZIP") or DIST / "field-guide-offline.zip")

BLOCK_START = re.compile(
    r"^(?P<indent>\s*)(?:===|\?\?\?\+?)\s+"
    r'(?:"(?P<tab>[^"]*)"|(?P<kind>\w+)(?:\s+"(?P<title>[^"]*)")?)'
)
WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]+")


class _Loader(yaml.SafeLoader):
    """mkdocs.yml with its `!!python/...` tags read as plain values."""


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: suffix)


def load_yaml(name: str) -> dict:
    return yaml.load((ROOT / name).read_text(), Loader=_Loader)


def nav_pages(nav=None) -> list[str]:
    """The Markdown files of the nav, in reading order."""
    nav = load_yaml("mkdocs.yml")["nav"] if nav is None else nav
    found: list[str] = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            found.extend(nav_pages(value))
        elif isinstance(value, str) and value.endswith((".md", ".ipynb")):
            found.append(value)
    return found


def page_title(markdown: str) -> str | None:
    """A page's H1 as the reader sees it (code spans and links reduced to their text)."""
    match = re.search(r"^# (.+)$", markdown, re.M)
    return plain(match[1]) if match else None


def plain(text: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[`*]", "", text)
    # `_` separates words in the PDF's text too (feature_pipeline reads as two words there).
    text = text.replace("_", " ")
    return " ".join(text.split())


def first_words(text: str, count: int = 4) -> str | None:
    words = WORD.findall(plain(text))
    return " ".join(words[:count]) if len(words) >= 2 else None


def blocks(markdown: str) -> list[tuple[str, str, str | None]]:
    """Every content tab (`=== "Label"`) and collapsible (`???`) block of a page:
    (kind, label or title, first words of the body's first paragraph of prose)."""
    lines = markdown.splitlines()
    found = []
    for number, line in enumerate(lines):
        match = BLOCK_START.match(line)
        if not match:
            continue
        kind = "tab" if match["tab"] is not None else "details"
        label = match["tab"] if kind == "tab" else (match["title"] or match["kind"].title())
        indent = len(match["indent"]) + 4
        body = None
        for following in lines[number + 1 :]:
            if not following.strip():
                continue
            if len(following) - len(following.lstrip()) < indent:
                break
            stripped = following.strip()
            if stripped.startswith(("```", "--8<--", "===", "???", "!!!", "|", "<", "#")):
                break  # a code block, a nested block or a table: no prose to look for
            body = first_words(stripped)
            break
        found.append((kind, plain(label), body))
    return found


def markdown_of_nav() -> dict[str, str]:
    return {page: (DOCS / page).read_text("utf-8") for page in nav_pages() if page.endswith(".md")}


def normalise(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())
