"""How long a page takes to read, shown under its title and summed on the study plan.

A post-build step (postbuild.py) on every built page: the article's words outside `<pre>`
blocks at 200 a minute, and its code and output lines at 20 a minute (a line takes about as
long as ten words). Style and script elements count for nothing. `N min read` goes under the
title of every page but the home page; each `<span data-reading-time="a.md b.md"></span>` of
the study plan gets the sum of those pages' minutes, or "? min" for a page the site lacks (the
tests fail on it). Running the step again changes nothing.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

WORDS_PER_MINUTE = 200
CODE_LINES_PER_MINUTE = 20

ARTICLE = re.compile(r'(<article class="md-content__inner md-typeset">)(.*?)(</article>)', re.S)
BADGE_CLASS = "guide-reading-time"
BADGE = re.compile(rf'<p class="{BADGE_CLASS}">\d+ min read</p>\n?')
PLAN_SLOT = re.compile(r'<span data-reading-time="([^"]*)"></span>')
TAG = re.compile(r"<[^>]+>")
WORD = re.compile(r"\w+")


def _without(html: str, tag: str) -> str:
    return re.sub(rf"<{tag}\b.*?</{tag}>", "", html, flags=re.S)


def counts(html: str) -> tuple[int, int]:
    """(prose words, code lines) of a page's content HTML."""
    for tag in ("style", "script"):
        html = _without(html, tag)
    first, *blocks = html.split("<pre")
    texts, lines = [first], 0
    for block in blocks:
        code, _, rest = block.partition("</pre>")
        lines += code.count("\n")
        texts.append(rest)
    words = sum(len(WORD.findall(html_lib.unescape(TAG.sub(" ", text)))) for text in texts)
    return words, lines


def minutes(html: str) -> int:
    """Whole minutes to read `html`, rounded half up, never under one."""
    words, lines = counts(html)
    return max(1, int(words / WORDS_PER_MINUTE + lines / CODE_LINES_PER_MINUTE + 0.5))


def _article(page: str) -> str | None:
    match = ARTICLE.search(page)
    return BADGE.sub("", match[2]) if match else None


def _with_badge(page: str, minutes_: int) -> str:
    badge = f'</h1>\n<p class="{BADGE_CLASS}">{minutes_} min read</p>'
    return ARTICLE.sub(lambda m: m[1] + m[2].replace("</h1>", badge, 1) + m[3], page, count=1)


def _plan_times(page: str, times: dict[str, int]) -> str:
    def filled(match: re.Match[str]) -> str:
        built = [re.sub(r"\.(md|ipynb)$", ".html", source) for source in match[1].split()]
        total = "?" if any(b not in times for b in built) else str(sum(times[b] for b in built))
        return f'<span class="guide-minutes" data-reading-time="{match[1]}">{total} min</span>'

    return PLAN_SLOT.sub(filled, page)


def add_reading_times(site: Path) -> int:
    """Write each page's reading time under its title and fill the study plan; pages changed."""
    pages = {
        path.relative_to(site).as_posix(): path
        for path in sorted(site.rglob("*.html"))
        if path.name not in {"404.html", "print_page.html"}
    }
    texts = {name: path.read_text("utf-8") for name, path in pages.items()}

    def reading_times() -> dict[str, int]:
        return {name: minutes(body) for name, text in new_texts.items() if (body := _article(text))}

    new_texts = dict(texts)
    # The plan's filled-in times are words of its own: fill them first, then time every page.
    times = reading_times()
    new_texts = {name: _plan_times(text, times) for name, text in new_texts.items()}
    times = reading_times()
    changed = 0
    for name, text in new_texts.items():
        if name in times and name != "index.html" and BADGE_CLASS not in text:
            text = _with_badge(text, times[name])
        if text != texts[name]:
            pages[name].write_text(text, "utf-8")
            changed += 1
    return changed
