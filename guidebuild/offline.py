"""Zip a built site for reading offline: `python -m guidebuild.offline [--site DIR]`.

The site (`python -m guidebuild.site --out dist/offline-site --diagrams draw`, the same folder
the Pages workflow publishes) already works from file://: the offline plugin
inlines the search index and turns off directory URLs, Mermaid and the search worker's shim are
served by the site itself, and no font comes from outside. This only checks that and packs the
site into one folder inside the zip, with a README saying which file to open. A button whose
file the zip does not hold (the PDF and the zip itself, which the Pages workflow adds beside the
site) is left out of the zipped pages, so nothing in the zip leads nowhere. Entries are sorted
and dated SOURCE_DATE_EPOCH (or 1980-01-01), so the same site gives the same zip.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import posixpath
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

from guidebuild.errors import BuildError
from guidebuild.paths import OFFLINE_SITE, OFFLINE_ZIP

FOLDER = "ml-platform-field-guide"
README = """The ML Platform Engineer's Field Guide, offline edition
=======================================================

Open {folder}/index.html in a web browser. Search, diagrams and every page work without a
network connection; nothing is fetched from outside these files.
"""


def check_offline_build(site: Path) -> None:
    if not (site / "index.html").is_file():
        raise BuildError(
            f"{site} holds no built site (no index.html): build it first (`nox -s offline` does)"
        )
    if not (site / "search" / "search_index.js").is_file():
        raise BuildError(
            f"{site}/search/search_index.js is missing: the site was not built with the "
            "`offline` plugin (mkdocs.yml), so search would not work from file://"
        )
    if not any(site.glob("*/index.html")) and not any(p.suffix == ".html" for p in site.iterdir()):
        raise BuildError(f"{site} has no HTML pages")


BUTTON = re.compile(r'<a class="md-button[^"]*" href="(?P<href>[^"#?:]+)"[^>]*>.*?</a>\s?', re.S)


def without_missing_buttons(page: str, html: str, names: set[str]) -> tuple[str, list[str]]:
    """`html` of `page` (site-relative) without the buttons whose file is not in `names`."""
    dropped: list[str] = []

    def keep_or_drop(match: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), match["href"]))
        if target in names:
            return match.group(0)
        dropped.append(target)
        return ""

    return BUTTON.sub(keep_or_drop, html), dropped


DOWNLOADS = re.compile(
    r'<div class="downloads" data-offline="(?P<text>[^"]*)"[^>]*>(?P<body>.*?)</div>', re.S
)
CANONICAL = re.compile(r'<link rel="canonical" href="(?P<href>[^"]+)"')


def offline_downloads(html: str, dropped: list[str]) -> str:
    """A downloads block that lost buttons says, in its `data-offline` words, where they are:
    the web edition, whose address is the page's canonical link (mkdocs.yml's site_url)."""
    if not dropped:
        return html
    canonical = CANONICAL.search(html)
    where = (
        f' <a href="{canonical["href"]}">{canonical["href"]}</a>' if canonical is not None else ""
    )
    return DOWNLOADS.sub(
        lambda m: (
            f'<div class="downloads"><p>{m["text"]}{where}</p></div>'
            if "<div" not in m["body"]
            else m.group(0)
        ),
        html,
    )


def zip_time() -> tuple[int, int, int, int, int, int]:
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))  # 1980-01-01, zip's minimum
    stamp = dt.datetime.fromtimestamp(max(epoch, 315532800), dt.UTC)
    return (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)


def build(site: Path, out: Path) -> dict[str, Any]:
    check_offline_build(site)
    # 404.html is for a web server (its links start at the site's root path); from disk, a
    # missing page is the browser's own error.
    files = sorted(
        p for p in site.rglob("*") if p.is_file() and p != out and p != site / "404.html"
    )
    stamp = zip_time()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        readme = zipfile.ZipInfo("README.txt", stamp)
        readme.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(readme, README.format(folder=FOLDER))
        names = {path.relative_to(site).as_posix() for path in files}
        dropped: set[str] = set()
        for path in files:
            name = path.relative_to(site).as_posix()
            info = zipfile.ZipInfo(f"{FOLDER}/{name}", stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            data = path.read_bytes()
            if path.suffix == ".html":
                html, missing = without_missing_buttons(name, data.decode("utf-8"), names)
                html = offline_downloads(html, missing)
                data, dropped = html.encode("utf-8"), dropped | set(missing)
            zf.writestr(info, data)
    partial.replace(out)
    return {"files": len(files), "bytes": out.stat().st_size, "dropped": sorted(dropped)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--site", type=Path, default=OFFLINE_SITE)
    parser.add_argument("--out", type=Path, default=OFFLINE_ZIP)
    args = parser.parse_args(argv)
    try:
        result = build(args.site.resolve(), args.out.resolve())
    except BuildError as error:
        print(f"build_offline: {error}", file=sys.stderr)
        return 1
    print(
        f"build_offline: wrote {args.out} ({result['files']} files, {result['bytes'] / 1e6:.1f} MB)"
        + (
            f"; buttons left out (not in the zip): {', '.join(result['dropped'])}"
            * bool(result["dropped"])
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
