"""Compare the MkDocs build of the guide with Zensical's build of the same mkdocs.yml, and write
what Zensical keeps and loses as a short Markdown report: `python -m guidebuild.zensical
--mkdocs-site site --zensical-site dist/zensical-site --report dist/zensical/report.md`. Pages
are matched by their source path, whichever URL style each build used (`page.html` or
`page/index.html`). Every feature is read from the built HTML and files, never assumed: a page
feature counts as kept when each page that has it in the MkDocs build has it in Zensical's too.
The only statement taken from elsewhere is the PDF's, from Zensical's plugin documentation. A
missing site folder is an error (exit 2); a lost feature is a finding, not a failure.
"""

from __future__ import annotations

import argparse
import posixpath
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

PLUGINS_DOC = "https://zensical.org/docs/compatibility/mkdocs/plugins/"
MIGRATION_DOC = "https://zensical.org/docs/compatibility/mkdocs/migration/#unsupported-settings"

GENERATOR = re.compile(r'<meta name="generator" content="([^"]*)"')
QUIZ = re.compile(r'<div class="quiz[" ]|\bdata-quiz\b')
# pymdownx.snippets markers that reached the page; `<` may come out escaped.
RAW_SNIPPET = re.compile(r"-{1,}8(?:<|&lt;)-{1,}")
VERIFIED_WITH = re.compile(r'(?:<p class="admonition-title">|<summary>)Verified with')
RAW_VERSIONS = re.compile(r"<!-- md:versions\b")
GLOSSARY_TABLE = re.compile(r"<th>Abbreviation</th>")
RAW_GLOSSARY = re.compile(r"<!-- md:glossary\b")
COPY_BUTTON = re.compile(r'data-md-type="copy"')
CODE_BLOCK = re.compile(r"<pre\b")
NOTEBOOK_CELL = re.compile(r'class="jp-Cell\b')
DIAGRAM = re.compile(r'class="mermaid"')
PRERENDERED = re.compile(r'class="mermaid" data-prerendered')
MERMAID_SCRIPT = re.compile(r"""["']([^"'\s]*mermaid[^"'\s]*\.js)["']""")
SCRIPT_SRC = re.compile(r'<script[^>]*\bsrc="([^"]*)"')
CONFIG_JSON = re.compile(r'<script id="__config"[^>]*>(.*?)</script>', re.S)


class MissingSite(Exception):
    """A site folder that does not exist or holds no built page."""


@dataclass(frozen=True)
class Site:
    root: Path
    # page key (see page_key) -> the page's path in the site, and its HTML
    pages: dict[str, tuple[str, str]]

    def html(self, key: str) -> str:
        return self.pages[key][1] if key in self.pages else ""

    def having(self, pattern: re.Pattern[str]) -> set[str]:
        return {key for key, (_, html) in self.pages.items() if pattern.search(html)}

    def has_file(self, relative: str) -> bool:
        return (self.root / relative).is_file()


@dataclass(frozen=True)
class Row:
    feature: str
    mkdocs: str
    zensical: str
    kept: bool | None  # None: the MkDocs build does not have it either


def page_key(relative: str) -> str:
    """The source a page was built from, without its extension, for either URL style:
    `labs/lab.html` and `labs/lab/index.html` are `labs/lab`, `labs/index.html` is `labs`."""
    key = relative.removesuffix(".html")
    if key == "index":
        return ""
    return key.removesuffix("/index")


def load_site(root: Path) -> Site:
    if not root.is_dir():
        raise MissingSite(f"site folder {root} does not exist: build it first")
    pages = {
        page_key(path.relative_to(root).as_posix()): (
            path.relative_to(root).as_posix(),
            path.read_text("utf-8", errors="replace"),
        )
        for path in sorted(root.rglob("*.html"))
        if path.relative_to(root).parts[0] != "assets"
    }
    if not pages:
        raise MissingSite(f"site folder {root} holds no HTML page: build it first")
    return Site(root, pages)


def source_names(docs: Path) -> dict[str, str]:
    """Page key -> source file under docs/ (`labs/lab.ipynb`), to name pages in the report."""
    names: dict[str, str] = {}
    for path in sorted(docs.rglob("*")):
        if path.suffix in {".md", ".ipynb"}:
            source = path.relative_to(docs).as_posix()
            stem = source.rsplit(".", 1)[0]
            key = "" if stem in {"index", "README"} else stem
            names.setdefault(key.removesuffix("/index").removesuffix("/README"), source)
    return names


def generator(site: Site) -> str:
    match = GENERATOR.search(site.html(""))
    return match.group(1) if match else "unknown (no generator tag on index.html)"


