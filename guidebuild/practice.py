"""The practice page's question bank, and the PDF's mock interviews, from the quizzes' data.

- `bank_script` writes `assets/practice/bank.js`: every question as the practice page's script
  (docs/assets/javascripts/practice.js) reads it. A script, not JSON: a page opened from
  `file://` (the offline zip) may load scripts but not fetch files.
- `mock_sets` picks the PDF's printable mock interviews: spread over the parts and the levels,
  the same every build, no question twice.

Nothing here imports MkDocs; the build hook hands in the rendered answers and page titles.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from guidebuild.quiz import Part, Question, all_questions, inline

BANK = "assets/practice/bank.js"
PAGE = "practice.md"
MOCK_APPENDIX = "appendix/mock-interview-answers.md"
MOCK_APPENDIX_TITLE = "Appendix: mock interviews, with answers"
LEVELS = ("recall", "apply", "design")
# The PDF's mock interviews: three sets of twelve, at four minutes a question.
MOCK_SETS, MOCK_SIZE, MOCK_MINUTES = 3, 12, 48

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(?P<text>.+?)(?:\s+\{(?P<attrs>[^}]*)\})?\s*$")
EXPLICIT_ID = re.compile(r"#([\w-]+)")
MARKUP = re.compile(r"`|\*\*|\*|<[^>]+>|\[([^\]]*)\]\([^)]*\)")
HREF = re.compile(r'href="(?P<url>[^"#:]*?)(?P<frag>#[^"]*)?"')


def html_path(page: str) -> str:
    """docs-relative Markdown path -> the built page's path (the site has no directory URLs)."""
    return re.sub(r"\.(md|ipynb)$", ".html", page)


def section_titles(markdown: str, slugify: Callable[[str, str], str]) -> dict[str, str]:
    """Heading id -> heading text, for the headings outside code fences.
    The ids are the Markdown toc's (its own slugify), or an explicit `{#id}`."""
    titles: dict[str, str] = {}
    fenced = False
    for line in markdown.splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced or not (match := HEADING.match(line)):
            continue
        text = MARKUP.sub(lambda m: m.group(1) or "", match["text"]).strip()
        explicit = EXPLICIT_ID.search(match["attrs"] or "")
        titles.setdefault(explicit[1] if explicit else slugify(text, "-"), text)
    return titles


def rebase_links(html: str, page: str) -> str:
    """Links in an answer are relative to its chapter page; the bank is read from the site's
    root, so they become root-relative. In-answer anchors (`#__codelineno-...`) stay."""
    folder = posixpath.dirname(html_path(page))

    def rebase(match: re.Match[str]) -> str:
        url, frag = match["url"], match["frag"] or ""
        if url.startswith("/"):
            return match[0]
        if not url:
            return match[0] if frag.startswith("#__") else f'href="{html_path(page)}{frag}"'
        target = posixpath.normpath(posixpath.join(folder, html_path(url)))
        return f'href="{target}{frag}"'

    return HREF.sub(rebase, html)


def question_entry(
    question: Question,
    answer_html: str,
    page_titles: dict[str, str],
    sections: dict[str, dict[str, str]],
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": question.id,
        "part": question.part,
        "page": html_path(question.page),
        "pageTitle": page_titles.get(question.page, question.page),
        "section": question.section,
        "sectionTitle": sections.get(question.page, {}).get(question.section, ""),
        "level": question.level,
        "kind": question.kind,
        "ask": inline(question.ask),
    }
    if question.choices:
        entry["choices"] = [inline(choice["text"]) for choice in question.choices]
        entry["correct"] = question.correct
    if question.numeric:
        entry["numeric"] = {"tolerance": 0.02, **question.numeric}
    entry["answer"] = rebase_links(answer_html, question.page)
    if question.rubric:
        entry["rubric"] = {grade: inline(text) for grade, text in question.rubric.items()}
    return entry


def bank(
    parts: dict[str, Part],
    answers: Mapping[str, str],
    page_titles: dict[str, str],
    sections: dict[str, dict[str, str]],
) -> dict[str, Any]:
    return {
        "parts": [
            {
                "name": part.name,
                "title": part.title,
                "index": f"{part.name}/index.html",
                "count": sum(len(questions) for questions in part.pages.values()),
            }
            for part in parts.values()
        ],
        "questions": [
            question_entry(question, str(answers[question.id]), page_titles, sections)
            for question in all_questions(parts)
        ],
    }


def bank_script(data: dict[str, Any]) -> str:
    # `</` is escaped so an answer's HTML can never end the script element early.
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f"window.FIELD_GUIDE_BANK = {payload};\n"


def mock_sets(parts: dict[str, Part], count: int, size: int) -> list[list[Question]]:
    """`count` mock interviews of `size` questions for print. Each takes, in turn, from the part
    and level it has used least, the first question not yet printed in any set; questions keep
    the data files' order, so the sets change only when the data does."""
    pool = {
        (name, level): [q for q in all_questions({name: part}) if q.level == level]
        for name, part in parts.items()
        for level in LEVELS
    }
    printed: set[str] = set()
    sets = []
    for _ in range(count):
        chosen: list[Question] = []
        by_part = dict.fromkeys(parts, 0)
        by_level = dict.fromkeys(LEVELS, 0)
        while len(chosen) < size:
            candidates = [
                (by_part[name] + by_level[level], order, name, level)
                for order, (name, level) in enumerate(pool)
                if any(q.id not in printed for q in pool[name, level])
            ]
            if not candidates:
                raise ValueError(f"not enough questions for {count} mock sets of {size}")
            _, _, name, level = min(candidates)
            question = next(q for q in pool[name, level] if q.id not in printed)
            printed.add(question.id)
            chosen.append(question)
            by_part[name] += 1
            by_level[level] += 1
        sets.append(chosen)
    return sets


def levels_of(questions: Iterable[Question]) -> dict[str, int]:
    counts = dict.fromkeys(LEVELS, 0)
    for question in questions:
        counts[question.level] += 1
    return counts
