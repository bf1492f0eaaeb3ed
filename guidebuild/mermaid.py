"""The Mermaid diagrams of a built site, drawn at build time (a post-build step).

Mermaid is 3.5 MB of JavaScript, and laying out a diagram on a phone takes seconds. Each page
with a diagram opens in Chromium, Material draws the diagrams exactly as on the live site, and
each SVG is written back into the page as a declarative shadow root, where Material would have
attached it. Readers' browsers then draw nothing, and the colours still follow the light and
dark palettes through the theme's CSS variables; overrides/main.html loads Mermaid only while a
`pre.mermaid` is left. This depends on Material's markup (`pre.mermaid` replaced by
`div.mermaid` with a shadow root): a drawing that does not appear is a BuildError.
"""

from __future__ import annotations

import math
import re
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

DIAGRAM = re.compile(r'<pre class="mermaid"[^>]*><code>.*?</code></pre>', re.S)
SOURCE = re.compile(r'<pre class="mermaid"><code>')
TIMEOUT_S = 120


# Mermaid writes its labels at 16 px and scales the whole drawing down to the column. A
# diagram drawn wider than the column would read 16 px x column / width: on a 390 px phone its
# text is kept at 10 px or more by a minimum width, and the diagram scrolls sideways instead.
MERMAID_FONT_PX = 16
MIN_TEXT_PX = 10
PHONE_COLUMN_PX = 358  # 390 px less Material's margins
NATURAL_WIDTH = re.compile(r'<svg\b[^>]*\bstyle="[^"]*max-width:\s*([\d.]+)px')


def readable(svg: str) -> tuple[str, str]:
    """(host attributes, shadow-root style) that keep the diagram's text readable on phones."""
    match = NATURAL_WIDTH.search(svg)
    min_width = math.ceil(float(match[1]) * MIN_TEXT_PX / MERMAID_FONT_PX) if match else 0
    if min_width <= PHONE_COLUMN_PX:
        return "", ""
    # A region that scrolls must be reachable by keyboard (axe: scrollable-region-focusable).
    attributes = ' tabindex="0" role="region" aria-label="Diagram, scrolls sideways"'
    style = (
        "<style>@media screen{:host{display:block;overflow-x:auto}"
        f"svg{{min-width:{min_width}px}}}}</style>"
    )
    return attributes, style


def out_of_search(html: str) -> str:
    """A page's HTML whose diagram sources Material's search leaves out of its index (a result
    preview showing `flowchart LR` and node ids helps nobody)."""
    return SOURCE.sub('<pre class="mermaid" data-search-exclude><code>', html)


def with_svgs(html: str, svgs: list[str]) -> str:
    """The page with its `pre.mermaid` blocks, in order, replaced by the drawn SVGs."""
    replacements = iter(svgs)

    def drawn(_: re.Match[str]) -> str:
        svg = next(replacements)
        attributes, style = readable(svg)
        return (
            f'<div class="mermaid" data-prerendered=""{attributes}>'
            f'<template shadowrootmode="open">{style}{svg}</template></div>'
        )

    return DIAGRAM.sub(drawn, html)


def draw_diagrams(site: Path) -> dict[str, int]:
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

            def stay_local(route: Any) -> None:
                if is_local(route.request.url):
                    route.continue_()
                else:
                    route.abort()

            context.route("**/*", stay_local)
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