def linked_file(site: Site, key: str, url: str) -> str | None:
    """The site file a page's relative URL points to, or None for an absolute URL."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    page_dir = posixpath.dirname(site.pages[key][0])
    return posixpath.normpath(posixpath.join(page_dir, unquote(parts.path)))


def page_count(count: int) -> str:
    return f"{count} page" + ("" if count == 1 else "s")


def listing(keys: Iterable[str], names: dict[str, str], limit: int = 6) -> str:
    shown = sorted(names.get(key, key or "index") for key in keys)
    more = f" and {len(shown) - limit} more" if len(shown) > limit else ""
    return ", ".join(f"`{name}`" for name in shown[:limit]) + more


def coverage(
    feature: str,
    mkdocs: Site,
    zensical: Site,
    has: Callable[[Site, str], bool],
    names: dict[str, str],
    leftover: re.Pattern[str] | None = None,
) -> Row:
    """A page feature: on which of the MkDocs build's pages with it Zensical's page has it too."""
    wanted = {key for key in mkdocs.pages if has(mkdocs, key)}
    if not wanted:
        return Row(feature, "none", "not compared", None)
    kept = {key for key in wanted if key in zensical.pages and has(zensical, key)}
    detail = f"{len(kept)}/{page_count(len(wanted))}"
    if wanted - kept:
        detail += f"; missing on {listing(wanted - kept, names)}"
    raw = zensical.having(leftover) if leftover else set()
    if raw:
        detail += f"; left as an HTML comment on {page_count(len(raw))}"
    return Row(feature, page_count(len(wanted)), detail, kept == wanted)


def matcher(pattern: re.Pattern[str]) -> Callable[[Site, str], bool]:
    return lambda site, key: bool(pattern.search(site.html(key)))


def has_copy_buttons(site: Site, key: str) -> bool:
    """Buttons written into the HTML, or Material's script adding them (content.code.copy)."""
    html = site.html(key)
    config = CONFIG_JSON.search(html)
    by_script = bool(config and '"content.code.copy"' in config.group(1))
    return bool(COPY_BUTTON.search(html)) or (by_script and bool(CODE_BLOCK.search(html)))


def has_notebook(site: Site, key: str) -> bool:
    return bool(NOTEBOOK_CELL.search(site.html(key)))


def self_contained_diagrams(site: Site, key: str) -> bool:
    """Diagrams drawn into the HTML, or drawn by a Mermaid script that the site itself serves."""
    html = site.html(key)
    if not DIAGRAM.search(html):
        return False
    if PRERENDERED.search(html) and '<pre class="mermaid">' not in html:
        return True
    for url in MERMAID_SCRIPT.findall(html):
        path = linked_file(site, key, url)
        if path is not None and site.has_file(path):
            return True
    return False


def snippets_row(mkdocs: Site, zensical: Site, names: dict[str, str]) -> Row:
    def state(site: Site) -> str:
        raw = site.having(RAW_SNIPPET)
        return f"`--8<--` left on {listing(raw, names)}" if raw else "all resolved"

    raw_before, raw_after = mkdocs.having(RAW_SNIPPET), zensical.having(RAW_SNIPPET)
    return Row("Snippet includes", state(mkdocs), state(zensical), raw_after <= raw_before)


def notebook_files(site: Site) -> int:
    return sum(1 for _ in site.root.rglob("*.ipynb"))


def notebooks_row(mkdocs: Site, zensical: Site, names: dict[str, str]) -> Row:
    row = coverage("Notebooks rendered (cells)", mkdocs, zensical, has_notebook, names)
    copied = notebook_files(zensical)
    if copied:
        row = Row(row.feature, row.mkdocs, f"{row.zensical}; {copied} raw .ipynb copied", row.kept)
    return row


def search_state(site: Site) -> tuple[bool, bool, str]:
    """(an index, usable from file://, how): file:// needs the index as a script and the
    iframe-worker shim (browsers start no worker from a file:// URL) served by the site."""
    candidates = ("search/search_index", "search")
    json_index = next((n for n in candidates if site.has_file(f"{n}.json")), None)
    script_index = next((n for n in candidates if site.has_file(f"{n}.js")), None)
    if json_index is None and script_index is None:
        return False, False, "no search index"
    how = f"index `{json_index or script_index}.json`"
    shims = [url for url in SCRIPT_SRC.findall(site.html("")) if "iframe-worker" in unquote(url)]
    local = [linked_file(site, "", url) for url in shims]
    served = [path for path in local if path is not None and site.has_file(path)]
    if script_index is None:
        return True, False, f"{how}; no script index for file://"
    if served:
        return True, True, f"{how} + `{script_index}.js`; shim `{served[0]}` served"
    if not shims:
        return True, False, f"{how} + `{script_index}.js`; no iframe-worker shim"
    if any(path is None for path in local):
        return True, False, f"{how} + `{script_index}.js`; shim from another host"
    shown = unquote(shims[0])[:70]
    return True, False, f"{how} + `{script_index}.js`; shim URL `{shown}...` not in the site"


