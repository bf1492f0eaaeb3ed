"""A lab's figures are files next to its page, not base64 inside it (a post-build step).

mkdocs-jupyter writes each plot into the HTML as a `data:image/png;base64,...` address, and a
phone waits for the whole page before its first paint. Each figure becomes
`<page>-figure-<n>.png` beside the page, loaded lazily, with its size in the tag so nothing moves
when it arrives. Its alt text comes from its cell's metadata (`"alt"`): nbconvert's "No
description has been provided for this image" tells a screen reader nothing, so a figure
without one is a BuildError naming the notebook and the cell. The print page keeps its figures
inline: it is not a notebook's page.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
import struct
from pathlib import Path, PurePosixPath

from guidebuild.errors import BuildError
from guidebuild.paths import DOCS

INLINE_PNG = re.compile(r'(<img\b[^>]*?) src="data:image/png;base64,([A-Za-z0-9+/=\s]+)"')
ALT = re.compile(r'\salt="[^"]*"')
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG's header chunk (IHDR comes first, by the PNG spec)."""
    if data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def figure_alts(notebook: Path) -> list[str]:
    """The alt text of each PNG output, in order, from its cell's metadata."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    alts: list[str] = []
    for number, cell in enumerate(cells, 1):
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                alt = cell.get("metadata", {}).get("alt")
                if not alt:
                    raise BuildError(
                        f"figures: {notebook.name}, cell {number}: a figure without alt "
                        'text; add "alt": "<what the figure shows>" to the cell\'s metadata'
                    )
                alts.append(alt)
    return alts


def externalise_figures(
    page_html: str, page_dest: str, alts: list[str]
) -> tuple[str, dict[str, bytes]]:
    """The page with each inline PNG replaced by a file address and given its alt text, and
    the files to write (site-relative path -> bytes)."""
    found = len(INLINE_PNG.findall(page_html))
    if found != len(alts):
        raise BuildError(
            f"figures: {page_dest} shows {found} inline figures, its notebook has "
            f"{len(alts)}; rebuild after re-running the notebook"
        )
    dest = PurePosixPath(page_dest)
    files: dict[str, bytes] = {}

    def replace(match: re.Match[str]) -> str:
        tag, encoded = match.groups()
        try:
            data = base64.b64decode("".join(encoded.split()), validate=True)
            width, height = png_size(data)
        except (binascii.Error, ValueError) as error:
            raise BuildError(
                f"figures: {page_dest}: figure {len(files) + 1} is not a readable PNG "
                f"({error}); re-run the notebook to write its outputs again"
            ) from error
        alt = html.escape(alts[len(files)], quote=True)
        name = f"{dest.stem}-figure-{len(files) + 1}.png"
        files[str(dest.parent / name)] = data
        tag = ALT.sub("", tag)
        return f'{tag} alt="{alt}" src="{name}" width="{width}" height="{height}" loading="lazy"'

    return INLINE_PNG.sub(replace, page_html), files


def notebook_pages(site: Path, docs: Path = DOCS) -> dict[Path, Path]:
    """Each notebook's built page in `site` (with or without directory URLs) -> the notebook."""
    found = {}
    for notebook in sorted(docs.rglob("*.ipynb")):
        stem = notebook.relative_to(docs).with_suffix("")
        for page in (site / stem.with_suffix(".html"), site / stem / "index.html"):
            if page.is_file():
                found[page] = notebook
    return found


def write_figure_files(site: Path, docs: Path = DOCS) -> int:
    """Externalise the figures of every notebook page of `site`; the number of files written."""
    written = 0
    for page, notebook in notebook_pages(site, docs).items():
        dest = page.relative_to(site).as_posix()
        alts = figure_alts(notebook)
        html = page.read_text("utf-8")
        if not INLINE_PNG.search(html) and html.count(f"{page.stem}-figure-") == len(alts):
            continue  # this site went through the post-build step already
        html, files = externalise_figures(html, dest, alts)
        for relative, data in files.items():
            (site / relative).write_bytes(data)
        page.write_text(html, "utf-8")
        written += len(files)
    return written
