"""The "Check yourself" questions: one data model for the site, the PDF and the Anki deck.

One data file per part of the guide (docs/includes/quiz/<part>.yml) holds the questions of each
of its chapter pages, validated against docs/includes/quiz/quiz.schema.json. A missing or
invalid file raises QuizError with the file and line of every problem. Nothing here imports
MkDocs: quiz_html.py renders the questions for the site and the PDF, deck.py for Anki.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from guidebuild.paths import DOCS, ROOT
from guidebuild.yaml_nodes import error_line, load_with_nodes

QUIZ_DIR = DOCS / "includes" / "quiz"
SCHEMA = QUIZ_DIR / "quiz.schema.json"
# The parts of the guide whose every page (but its index) ends with "Check yourself".
PARTS = (
    "kubernetes",
    "training",
    "serving",
    "distributed",
    "data",
    "mlops",
    "reliability",
    "design",
    "interview",
)
LETTERS = "ABCDEFGH"


class QuizError(ValueError):
    """A problem in a data file, as `path:line: message` lines."""


@dataclass
class Question:
    id: str
    part: str
    page: str  # docs-relative, e.g. "kubernetes/autoscaling.md"
    ask: str
    answer: str
    level: str = ""  # recall, apply or design
    kind: str = ""  # choice, numeric or open
    section: str = ""  # the heading id on `page` that teaches it
    choices: list[dict[str, Any]] = field(default_factory=list)
    numeric: dict[str, Any] | None = None  # {value, unit, tolerance?}
    rubric: dict[str, str] | None = None  # {strong, average, weak}
    cites: dict[str, Any] | None = None
    claims: list[str] = field(default_factory=list)  # ids in docs/includes/claims/*.yml
    source: str = ""  # "docs/includes/quiz/kubernetes.yml:42"

    @property
    def correct(self) -> int | None:
        for index, choice in enumerate(self.choices):
            if choice.get("correct"):
                return index
        return None


@dataclass
class Part:
    name: str
    title: str
    pages: dict[str, list[Question]]
    path: Path


# --- loading and validation (no MkDocs needed) -------------------------------------------


def _rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def _node_at(node: yaml.Node, path: Sequence[str | int]) -> yaml.Node:
    """The YAML node at a JSON path (keys and indexes), as deep as the document goes."""
    for key in path:
        found: yaml.Node | None
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            found = node.value[key]
        else:
            found = None
        if found is None:
            break
        node = found
    return node


class _UniqueKeyLoader(yaml.CSafeLoader):
    """A libyaml SafeLoader that refuses a key twice in one mapping (YAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


def read_part(path: Path) -> tuple[dict[str, Any], yaml.Node]:
    rel = _rel(path)
    if not path.is_file():
        raise QuizError(f"{rel}:1: missing: every part needs its Check yourself questions")
    try:
        data, node = load_with_nodes(path.read_text("utf-8"), _UniqueKeyLoader)
    except yaml.YAMLError as error:
        raise QuizError(f"{rel}:{error_line(error)}: not valid YAML: {error}") from None
    if node is None:
        raise QuizError(f"{rel}:1: empty file")
    return data, node


def schema_problems(data: dict[str, Any], node: yaml.Node, path: Path) -> list[str]:
    try:
        import jsonschema
    except ImportError:  # pragma: no cover - the docs session installs the quiz group
        raise QuizError(
            "jsonschema is not installed: install the `quiz` dependency group "
            "(`uv pip install --group quiz`, or run `nox -s docs`)"
        ) from None
    schema = json.loads(SCHEMA.read_text("utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    found = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        line = _node_at(node, error.absolute_path).start_mark.line + 1
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        found.append(f"{_rel(path)}:{line}: {where}: {error.message}")
    return found


def load_part(path: Path) -> Part:
    data, node = read_part(path)
    problems_found = schema_problems(data, node, path)
    if problems_found:
        raise QuizError("\n".join(problems_found))
    if data["part"] != path.stem:
        line = _node_at(node, ["part"]).start_mark.line + 1
        raise QuizError(f"{_rel(path)}:{line}: part {data['part']!r} must be the file's name")
    pages = {}
    for page, items in data["pages"].items():
        questions = []
        for index, item in enumerate(items):
            line = _node_at(node, ["pages", page, index]).start_mark.line + 1
            questions.append(
                Question(
                    id=item["id"],
                    part=data["part"],
                    page=page,
                    ask=item["ask"].strip(),
                    answer=item["answer"].strip(),
                    level=item.get("level", ""),
                    kind=item.get("kind", ""),
                    section=item.get("section", ""),
                    choices=item.get("choices", []),
                    numeric=item.get("numeric"),
                    rubric=item.get("rubric"),
                    cites=item.get("cites"),
                    claims=item.get("claims", []),
                    source=f"{_rel(path)}:{line}",
                )
            )
        pages[page] = questions
    return Part(data["part"], data["title"], pages, path)


def load_quiz(quiz_dir: Path = QUIZ_DIR) -> dict[str, Part]:
    """Every part's questions, in PARTS order; raises QuizError naming each file and line."""
    parts: dict[str, Part] = {}
    errors: list[str] = []
    for name in PARTS:
        try:
            parts[name] = load_part(quiz_dir / f"{name}.yml")
        except QuizError as error:
            errors.append(str(error))
    strays = sorted(p.name for p in quiz_dir.glob("*.yml") if p.stem not in PARTS)
    if strays:
        errors.append(f"{_rel(quiz_dir)}: unknown part file(s) {strays}; parts are {PARTS}")
    seen: dict[str, str] = {}
    for part in parts.values():
        for page, questions in part.pages.items():
            if page.split("/")[0] != part.name:
                errors.append(f"{questions[0].source}: page {page} is not in part {part.name}")
            for question in questions:
                if question.id in seen:
                    errors.append(
                        f"{question.source}: id {question.id!r} is already used at "
                        f"{seen[question.id]} (ids must be unique: the Anki deck keys on them)"
                    )
                seen[question.id] = question.source
    if errors:
        raise QuizError("\n".join(errors))
    return parts


def all_questions(parts: dict[str, Part]) -> list[Question]:
    return [q for part in parts.values() for qs in part.pages.values() for q in qs]


def requires_quiz(src_uri: str) -> bool:
    """A chapter page: a page of one of the parts, other than the part's index."""
    first, _, rest = src_uri.partition("/")
    return first in PARTS and rest.endswith(".md") and rest != "index.md" and "/" not in rest


INLINE_CODE = re.compile(r"`([^`]+)`")
STRONG = re.compile(r"\*\*(.+?)\*\*")
EMPHASIS = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")


def inline(text: str) -> str:
    """The few inline Markdown forms a question or a choice uses: code, bold, italics."""
    parts = INLINE_CODE.split(text)
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(f"<code>{html.escape(part)}</code>")
        else:
            escaped = html.escape(part, quote=False)
            escaped = STRONG.sub(r"<strong>\1</strong>", escaped)
            out.append(EMPHASIS.sub(r"<em>\1</em>", escaped))
    return "".join(out)
