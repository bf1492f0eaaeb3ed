"""Drop the CSS rules that cannot match anything, the way PurgeCSS does.

Shared by notebooks.py (JupyterLab's sheet inlined in notebook pages) and lean_theme.py
(Material's own stylesheet). A sheet is parsed once with tinycss2 and the parse is cached in
.cache/css-purge/, keyed by the sheet's hash; each caller then decides, selector by selector,
what stays.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

import tinycss2  # type: ignore[import-untyped]

from guidebuild.paths import CACHE

CACHE_DIR = CACHE / "css-purge"
# Classes inside :not(...) are not required for a selector to match; strings and attribute
# selectors ([data-x=".y"]) hold no class names.
NOT_PSEUDO = re.compile(r":not\([^()]*\)")
ATTRIBUTE_OR_STRING = re.compile(r"\[[^\]]*\]|\"[^\"]*\"|'[^']*'")
CLASS_NAME = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
CLASS_ATTRIBUTE = re.compile(r'\bclass="([^"]*)"')
KEPT_AT_RULES = {"font-face", "keyframes", "-webkit-keyframes", "property", "charset"}


def html_classes(html: str) -> set[str]:
    """Every class name in the class attributes of `html`."""
    return {name for value in CLASS_ATTRIBUTE.findall(html) for name in value.split()}


def bare(selector: str) -> str:
    """`selector` without what requires nothing of an element: :not(...), attributes, strings."""
    return NOT_PSEUDO.sub("", ATTRIBUTE_OR_STRING.sub("", selector))


def required_classes(selector: str) -> list[str]:
    """The classes an element (or its ancestors) must carry for `selector` to match."""
    return CLASS_NAME.findall(bare(selector))


def split_selectors(text: str) -> list[str]:
    """Split a selector list at its top-level commas (not those inside `:is(a, b)`)."""
    parts: list[str] = []
    depth = start = 0
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


# The parsed sheet, as plain JSON-able lists (cached on disk between builds):
#   ["rule", [selector, ...], body] | ["group", "@media ...", [item, ...]] | "verbatim css"


def _compile(rules: list[Any]) -> list[Any]:
    compiled: list[Any] = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = split_selectors(tinycss2.serialize(rule.prelude))
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


_parsed: dict[str, list[Any]] = {}


def parse(css: str) -> list[Any]:
    key = hashlib.sha256(css.encode()).hexdigest()[:24]
    if key in _parsed:
        return _parsed[key]
    cached = CACHE_DIR / f"{key}.json"
    try:
        compiled: list[Any] = json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # no cache yet, or a broken one: parse again
        compiled = _compile(
            tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
        )
        with contextlib.suppress(OSError):
            CACHE_DIR.mkdir(parents=True, exist_ok=True)
            cached.write_text(json.dumps(compiled), encoding="utf-8")
    _parsed[key] = compiled
    return compiled


def _emit(items: list[Any], keep: Callable[[str], bool]) -> str:
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif item[0] == "rule":
            kept = [s for s in item[1] if keep(s)]
            if kept:
                out.append(",".join(kept) + "{" + item[2] + "}")
        elif inner := _emit(item[2], keep):
            out.append(item[1] + "{" + inner + "}")
    return "".join(out)


def purge(css: str, keep: Callable[[str], bool]) -> str:
    """`css` with only the selectors `keep` accepts (a rule left with none goes too).
    Comments go as well, including a sourceMappingURL that would no longer fit."""
    return _emit(parse(css), keep)
