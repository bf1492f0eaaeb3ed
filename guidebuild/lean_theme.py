"""Material's pages without the start-up work a phone does for nothing.

Each rewrite removes a cost Lighthouse's mobile profile measured (CONTRIBUTING.md, "Performance
notes", has the figures):

- per page, during the build (mkdocs_hooks.py): Pygments' name and whitespace spans unwrapped
  (they are drawn in the block's own colour), Material's copy buttons written into the HTML
  instead of inserted by its script, and the bundle loaded with `defer`;
- once per built site, in the post-build step (`trim_theme_assets`): main.css without the rules
  no page or script can use, palette.css without the rule that restyles everything while the
  palette switches, and a bundle that no longer creates `<meta name="color-scheme">` and
  fetches the search index only when the reader opens search (lazy_search.py).

Every rewrite that depends on Material's markup or bundle checks what it expects and raises a
BuildError naming the constant to update when Material changes.
"""

from __future__ import annotations

import itertools
import json
import re
from html import escape
from pathlib import Path

from guidebuild import css_purge, lazy_search
from guidebuild.errors import BuildError

NAME_OR_WHITESPACE_SPAN = re.compile(r'<span class="[nw]">([^<]*)</span>')
# mkdocs-jupyter's template loads MathJax from an empty address when no MathJax is configured.
EMPTY_SCRIPT = re.compile(r'<script src="">\s*</script>\n?')
BUNDLE_SCRIPT = re.compile(r'<script src="([^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js)">')
TAB_COUNT = re.compile(r'class="tabbed-set[^"]*" data-tabs="\d+:(\d+)"')
NTH_CHILD = re.compile(r":nth-child\((\d+)\)")
# Material builds a few class names in its script from a prefix (`md-source__fact--${x}`).
DYNAMIC_CLASS_PREFIX = re.compile(r"(md-[\w-]*?--)\$\{")
SCRIPT_WORD = re.compile(r"[A-Za-z_][\w-]*")
SWITCHING_RULE = "[data-md-color-switching]"
# A code block as pymdownx.highlight writes it (Pygments' empty span first); Material's script
# mounts on every `pre:not(.mermaid) > code` of the content.
CODE_BLOCK = re.compile(r"<pre>(<span></span>)?<code(?=[ >])")
CONFIG_SCRIPT = re.compile(r'<script id="__config" type="application/json">(.*?)</script>', re.S)
COLOR_SCHEME_META = re.compile(
    r'let (\w+)=\w+\("meta",\{name:"color-scheme"\}\);document\.head\.appendChild\(\1\);'
)


def unwrap_plain_code_spans(html: str) -> str:
    return NAME_OR_WHITESPACE_SPAN.sub(r"\1", html)


def defer_bundle(html: str, page_name: str) -> str:
    html, found = BUNDLE_SCRIPT.subn(r'<script src="\1" defer>', html)
    if found != 1:
        raise BuildError(
            f"lean_theme: {page_name} has {found} Material bundle <script> tags, expected 1; "
            "Material's template changed: update BUNDLE_SCRIPT in guidebuild/lean_theme.py"
        )
    return html


def add_copy_buttons(html: str, page_name: str) -> str:
    """Material's copy button, written into each code block. Its target is the block's <code>,
    by an id of its own: Material renames the <pre> when it mounts the block."""
    if not CODE_BLOCK.search(html):
        return html
    config = CONFIG_SCRIPT.search(html)
    if config is None:
        raise BuildError(
            f"lean_theme: {page_name} has code blocks but no Material __config script to take "
            "the copy button's title from; Material's template changed"
        )
    title = json.loads(config.group(1))["translations"]["clipboard.copy"]
    numbers = itertools.count()

    def button(match: re.Match[str]) -> str:
        target = f"__copy_{next(numbers)}"
        return (
            f'<pre>{match.group(1) or ""}<nav class="md-code__nav">'
            f'<button class="md-code__button" title="{escape(title)}" '
            f'data-clipboard-target="#{target}" data-md-type="copy"></button></nav>'
            f'<code id="{target}"'
        )

    return CODE_BLOCK.sub(button, html)


def check_features(features: list[str]) -> None:
    if "content.code.copy" in features:
        raise BuildError(
            "lean_theme: remove `content.code.copy` from theme.features in mkdocs.yml: "
            "guidebuild/lean_theme.py writes the copy buttons into the pages, and the "
            "feature would make Material's script add a second one to every code block"
        )


