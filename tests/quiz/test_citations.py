"""Every answer that quotes an example's output quotes what the example really prints.

How each `cites.check` is proved:
- `run`: the example is plain Python (or a shell script) with no engine, so this test runs it and
  finds every quoted line in what it printed (examples/kubernetes/autoscaling/hpa_math.py,
  examples/kubernetes/core-objects/secret-encode.sh).
- `page`: the example needs an engine (Spark, Flink) or is the page's own inline block; the quoted
  lines must be in the page's output (an `*.out.txt` file a ```text fence includes, or a `#>`
  comment that pytest-examples checks), and the chapter test named in `cites.test` must exist:
  that test writes or compares the output file from a real run (tests/support/outputs.py).
- `test`: the chapter test named in `cites.test` asserts each quoted string against the running
  engine (Ray's actor counts, MLflow's stage names, the pipeline's validation message).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from guidebuild.includes import include_target
from guidebuild.quiz import Question, all_questions, load_quiz

ROOT = Path(__file__).resolve().parents[2]
CITED = [q for q in all_questions(load_quiz()) if q.cites]
TEXT_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```text[^\n]*\n(?P<body>.*?)^(?P=indent)```", re.M | re.S
)


def normalise(text: str) -> str:
    return " ".join(text.split())


@cache
def run(example: str, args: tuple[str, ...]) -> str:
    path = ROOT / example
    command = ["bash", str(path)] if path.suffix == ".sh" else [sys.executable, str(path)]
    done = subprocess.run(
        [*command, *args], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False
    )
    assert done.returncode == 0, f"{example} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def fence_lines(body: str) -> list[str]:
    """A text fence's lines, with each included output file read in."""
    lines = []
    for line in body.splitlines():
        target = include_target(line)
        lines += (ROOT / target).read_text("utf-8").splitlines() if target else [line]
    return lines


def page_output(page: str) -> list[str]:
    """The lines a page shows as output: its text fences and its `#>` comments."""
    text = (ROOT / page).read_text("utf-8")
    lines = [line for m in TEXT_FENCE.finditer(text) for line in fence_lines(m["body"])]
    lines += [line.split("#>", 1)[1] for line in text.splitlines() if "#>" in line]
    return lines


def source_of_test(node_id: str) -> str:
    """The named test function's source, with its decorators (its parametrize cases)."""
    path, name = node_id.split("::")
    lines = (ROOT / path).read_text("utf-8").splitlines()
    for node in ast.parse("\n".join(lines)).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            return "\n".join(lines[start - 1 : node.end_lineno])
    pytest.fail(f"{node_id} does not exist: the citation names a test that is not there")


def test_some_answers_cite_examples_of_each_kind():
    kinds = {q.cites["check"] for q in CITED}
    assert kinds == {"run", "page", "test"}, kinds
    assert len(CITED) >= 10, len(CITED)


@pytest.mark.parametrize("question", CITED, ids=lambda q: q.id)
def test_cited_example_exists(question: Question):
    assert (ROOT / question.cites["example"]).is_file(), question.source


@pytest.mark.parametrize(
    "question", [q for q in CITED if q.cites["check"] == "run"], ids=lambda q: q.id
)
def test_quoted_lines_are_what_the_example_prints(question: Question):
    printed = run(question.cites["example"], tuple(question.cites.get("args", ())))
    lines = printed.splitlines()
    for quoted in question.cites["output"]:
        assert quoted in lines, f"{question.source}: {quoted!r} is not a line of:\n{printed}"


@pytest.mark.parametrize(
    "question", [q for q in CITED if q.cites["check"] == "page"], ids=lambda q: q.id
)
def test_quoted_lines_are_the_output_the_page_shows(question: Question):
    shown = page_output(question.cites["page"])
    for quoted in question.cites["output"]:
        assert any(quoted in line for line in shown), (
            f"{question.source}: {quoted!r} is not in an output block of {question.cites['page']}"
        )
    source = source_of_test(question.cites["test"])
    page_name = Path(question.cites["page"]).name
    example = Path(question.cites["example"])
    module = (ROOT / question.cites["test"].split("::")[0]).read_text("utf-8")
    # The named test is about this page or this example, not any test that happens to exist.
    assert any(name in module for name in (page_name, example.name, example.stem)) or (
        "example" in source
    ), f"{question.source}: {question.cites['test']} does not check {example} or {page_name}"


@pytest.mark.parametrize(
    "question", [q for q in CITED if q.cites["check"] == "test"], ids=lambda q: q.id
)
def test_quoted_strings_are_asserted_by_the_chapter_test(question: Question):
    source = source_of_test(question.cites["test"])
    assert "assert" in source
    for quoted in question.cites["output"]:
        assert quoted in source, (
            f"{question.source}: {question.cites['test']} does not assert {quoted!r}"
        )


@pytest.mark.parametrize(
    "question", [q for q in CITED if q.cites["check"] != "test"], ids=lambda q: q.id
)
def test_the_answer_shows_the_quoted_output(question: Question):
    answer = normalise(question.answer)
    for quoted in question.cites["output"]:
        assert normalise(quoted) in answer, (
            f"{question.source}: the answer does not quote {quoted!r}"
        )


def generated_output() -> list[str]:
    """Every line the test suite generates for pages: the `*.out.txt` files and the `#>`
    comments pytest-examples checks."""
    lines = [
        line for p in ROOT.glob("examples/**/*.out.txt") for line in p.read_text().splitlines()
    ]
    for page in (ROOT / "docs").rglob("*.md"):
        lines += [
            line.split("#>", 1)[1] for line in page.read_text("utf-8").splitlines() if "#>" in line
        ]
    return lines


@pytest.mark.parametrize(
    "question", [q for q in all_questions(load_quiz()) if "```text" in q.answer], ids=lambda q: q.id
)
def test_output_quoted_in_an_answer_is_generated_output(question: Question):
    """An answer may quote a few lines of an example's output; each must be a line (or part of
    one) that the tests generate, so a quote cannot outlive the output it came from."""
    generated = generated_output()
    quoted = [
        line.strip()
        for m in TEXT_FENCE.finditer(question.answer)
        for line in m["body"].splitlines()
    ]
    for line in filter(None, quoted):
        assert any(line in shown for shown in generated), (
            f"{question.source}: the answer quotes {line!r}, which no *.out.txt file or `#>` "
            "comment holds: quote the output the example's test generates"
        )