def search_row(mkdocs: Site, zensical: Site) -> Row:
    _, before_offline, before = search_state(mkdocs)
    index, offline, after = search_state(zensical)
    return Row("Search (and from file://)", before, after, index and offline >= before_offline)


def seconds(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.1f} s"


def compare(
    mkdocs: Site,
    zensical: Site,
    names: dict[str, str],
    mkdocs_seconds: float | None = None,
    zensical_seconds: float | None = None,
) -> list[Row]:
    return [
        coverage('"Check yourself" quizzes', mkdocs, zensical, matcher(QUIZ), names),
        snippets_row(mkdocs, zensical, names),
        notebooks_row(mkdocs, zensical, names),
        coverage(
            'Version stamps ("Verified with")',
            mkdocs,
            zensical,
            matcher(VERIFIED_WITH),
            names,
            RAW_VERSIONS,
        ),
        coverage("Glossary table", mkdocs, zensical, matcher(GLOSSARY_TABLE), names, RAW_GLOSSARY),
        coverage("Copy buttons on code", mkdocs, zensical, has_copy_buttons, names),
        search_row(mkdocs, zensical),
        coverage(
            "Mermaid with no CDN (vendored or drawn)",
            mkdocs,
            zensical,
            self_contained_diagrams,
            names,
        ),
        Row(
            "PDF (print-site plugin, mkdocs.print.yml)",
            "separate build (`nox -s pdf`)",
            f"no equivalent: print-site is not among [the plugins Zensical reimplements]"
            f"({PLUGINS_DOC}), and unlisted plugins are ignored without a warning",
            False,
        ),
        Row("Build time", seconds(mkdocs_seconds), seconds(zensical_seconds), None),
    ]


def report(
    mkdocs: Site,
    zensical: Site,
    names: dict[str, str],
    mkdocs_seconds: float | None = None,
    zensical_seconds: float | None = None,
) -> str:
    missing = sorted(set(mkdocs.pages) - set(zensical.pages))
    extra = sorted(set(zensical.pages) - set(mkdocs.pages))
    mark = {True: "yes", False: "**no**", None: "-"}
    rows = compare(mkdocs, zensical, names, mkdocs_seconds, zensical_seconds)
    lines = [
        "# Zensical preview",
        "",
        f"Zensical: `{generator(zensical)}`; MkDocs build: `{generator(mkdocs)}`.",
        "",
        f"Pages: MkDocs {len(mkdocs.pages)}, Zensical {len(zensical.pages)}.",
        f"Missing from Zensical's build ({len(missing)}): {listing(missing, names, 50) or 'none'}.",
        f"Only in Zensical's build ({len(extra)}): {listing(extra, names, 50) or 'none'}.",
        "",
        "| Feature | MkDocs | Zensical | Kept |",
        "| --- | --- | --- | --- |",
        *(f"| {r.feature} | {r.mkdocs} | {r.zensical} | {mark[r.kept]} |" for r in rows),
        "",
        f"Zensical runs no MkDocs hooks ([`hooks` is unsupported]({MIGRATION_DOC})) and only "
        f"the plugins it reimplements ({PLUGINS_DOC}).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compare the MkDocs and Zensical builds.")
    parser.add_argument("--mkdocs-site", type=Path, default=Path("site"))
    parser.add_argument("--zensical-site", type=Path, default=Path("dist/zensical-site"))
    parser.add_argument("--report", type=Path, default=Path("dist/zensical/report.md"))
    parser.add_argument(
        "--docs", type=Path, default=Path("docs"), help="names pages by source (if it exists)"
    )
    parser.add_argument("--mkdocs-seconds", type=float, help="the MkDocs build's wall time")
    parser.add_argument("--zensical-seconds", type=float, help="the Zensical build's wall time")
    args = parser.parse_args(argv)
    try:
        mkdocs, zensical = load_site(args.mkdocs_site), load_site(args.zensical_site)
    except MissingSite as error:
        print(f"zensical report: {error}", file=sys.stderr)
        return 2
    names = source_names(args.docs) if args.docs.is_dir() else {}
    text = report(mkdocs, zensical, names, args.mkdocs_seconds, args.zensical_seconds)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(text, "utf-8")
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
