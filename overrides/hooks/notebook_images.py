"""A notebook's figures are files next to its page, not base64 inside it.

mkdocs-jupyter writes each plot into the HTML as a `data:image/png;base64,...` address. The SLO
lab's one figure made half of its 336 KB page, and the first paint waits for the whole page:
Lighthouse's mobile profile (1.6 Mbit/s) measured 1.8 s to first contentful paint, against
1.2 s on chapter pages of 150 KB. Each figure is written to `<page>-figure-<n>.png` beside the
page and loaded lazily, with its size in the tag so that nothing moves when it arrives.

Each figure's alt text comes from its cell's metadata (`"alt"`): nbconvert writes "No
description has been provided for this image" for every plot, which tells a screen reader
nothing. A figure without one fails the build, naming the notebook and the cell.

Only the built site changes: the print build's single page keeps the figures inline (the PDF
has no separate files), and the search index never held them.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
import struct
from pathlib import Path, PurePosixPath

from mkdocs.exceptions import PluginError

INLINE_PNG = re.compile(r'(<img\b[^>]*?) src="data:image/png;base64,([A-Za-z0-9+/=\s]+)"')
ALT = re.compile(r'\salt="[^"]*"')
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG's header chunk (IHDR comes first, by the PNG spec)."""
    if data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return struct.unpack(">II", data[16:24])


def figure_alts(notebook: Path) -> list[str]:
    """The alt text of each PNG output, in order, from its cell's metadata."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    alts = []
    for number, cell in enumerate(cells, 1):
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                alt = cell.get("metadata", {}).get("alt")
                if not alt:
                    raise PluginError(
                        f"notebook_images: {notebook.name}, cell {number}: a figure without alt "
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
        raise PluginError(
            f"notebook_images: {page_dest} shows {found} inline figures, its notebook has "
            f"{len(alts)}; rebuild after re-running the notebook"
        )
    dest = PurePosixPath(page_dest)
    files: dict[str, bytes] = {}

    def replace(match: re.Match) -> str:
        tag, encoded = match.groups()
        try:
            data = base64.b64decode("".join(encoded.split()), validate=True)
            width, height = png_size(data)
        except (binascii.Error, ValueError) as error:
            raise PluginError(
                f"notebook_images: {page_dest}: figure {len(files) + 1} is not a readable PNG "
                f"({error}); re-run the notebook to write its outputs again"
            ) from error
        alt = html.escape(alts[len(files)], quote=True)
        name = f"{dest.stem}-figure-{len(files) + 1}.png"
        files[str(dest.parent / name)] = data
        tag = ALT.sub("", tag)
        return f'{tag} alt="{alt}" src="{name}" width="{width}" height="{height}" loading="lazy"'

    return INLINE_PNG.sub(replace, page_html), files


def on_post_page(output: str, page, config) -> str:
    if not page.file.src_uri.endswith(".ipynb"):
        return output
    alts = figure_alts(Path(page.file.abs_src_path))
    output, files = externalise_figures(output, page.file.dest_uri, alts)
    for relative, data in files.items():
        target = Path(config["site_dir"]) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return output
