"""Draw the Mermaid diagrams of a built site at build time: `prerender_mermaid.py --site DIR`.

Mermaid is 3.5 MB of JavaScript; on a phone, parsing it and laying out a diagram costs seconds
(Lighthouse measured a diagram page at performance 41). This opens each page that has a
diagram in Chromium, lets Material draw the diagrams exactly as on the live site, and writes
each SVG back into the page's HTML as a declarative shadow root, where Material would have
attached it. The page then draws its diagrams with no script at all; its colours still follow
the light/dark palette through the theme's CSS variables. overrides/main.html loads Mermaid
only while a `pre.mermaid` is left, so a prerendered page never downloads it.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from common import CHROMIUM_ARGS, ROOT, BuildError, chromium_path, is_local, serve

DIAGRAM = re.compile(r'<pre class="mermaid"><code>.*?</code></pre>', re.S)
OPEN_SHADOW_ROOTS = """
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
  return attach.call(this, { ...init, mode: "open" });
};
"""
TIMEOUT_S = 120


def with_svgs(html: str, svgs: list[str]) -> str:
    """The page with its `pre.mermaid` blocks, in order, replaced by the drawn SVGs."""
    replacements = iter(svgs)
    return DIAGRAM.sub(
        lambda _: (
            '<div class="mermaid" data-prerendered="">'
            f'<template shadowrootmode="open">{next(replacements)}</template></div>'
        ),
        html,
    )


def prerender(site: Path) -> dict:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    pages = sorted(p for p in site.rglob("*.html") if DIAGRAM.search(p.read_text("utf-8")))
    if not pages:
        return {"pages": 0, "diagrams": 0}
    drawn = 0
    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(color_scheme="light")
            context.add_init_script(OPEN_SHADOW_ROOTS)
            context.route(
                "**/*",
                lambda route: route.continue_() if is_local(route.request.url) else route.abort(),
            )
            page = context.new_page()
            for path in pages:
                name = path.relative_to(site).as_posix()
                html = path.read_text("utf-8")
                expected = len(DIAGRAM.findall(html))
                page.goto(base + name, wait_until="load")
                try:
                    page.wait_for_function(
                        "() => document.querySelectorAll('pre.mermaid').length === 0",
                        timeout=TIMEOUT_S * 1000,
                    )
                except PlaywrightError:
                    left = page.eval_on_selector_all(
                        "pre.mermaid", "els => els.map(e => e.textContent.trim().split('\\n')[0])"
                    )
                    raise BuildError(f"{name}: Mermaid did not draw {left}") from None
                svgs = page.eval_on_selector_all(
                    "div.mermaid", "els => els.map(e => e.shadowRoot ? e.shadowRoot.innerHTML : '')"
                )
                bad = [s[:80] for s in svgs if "<svg" not in s or "Syntax error" in s]
                if len(svgs) != expected or bad:
                    raise BuildError(
                        f"{name}: {expected} diagram(s) in the HTML, {len(svgs)} drawn; "
                        f"broken: {bad}"
                    )
                path.write_text(with_svgs(html, svgs), "utf-8")
                drawn += expected
        finally:
            browser.close()
    return {"pages": len(pages), "diagrams": drawn}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        result = prerender(args.site.resolve())
    except BuildError as error:
        print(f"prerender_mermaid: {error}", file=sys.stderr)
        return 1
    print(
        f"prerender_mermaid: {result['diagrams']} diagram(s) on {result['pages']} page(s) "
        f"drawn into the HTML in {time.monotonic() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
