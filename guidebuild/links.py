"""Every link of a built site: `python -m guidebuild.links [--site DIR] [--report FILE]`.

`mkdocs build --strict` validates the links written in Markdown, but not those in HTML that hooks
and notebooks emit (quizzes, version badges, notebook cells). This reads the built HTML instead:
every internal `<a href>` must name a file of the site and, with a `#fragment`, an id on that
page. External links are listed in a report (page by page), never fetched: the build runs with
no network, and a link checker that fails on a remote site's outage would make the build flaky.
Exits 1 and names page and href when an internal link is broken.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from guidebuild.paths import DIST, ROOT, SITE

# Written by the build itself for the browser, not links a reader follows.
IGNORED_PREFIXES = ("mailto:", "javascript:", "data:", "tel:")
# Files published beside the site (publish.py copies them in): the home page links them, and
# tests/docs/test_links.py checks that publish.py copies each one.
PUBLISHED_LATER = "downloads/"


def site_path() -> str:
    """The path part of mkdocs.yml's site_url (`/field-guide/`): the 404 page links absolutely,
    because it is served at whatever address was missed."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    found = re.search(r"^site_url:\s*(\S+)", text, re.M)
    return urlsplit(found.group(1)).path if found else "/"


@dataclass(frozen=True)
class Link:
    page: str  # site-relative path of the page holding the link
    href: str


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name"):
            if (value := values.get(key)) and (key == "id" or tag == "a"):
                self.ids.add(value)
        if tag == "a" and (href := values.get("href")):
            self.hrefs.append(href)


def _parse(page: Path) -> _Page:
    parsed = _Page()
    parsed.feed(page.read_text(encoding="utf-8"))
    return parsed


def is_external(href: str) -> bool:
    parts = urlsplit(href)
    return bool(parts.scheme or parts.netloc)


def collect(site: Path) -> tuple[list[Link], dict[str, set[str]], list[Link]]:
    """(internal links, ids per page, external links) of every HTML page under `site`."""
    internal: list[Link] = []
    external: list[Link] = []
    ids: dict[str, set[str]] = {}
    for path in sorted(site.rglob("*.html")):
        name = path.relative_to(site).as_posix()
        parsed = _parse(path)
        ids[name] = parsed.ids
        for href in parsed.hrefs:
            if href.startswith(IGNORED_PREFIXES):
                continue
            (external if is_external(href) else internal).append(Link(name, href))
    return internal, ids, external


def broken(site: Path, internal: list[Link], ids: dict[str, set[str]]) -> list[str]:
    """One line per internal link that names no file of the site or no id on its target."""
    problems = []
    base = site_path()
    for link in internal:
        parts = urlsplit(link.href)
        path = unquote(parts.path)
        if path.startswith("/"):
            if not path.startswith(base):
                problems.append(f"{link.page}: link {link.href!r}: outside site_url's {base}")
                continue
            relative = Path(path.removeprefix(base))
        else:
            relative = Path(link.page).parent / path
        if relative.as_posix().startswith(PUBLISHED_LATER):
            continue
        if path:
            target = (site / relative).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_relative_to(site.resolve()) or not target.exists():
                problems.append(f"{link.page}: link {link.href!r}: no such file in the site")
                continue
            target_name = target.relative_to(site.resolve()).as_posix()
        else:
            target_name = link.page
        fragment = unquote(parts.fragment)
        if fragment and target_name.endswith(".html") and fragment not in ids.get(target_name, ()):
            problems.append(f"{link.page}: link {link.href!r}: no id {fragment!r} on {target_name}")
    return problems


def external_report(external: list[Link]) -> str:
    by_url: dict[str, set[str]] = defaultdict(set)
    for link in external:
        by_url[link.href].add(link.page)
    lines = [
        f"# External links ({len(by_url)} addresses, not fetched: the build has no network)",
        "",
        "| address | linked from |",
        "|---|---|",
    ]
    lines += [f"| <{url}> | {', '.join(sorted(pages))} |" for url, pages in sorted(by_url.items())]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--site", type=Path, default=SITE)
    parser.add_argument("--report", type=Path, default=DIST / "external-links.md")
    args = parser.parse_args(argv)
    site = args.site.resolve()
    if not (site / "index.html").is_file():
        print(f"links: no built site at {site}: run `mkdocs build --strict` first", file=sys.stderr)
        return 1
    internal, ids, external = collect(site)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(external_report(external))
    problems = broken(site, internal, ids)
    print(
        f"links: {len(internal)} internal links on {len(ids)} pages, "
        f"{len(problems)} broken; {len({link.href for link in external})} external addresses "
        f"listed in {args.report}"
    )
    for problem in problems:
        print(f"links: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
