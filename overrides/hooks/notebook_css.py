"""Notebook pages keep only the CSS they use.

mkdocs-jupyter writes all of JupyterLab's stylesheet into every notebook page: 574 KB of inline
CSS (widgets, dialogs, toolbars, drag images) for a page that shows cells, outputs and a table
or two. A phone parses and matches all of it before the first paint (Lighthouse measured the
lab pages at 3.5 s to first paint on its mobile profile). This drops each rule whose
selector names a class that appears nowhere in the notebook's HTML, the way PurgeCSS does,
from the large inline style blocks only. Custom properties (`--jp-*` colours), @font-face and
@keyframes are kept; the small blocks (Pygments colours, the page's own scripts' styles) are
left as they are.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from pathlib import Path

import tinycss2

CACHE_DIR = Path(__file__).resolve().parents[2] / ".cache" / "notebook-css"
# Only blocks this large are JupyterLab's stylesheet; smaller ones are left alone.
LARGE_BLOCK = 20_000
STYLE_BLOCK = re.compile(r'(<style type="text/css">)(.*?)(</style>)', re.S)
CLASS_ATTRIBUTE = re.compile(r'\bclass="([^"]*)"')
# Classes inside :not(...) are not required for a selector to match; strings and attribute
# selectors ([data-x=".y"]) hold no class names.
NOT_PSEUDO = re.compile(r":not\([^()]*\)")
ATTRIBUTE_OR_STRING = re.compile(r"\[[^\]]*\]|\"[^\"]*\"|'[^']*'")
CLASS_NAME = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
KEPT_AT_RULES = {"font-face", "keyframes", "-webkit-keyframes", "property", "charset"}


def page_classes(html: str) -> set[str]:
    return {name for value in CLASS_ATTRIBUTE.findall(html) for name in value.split()}


def _split_selectors(text: str) -> list[str]:
    """Split a selector list at its top-level commas (not those inside `:is(a, b)`)."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def selector_can_match(selector: str, classes: set[str]) -> bool:
    bare = NOT_PSEUDO.sub("", ATTRIBUTE_OR_STRING.sub("", selector))
    # Material's script adds md-* classes at run time (a table gets .md-typeset__scrollwrap),
    # so a rule about one of them is kept whether or not the HTML has it yet.
    # `:root` is the <html> element: `.jupyter-wrapper :root` (80 KB of icon variables in
    # JupyterLab's sheet, scoped by nbconvert's wrapper) matches nothing.
    if ":root" in bare and not bare.startswith(":root"):
        return False
    return all(name in classes or name.startswith("md-") for name in CLASS_NAME.findall(bare))


# The parsed sheet, as plain JSON-able lists (cached on disk between builds):
#   ["rule", [selector, ...], body] | ["group", "@media ...", [item, ...]] | "verbatim css"


def _compile(rules) -> list:
    compiled: list = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = _split_selectors(tinycss2.serialize(rule.prelude))
            compiled.append(["rule", selectors, tinycss2.serialize(rule.content).strip()])
        elif rule.type == "at-rule":
            if rule.content is None or rule.lower_at_keyword in KEPT_AT_RULES:
                compiled.append(tinycss2.serialize([rule]))
            else:  # @media, @supports, @layer ...: the rules inside are purged the same way
                children = tinycss2.parse_rule_list(
                    rule.content, skip_comments=True, skip_whitespace=True
                )
                header = f"@{rule.at_keyword} {tinycss2.serialize(rule.prelude).strip()}"
                compiled.append(["group", header, _compile(children)])
        # else: a parse error, which tinycss2 skipped, as the browser does
    return compiled


def parse(css: str) -> list:
    """Every notebook page carries the same sheet, which changes only with mkdocs-jupyter:
    parse it once (a second, under load three) and keep the result beside mkdocs-jupyter's
    own render cache, so that a build does not pay for it again."""
    key = hashlib.sha256(css.encode()).hexdigest()[:24]
    if key in _parsed:
        return _parsed[key]
    cached = CACHE_DIR / f"{key}.json"
    try:
        compiled = json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # no cache yet, or a broken one: parse again
        compiled = _compile(
            tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
        )
        with contextlib.suppress(OSError):
            CACHE_DIR.mkdir(parents=True, exist_ok=True)
            cached.write_text(json.dumps(compiled), encoding="utf-8")
    _parsed[key] = compiled
    return compiled


_parsed: dict[str, list] = {}


def _emit(items: list, classes: set[str]) -> str:
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif item[0] == "rule":
            kept = [s for s in item[1] if selector_can_match(s, classes)]
            if kept:
                out.append(",".join(kept) + "{" + item[2] + "}")
        elif inner := _emit(item[2], classes):
            out.append(item[1] + "{" + inner + "}")
    return "".join(out)


def purge(css: str, classes: set[str]) -> str:
    """`css` without the rules (and selectors) that cannot match an element of the page."""
    return _emit(parse(css), classes)


def purge_page(html: str) -> str:
    classes = page_classes(html)

    def replace(match: re.Match) -> str:
        opening, css, closing = match.groups()
        if len(css) < LARGE_BLOCK:
            return match.group(0)
        return opening + purge(css, classes) + closing

    return STYLE_BLOCK.sub(replace, html)


def on_page_content(html, page, config, files):
    # The notebook's HTML, before the search plugin indexes it and the theme wraps it.
    if page.file.src_uri.endswith(".ipynb"):
        return purge_page(html)
    return html
