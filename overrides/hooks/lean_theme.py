"""Material's pages, trimmed of work a phone does for nothing before it can be used.

Lighthouse's mobile profile (4x slower CPU) measured most of a page's blocking time in the
browser restyling the whole document while Material's bundle starts up, and each full restyle
costs in proportion to the page's elements. On the Spark page (Lighthouse median of 3 runs,
performance 67 before, 82 after) these four changes did it:

1. Code blocks: Pygments wraps every name token (`n`) and whitespace run (`w`) in a span.
   Both are drawn in the code block's own colour (Material sets --md-code-hl-name-color to
   --md-code-fg-color; the notebook theme colours neither), so the spans are unwrapped:
   a sixth of the Spark page's 2,750 elements, and nothing changes on screen.
2. The bundle and the polyfill load with `defer` (they still run in order, after parsing and
   before DOMContentLoaded, which is when Material starts), so the first paint no longer waits
   for the bundle: first contentful paint 2.4 s -> 1.2 s.
3. main.css: rules that name a class no built page and no theme script uses (blog, consent,
   tags, keyboard keys, tab sets of more tabs than any page has, ...) are dropped: a full
   restyle is about 17% cheaper.
4. palette.css: `[data-md-color-switching] *` turns transitions off while the colour palette
   switches. Material sets that attribute on every page load, and setting and removing it
   restyles every element twice. Without the rule, switching the palette fades the colours
   with Material's own transitions (a quarter of a second) instead of snapping.

Then, measured the same way (Spark page 92 -> 96-98, the notebook labs 93 -> 95-99):

5. Copy buttons are in the HTML. Material's script inserted one into each code block and then
   measured the block, so every block cost a forced style and layout pass (30 on the Spark
   page: DOMContentLoaded task 710 -> 430 ms at 4x CPU). The buttons are Material's own markup,
   and its clipboard handler, which listens on the whole document, copies with them; the
   `content.code.copy` feature is left off so that Material does not add a second one.
6. Material's bundle no longer adds a `<meta name="color-scheme">`. Chrome restyles the whole
   document each time such a meta is added or written, even when nothing changes, and Material
   did both while the page started (bundle start-up task 450 -> 220 ms at 4x). Material's
   palette CSS already sets `color-scheme` on <body>; extra.css gives it to the root too, for
   the page's own scrollbars.
"""

from __future__ import annotations

import itertools
import json
import re
from html import escape
from pathlib import Path

from mkdocs.exceptions import PluginError

try:  # MkDocs loads a hook as a file, with the hook's folder on sys.path
    import css_purge
except ImportError:  # the tests import the hooks as a package
    from overrides.hooks import css_purge

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
        raise PluginError(
            f"lean_theme: {page_name} has {found} Material bundle <script> tags, expected 1; "
            "Material's template changed: update BUNDLE_SCRIPT in overrides/hooks/lean_theme.py"
        )
    return html


def add_copy_buttons(html: str, page_name: str) -> str:
    """Material's copy button, written into each code block. Its target is the block's <code>,
    by an id of its own: Material renames the <pre> when it mounts the block."""
    if not CODE_BLOCK.search(html):
        return html
    config = CONFIG_SCRIPT.search(html)
    if config is None:
        raise PluginError(
            f"lean_theme: {page_name} has code blocks but no Material __config script to take "
            "the copy button's title from; Material's template changed"
        )
    title = json.loads(config.group(1))["translations"]["clipboard.copy"]
    numbers = itertools.count()

    def button(match: re.Match) -> str:
        target = f"__copy_{next(numbers)}"
        return (
            f'<pre>{match.group(1) or ""}<nav class="md-code__nav">'
            f'<button class="md-code__button" title="{escape(title)}" '
            f'data-clipboard-target="#{target}" data-md-type="copy"></button></nav>'
            f'<code id="{target}"'
        )

    return CODE_BLOCK.sub(button, html)


def on_config(config):
    if "content.code.copy" in config["theme"]["features"]:
        raise PluginError(
            "lean_theme: remove `content.code.copy` from theme.features in mkdocs.yml: "
            "overrides/hooks/lean_theme.py writes the copy buttons into the pages, and the "
            "feature would make Material's script add a second one to every code block"
        )
    return config


def on_post_page(output: str, page, config) -> str:
    output = EMPTY_SCRIPT.sub("", unwrap_plain_code_spans(output))
    output = add_copy_buttons(output, page.file.dest_uri)
    return defer_bundle(output, page.file.dest_uri)


def drop_color_scheme_meta(bundle: str, bundle_name: str) -> str:
    """The palette keeps writing to a stand-in object instead of a <meta> in the head."""
    if '"color-scheme"' not in bundle:  # done by an earlier build (`mkdocs serve --dirty`)
        return bundle
    bundle, found = COLOR_SCHEME_META.subn(r"let \1={};", bundle)
    if found != 1:
        raise PluginError(
            f"lean_theme: {bundle_name} creates the color-scheme <meta> {found} times, "
            "expected 1; Material's bundle changed: update COLOR_SCHEME_META in "
            "overrides/hooks/lean_theme.py"
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


def on_post_build(config) -> None:
    site = Path(config["site_dir"])
    stylesheets = site / "assets" / "stylesheets"
    main = sorted(stylesheets.glob("main.*.min.css"))
    palette = sorted(stylesheets.glob("palette.*.min.css"))
    bundle = sorted((site / "assets" / "javascripts").glob("bundle.*.min.js"))
    if len(main) != 1 or len(palette) != 1 or len(bundle) != 1:
        raise PluginError(
            f"lean_theme: expected one main.*.min.css and one palette.*.min.css in {stylesheets} "
            f"and one bundle.*.min.js, found {[p.name for p in main + palette + bundle]}; "
            "Material's assets changed"
        )
    bundle[0].write_text(
        drop_color_scheme_meta(bundle[0].read_text(encoding="utf-8"), bundle[0].name), "utf-8"
    )
    usage = SiteUsage(
        [page.read_text(encoding="utf-8") for page in site.rglob("*.html")],
        [script.read_text(encoding="utf-8") for script in site.glob("assets/javascripts/**/*.js")],
    )
    main[0].write_text(trim_theme_css(main[0].read_text(encoding="utf-8"), usage), "utf-8")
    palette[0].write_text(drop_switching_rule(palette[0].read_text(encoding="utf-8")), "utf-8")
    # The source maps describe Material's files as shipped, not these.
    for sheet in main + palette + bundle:
        sheet.with_name(sheet.name + ".map").unlink(missing_ok=True)


def on_post_template(output: str, template_name: str, config) -> str:
    # The 404 page is a static template, not a page: it starts the same bundle.
    if template_name == "404.html":
        return defer_bundle(output, template_name)
    return output
