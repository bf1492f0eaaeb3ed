"""Where the build reads and writes, relative to the repository root."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
OVERRIDES = ROOT / "overrides"
DIST = ROOT / "dist"
SITE = ROOT / "site"
PRINT_CONFIG = ROOT / "mkdocs.print.yml"
PRINT_SITE = DIST / "print-site"
OFFLINE_SITE = DIST / "offline-site"
PAGES_SITE = DIST / "pages"
PDF = DIST / "field-guide.pdf"
OFFLINE_ZIP = DIST / "field-guide-offline.zip"
DECK = DIST / "field-guide-flashcards.apkg"
CACHE = ROOT / ".cache"
