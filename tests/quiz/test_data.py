"""The "Check yourself" data (docs/includes/quiz/<part>.yml) validates, and covers every chapter.

The schema is checked here with jsonschema directly, file by file, and again through the
build hook's loader, whose errors must name the file and line.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from guidebuild.quiz import (
    PARTS,
    QUIZ_DIR,
    SCHEMA,
    QuizError,
    all_questions,
    load_quiz,
    requires_quiz,
)

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PARTS_DATA = load_quiz()
QUESTIONS = all_questions(PARTS_DATA)


@pytest.mark.parametrize("part", PARTS)
def test_each_part_file_validates_against_the_schema(part):
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    data = yaml.safe_load((QUIZ_DIR / f"{part}.yml").read_text())
    jsonschema.Draft202012Validator(schema).validate(data)


def test_the_bank_holds_two_hundred_and_fifty_questions_or_more():
    assert len(QUESTIONS) >= 250, len(QUESTIONS)


LEVELS = ("recall", "apply", "design")


def test_every_level_is_well_represented_and_every_part_asks_beyond_recall():
    """A mock interview draws across levels: each level is a fair share of the bank, and no
    part only asks for facts."""
    share = {level: sum(q.level == level for q in QUESTIONS) / len(QUESTIONS) for level in LEVELS}
    assert all(value >= 0.15 for value in share.values()), share
    recall_only = [
        name
        for name, part in PARTS_DATA.items()
        if all(q.level == "recall" for qs in part.pages.values() for q in qs)
    ]
    assert not recall_only, recall_only


NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


@pytest.mark.parametrize(
    "question", [q for q in QUESTIONS if q.kind == "numeric"], ids=lambda q: q.id
)
def test_a_numeric_answer_is_a_number_the_cited_output_prints(question):
    """The number a reader types is checked against `numeric.value`, and that value must be
    one the cited, test-checked output really prints (test_citations.py checks the lines)."""
    printed = [
        float(number.replace(",", ""))
        for line in question.cites["output"]
        for number in NUMBER.findall(line)
    ]
    value = question.numeric["value"]
    assert any(abs(number - value) <= 1e-9 * max(1.0, abs(value)) for number in printed), (
        f"{question.source}: {value} is not among the numbers of its cited output {printed}"
    )


@pytest.mark.parametrize("part", PARTS)
def test_every_part_has_five_questions_or_more(part):
    count = sum(len(qs) for qs in PARTS_DATA[part].pages.values())
    assert count >= 5, f"{part}: {count} questions"


def chapter_pages() -> list[str]:
    return sorted(
        p.relative_to(DOCS).as_posix()
        for p in DOCS.rglob("*.md")
        if requires_quiz(p.relative_to(DOCS).as_posix())
    )


def test_every_chapter_page_has_questions():
    have = {page for part in PARTS_DATA.values() for page in part.pages}
    missing = [page for page in chapter_pages() if page not in have]
    assert not missing, f"chapter pages without Check yourself questions: {missing}"


def test_every_page_named_by_the_data_exists():
    named = [(q.source, q.page) for q in QUESTIONS if not (DOCS / q.page).is_file()]
    assert not named, f"questions for pages that do not exist: {named}"


def test_there_are_all_three_kinds_of_question():
    kinds = {kind: sum(q.kind == kind for q in QUESTIONS) for kind in ("choice", "numeric", "open")}
    assert kinds["choice"] >= 60 and kinds["open"] >= 60 and kinds["numeric"] >= 15, kinds


def test_every_page_that_shows_example_output_has_a_question_that_cites_an_example():
    """A page that includes examples and shows output in a text fence asks about that output."""
    cited = {q.page for q in QUESTIONS if q.cites}
    pages = []
    for page in chapter_pages():
        text = (DOCS / page).read_text("utf-8")
        if '--8<-- "examples/' in text and re.search(r"^\s*```text", text, re.M):
            pages.append(page)
    assert pages, "no page shows example output: the check would prove nothing"
    missing = [page for page in pages if page not in cited]
    assert not missing, f"pages with example output but no cited question: {missing}"


# --- the loader rejects bad data with the file and line -----------------------------------


@pytest.fixture
def quiz_copy(tmp_path) -> Path:
    target = tmp_path / "quiz"
    shutil.copytree(QUIZ_DIR, target)
    return target


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first `old` in `path`; return the 1-based line where it was."""
    text = path.read_text()
    index = text.index(old)
    path.write_text(text.replace(old, new, 1))
    return text.count("\n", 0, index) + 1


CASES = {
    "two correct choices": (
        '        - text: "4"\n          correct: true\n',
        '        - text: "4"\n          correct: true\n'
        '        - text: "7"\n          correct: true\n',
        "expected at most 1",
    ),
    "a question without a question mark": (
        "How many replicas does it ask for?",
        "How many replicas does it ask for.",
        "does not match",
    ),
    "an unknown field": ("      cites:\n", "      cite:\n", "Additional properties"),
    "an open question without its rubric": ("      rubric:\n", "      rubrics:\n", "'rubric'"),
    "an unknown level": ("      level: recall\n", "      level: remember\n", "'remember'"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_invalid_data_names_file_and_line(case, quiz_copy):
    old, new, message = CASES[case]
    path = quiz_copy / "kubernetes.yml"
    edit(path, old, new)
    with pytest.raises(QuizError) as error:
        load_quiz(quiz_copy)
    text = str(error.value)
    assert message in text, text
    match = re.search(r"(\S+kubernetes\.yml):(\d+): ", text)
    assert match, text
    line = int(match[2])
    assert 1 < line < len(path.read_text().splitlines()), text


def test_yaml_syntax_error_names_the_line(quiz_copy):
    path = quiz_copy / "mlops.yml"
    line = edit(path, "title: MLOps\n", "title: MLOps: broken\n")
    with pytest.raises(QuizError, match=rf"mlops\.yml:{line}: not valid YAML"):
        load_quiz(quiz_copy)


def test_a_duplicate_id_names_both_places(quiz_copy):
    edit(quiz_copy / "interview.yml", "id: star-parts", "id: k8s-hpa-tolerance")
    with pytest.raises(QuizError, match=r"interview\.yml:\d+: id 'k8s-hpa-tolerance' is already"):
        load_quiz(quiz_copy)


def test_a_missing_part_file_is_an_error(quiz_copy):
    (quiz_copy / "reliability.yml").unlink()
    with pytest.raises(QuizError, match=r"reliability\.yml:1: missing"):
        load_quiz(quiz_copy)