def lean_page(html: str, page_name: str) -> str:
    """A built page without plain code spans and the empty script, with copy buttons and a
    deferred bundle."""
    html = EMPTY_SCRIPT.sub("", unwrap_plain_code_spans(html))
    html = add_copy_buttons(html, page_name)
    return defer_bundle(html, page_name)


# --- once per built site (the post-build step) ---------------------------------------------


def drop_color_scheme_meta(bundle: str, bundle_name: str) -> str:
    """The palette keeps writing to a stand-in object instead of a <meta> in the head."""
    if '"color-scheme"' not in bundle:  # done by an earlier build (`mkdocs serve --dirty`)
        return bundle
    bundle, found = COLOR_SCHEME_META.subn(r"let \1={};", bundle)
    if found != 1:
        raise BuildError(
            f"lean_theme: {bundle_name} creates the color-scheme <meta> {found} times, "
            "expected 1; Material's bundle changed: update COLOR_SCHEME_META in "
            "guidebuild/lean_theme.py"
        )
    return bundle


class SiteUsage:
    """What the built site can put on an element: the classes in its HTML and scripts, and the
    largest tab set."""

    def __init__(self, html_pages: list[str], scripts: list[str]) -> None:
        self.classes = set().union(*map(css_purge.html_classes, html_pages))
        script = "\n".join(scripts)
        self.script_words = set(SCRIPT_WORD.findall(script))
        self.dynamic_prefixes = tuple(set(DYNAMIC_CLASS_PREFIX.findall(script)))
        tab_counts = [int(n) for html in html_pages for n in TAB_COUNT.findall(html)]
        # A tab set without data-tabs (another pymdownx) leaves every tab rule in place.
        untallied = any(html.count('class="tabbed-set') for html in html_pages) and not tab_counts
        self.most_tabs = 99 if untallied else max(tab_counts, default=0)

    def class_is_used(self, name: str) -> bool:
        return (
            name in self.classes
            or name in self.script_words
            or name.startswith(self.dynamic_prefixes)
        )

    def selector_can_match(self, selector: str) -> bool:
        if not all(map(self.class_is_used, css_purge.required_classes(selector))):
            return False
        if "tabbed" in selector:  # Material styles tabs 1 to 20 one by one
            return all(int(n) <= self.most_tabs for n in NTH_CHILD.findall(selector))
        return True


def trim_theme_css(main_css: str, usage: SiteUsage) -> str:
    return css_purge.purge(main_css, usage.selector_can_match)


def drop_switching_rule(palette_css: str) -> str:
    return css_purge.purge(palette_css, lambda selector: SWITCHING_RULE not in selector)


def trim_theme_assets(site: Path) -> None:
    stylesheets = site / "assets" / "stylesheets"
    main = sorted(stylesheets.glob("main.*.min.css"))
    palette = sorted(stylesheets.glob("palette.*.min.css"))
    bundle = sorted((site / "assets" / "javascripts").glob("bundle.*.min.js"))
    if len(main) != 1 or len(palette) != 1 or len(bundle) != 1:
        raise BuildError(
            f"lean_theme: expected one main.*.min.css and one palette.*.min.css in {stylesheets} "
            f"and one bundle.*.min.js, found {[p.name for p in main + palette + bundle]}; "
            "Material's assets changed"
        )
    bundle_js = drop_color_scheme_meta(bundle[0].read_text(encoding="utf-8"), bundle[0].name)
    bundle[0].write_text(lazy_search.fetch_index_on_demand(bundle_js, bundle[0].name), "utf-8")
    usage = SiteUsage(
        [page.read_text(encoding="utf-8") for page in site.rglob("*.html")],
        [script.read_text(encoding="utf-8") for script in site.glob("assets/javascripts/**/*.js")],
    )
    main[0].write_text(trim_theme_css(main[0].read_text(encoding="utf-8"), usage), "utf-8")
    palette[0].write_text(drop_switching_rule(palette[0].read_text(encoding="utf-8")), "utf-8")
    # The source maps describe Material's files as shipped, not these.
    for sheet in main + palette + bundle:
        sheet.with_name(sheet.name + ".map").unlink(missing_ok=True)
