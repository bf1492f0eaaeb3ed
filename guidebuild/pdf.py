"""Print the guide to one PDF: `python -m guidebuild.pdf [--site DIR] [--out FILE]`.

Input: the print build (`python -m guidebuild.site --config mkdocs.print.yml`, into
dist/print-site), whose print_page.html holds every page of the nav after a cover and a table
of contents, its diagrams already drawn by the post-build step. Chromium opens it from a server
on 127.0.0.1 with every other request blocked, and before printing:

- checks that every Mermaid diagram is an SVG (and waits for any left to Material), failing,
  with the diagram named, on a Mermaid error;
- opens every collapsed `???` block (Material's print CSS already prints every tab);
- writes the build date and the pinned versions (pyproject.toml) on the cover.

Chromium then prints A4 with page numbers in the footer and a PDF outline (bookmarks) built
from the headings: one per chapter page, nested per section.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from guidebuild.browser import (
    CHROMIUM_ARGS,
    OPEN_SHADOW_ROOTS,
    chromium_path,
    is_local,
    serve,
)
from guidebuild.errors import BuildError
from guidebuild.paths import PDF, PRINT_SITE, ROOT
from guidebuild.pins import engine_pins, pyproject

DIAGRAM_TIMEOUT_S = 180  # 2 shared cores: Mermaid's first render of a big page is slow

# Material attaches each diagram it draws itself to a *closed* shadow root; opening them lets
# the builder check that each diagram is an SVG and not Mermaid's "Syntax error" picture.

DIAGRAM_STATE = """
() => {
  const pending = [...document.querySelectorAll("pre.mermaid")].map(
    (el) => el.textContent.trim().split("\\n")[0]);
  const drawn = [...document.querySelectorAll("div.mermaid")];
  const broken = drawn
    .filter((el) => !el.shadowRoot || !el.shadowRoot.querySelector("svg")
                    || /Syntax error/i.test(el.shadowRoot.textContent))
    .map((el) => (el.shadowRoot ? el.shadowRoot.textContent : "").slice(0, 120));
  const errors = [...document.querySelectorAll("[id^='d__mermaid'], .error-icon")].length;
  return { pending, drawn: drawn.length, broken, errors };
}
"""

PREPARE = """
([cover, title, siteUrl, keepWholeLines, maxDiagramHeight]) => {
  // The PDF's title metadata is the document's title.
  document.title = title;
  // Collapsed answers (???) print open.
  for (const details of document.querySelectorAll("details")) details.open = true;
  // A link to another file of the site (a download, an example) would point at this build's
  // server: it points at the published site instead. Links within the PDF stay as they are.
  let rewritten = 0;
  for (const link of document.querySelectorAll("a[href]")) {
    const url = new URL(link.href);
    const inside = url.pathname === location.pathname && url.hash;
    if (url.origin === location.origin && !inside) {
      link.href = siteUrl + url.pathname.replace(/^\\//, "") + url.hash;
      rewritten += 1;
    }
  }
  // A diagram taller than a page would be split: it is scaled to fit beside its heading
  // (its SVG sits in a shadow root, out of the stylesheet's reach).
  for (const host of document.querySelectorAll("div.mermaid")) {
    const svg = host.shadowRoot?.querySelector("svg");
    if (svg) svg.style.maxHeight = maxDiagramHeight;
  }
  // print-site keeps every code block on one page, which strands a long block's title at the
  // foot of a half-empty page; only short blocks are kept whole (long ones break, CSS keeps
  // their first lines with the title).
  for (const block of document.querySelectorAll(".highlight")) {
    const lines = (block.querySelector("pre")?.textContent ?? "").split("\\n").length;
    if (lines <= keepWholeLines) block.classList.add("pdf-keep-whole");
  }
  // Every tab prints: Material's print CSS lays out each tab's label above its block.
  const info = document.getElementById("pdf-build-info");
  if (info) info.innerHTML = cover;
  return {
    details: document.querySelectorAll("details:not([open])").length,
    tabs: document.querySelectorAll(".tabbed-block").length,
    rewritten,
  };
}
"""

# Chromium cannot number the contents (no target-counter()): the first print tells on which
# page each heading landed (its named destination), the contents get those numbers, and the
# guide is printed again, until the numbers no longer move the pages.
TOC_PAGES = """
(pages) => {
  let numbered = 0;
  for (const link of document.querySelectorAll("#print-page-toc a[href^='#']")) {
    const page = pages[decodeURIComponent(link.getAttribute("href").slice(1))];
    if (page === undefined) continue;
    let number = link.querySelector(".pdf-toc__page");
    if (!number) {
      number = document.createElement("span");
      number.className = "pdf-toc__page";
      link.append(number);
    }
    number.textContent = String(page);
    numbered += 1;
  }
  return numbered;
}
"""
KEEP_WHOLE_LINES = 60  # a code block this short (a page holds ~75 lines) never breaks
MAX_DIAGRAM_HEIGHT = "190mm"  # of A4's 267 mm between the margins: room for a heading too
TOC_PASSES = 3

FOOTER = (
    '<div style="width:100%;font-size:8px;color:#555;padding:0 12mm;'
    'font-family:sans-serif;display:flex;justify-content:space-between">'
    "<span>{title}</span>"
    '<span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>'
)


def build_date() -> dt.date:
    """Today (UTC), or SOURCE_DATE_EPOCH's date for a reproducible build."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    now = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return now.date()


def cover_html(date: dt.date) -> str:
    project = pyproject()["project"]
    rows = "".join(
        f"<tr><td>{html.escape(group.rstrip('_'))}</td><td>{html.escape(', '.join(pins))}</td></tr>"
        for group, pins in engine_pins().items()
        if pins
    )
    return (
        f"<p>Edition {html.escape(project['version'])}, built {date.isoformat()}</p>"
        "<p>Every example was verified with these pinned versions:</p>"
        f'<table class="pdf-cover__versions"><tbody>{rows}</tbody></table>'
    )


def _setting(config: str, key: str) -> str:
    # The MkDocs configs carry !!python tags that yaml.safe_load refuses: read the one line.
    text = (ROOT / config).read_text(encoding="utf-8")
    match = re.search(rf"^ *{key}: *(.+)$", text, re.M)
    if match is None:
        raise BuildError(f"{config} has no `{key}:`")
    return match[1].strip().strip("'\"")


def pdf_title() -> str:
    """The print page's title (print-site's `print_page_title`), alone: the PDF's title."""
    return _setting("mkdocs.print.yml", "print_page_title")


def site_url() -> str:
    return _setting("mkdocs.yml", "site_url").rstrip("/") + "/"


def heading_pages(pdf: Path) -> dict[str, int]:
    """Each named destination (a heading's id) of the PDF, and its 1-based page."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    pages = {}
    for name, destination in reader.named_destinations.items():
        page = reader.get_destination_page_number(destination)
        if page is not None:
            pages[str(name).lstrip("/")] = page + 1
    return pages


def number_contents(page: Any, pdf: Path, print_pdf: Callable[[], None]) -> tuple[int, int]:
    """Write the page numbers into the contents and print again until they hold."""
    pages = heading_pages(pdf)
    for passes in range(2, TOC_PASSES + 2):
        numbered = int(page.evaluate(TOC_PAGES, pages))
        print_pdf()
        reprinted = heading_pages(pdf)
        if reprinted == pages:
            return numbered, passes
        pages = reprinted
    raise BuildError(f"the contents' page numbers still moved after {TOC_PASSES} reprints")


def build(site: Path, out: Path, timeout_s: float = DIAGRAM_TIMEOUT_S) -> dict[str, Any]:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    if not (site / "print_page.html").is_file():
        raise BuildError(
            f"{site / 'print_page.html'} is missing: run "
            "`python -m guidebuild.site --config mkdocs.print.yml` first (`nox -s pdf` does)"
        )
    started = time.monotonic()
    blocked: list[str] = []
    console_errors: list[str] = []
    title = pdf_title()
    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                color_scheme="light", viewport={"width": 1100, "height": 1400}
            )
            context.add_init_script(OPEN_SHADOW_ROOTS)

            def route(route: Any) -> None:
                if is_local(route.request.url):
                    route.continue_()
                else:
                    blocked.append(route.request.url)
                    route.abort()

            context.route("**/*", route)
            page = context.new_page()

            def keep_error(message: Any) -> None:
                if message.type == "error":
                    console_errors.append(message.text)

            page.on("console", keep_error)
            page.goto(base + "print_page.html", wait_until="load", timeout=timeout_s * 1000)
            try:
                page.wait_for_function(
                    "() => document.querySelectorAll('pre.mermaid').length === 0",
                    timeout=timeout_s * 1000,
                )
            except PlaywrightError:
                state = page.evaluate(DIAGRAM_STATE)
                raise BuildError(
                    f"{len(state['pending'])} Mermaid diagram(s) not drawn after "
                    f"{timeout_s:.0f} s; "
                    f"first lines: {state['pending'][:5]}; browser errors: {console_errors[:5]}"
                ) from None
            diagrams = page.evaluate(DIAGRAM_STATE)
            if diagrams["broken"]:
                raise BuildError(f"Mermaid could not draw: {diagrams['broken']}")
            prepared = page.evaluate(
                PREPARE,
                [cover_html(build_date()), title, site_url(), KEEP_WHOLE_LINES, MAX_DIAGRAM_HEIGHT],
            )
            page.evaluate("document.fonts.ready")
            out.parent.mkdir(parents=True, exist_ok=True)

            def print_pdf() -> None:
                page.pdf(
                    path=str(out),
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=FOOTER.format(title=html.escape(title)),
                    margin={"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"},
                    outline=True,
                    tagged=True,
                )

            print_pdf()
            numbered, passes = number_contents(page, out, print_pdf)
        finally:
            browser.close()
    if blocked:
        raise BuildError(f"the print page requested outside the site (blocked): {blocked[:10]}")
    return {
        "diagrams": diagrams["drawn"],
        "tabs": prepared["tabs"],
        "links_to_site": prepared["rewritten"],
        "contents_numbered": numbered,
        "passes": passes,
        "seconds": round(time.monotonic() - started, 1),
        "bytes": out.stat().st_size,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--site", type=Path, default=PRINT_SITE)
    parser.add_argument("--out", type=Path, default=PDF)
    parser.add_argument("--timeout", type=float, default=DIAGRAM_TIMEOUT_S)
    args = parser.parse_args(argv)
    try:
        result = build(args.site.resolve(), args.out.resolve(), args.timeout)
    except BuildError as error:
        print(f"build_pdf: {error}", file=sys.stderr)
        return 1
    print(
        f"build_pdf: wrote {args.out} ({result['bytes'] / 1e6:.1f} MB, {result['diagrams']} "
        f"diagrams, {result['tabs']} tab blocks, {result['contents_numbered']} contents entries "
        f"numbered in {result['passes']} prints) in {result['seconds']} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
