"""The PDF's printable mock interviews: the practice page prints three sets of questions (and no
answers), and an appendix at the end holds each question's model answer and rubric."""

from __future__ import annotations

import pytest

from guidebuild.practice import MOCK_APPENDIX_TITLE, MOCK_SETS, MOCK_SIZE, mock_sets
from guidebuild.quiz import load_quiz
from tests.pdf.sources import WORD, normalise
from tests.pdf.test_pdf import outline_titles

SETS = mock_sets(load_quiz(), MOCK_SETS, MOCK_SIZE)


def words(text: str) -> str:
    return " ".join(WORD.findall(text))


def first_words(text: str, count: int = 6) -> str:
    return " ".join(WORD.findall(text)[:count])


def practice_pages(reader) -> range:
    """The practice page's PDF pages: from its outline entry to the next top-level one."""
    top = [item for item in reader.outline if not isinstance(item, list)]
    starts = [reader.get_destination_page_number(item) for item in top]
    at = next(i for i, item in enumerate(top) if normalise(item.title) == "Practice")
    return range(starts[at], starts[at + 1] if at + 1 < len(starts) else len(reader.pages))


@pytest.fixture(scope="module")
def sections(pdf_reader, pdf_pages_text) -> tuple[str, str]:
    """(the mock sets, as printed on the practice page; the mock answers appendix)."""
    pages = [normalise(page) for page in pdf_pages_text]
    appendix_at = [i for i, page in enumerate(pages) if MOCK_APPENDIX_TITLE in page][-1]
    practice = practice_pages(pdf_reader)
    assert practice.stop <= appendix_at, "the questions come before their answers"
    printed = " ".join(pages[i] for i in practice)
    assert "Mock interview 1" in printed, "the practice page prints no mock interview"
    return words(printed), words(" ".join(pages[appendix_at:]))


def test_the_appendix_is_in_the_outline(pdf_reader):
    assert MOCK_APPENDIX_TITLE in outline_titles(pdf_reader)


def test_every_mock_question_is_printed_then_answered(sections):
    printed, appendix = sections
    missing = [
        (number, q.id)
        for number, chosen in enumerate(SETS, 1)
        for q in chosen
        if first_words(q.ask) not in printed or first_words(q.ask) not in appendix
    ]
    assert not missing, f"mock questions not printed in both places: {missing[:5]}"


def test_the_sets_hold_questions_only_and_the_appendix_the_rubrics(sections):
    printed, appendix = sections
    open_ones = [q for chosen in SETS for q in chosen if q.rubric]
    assert open_ones, "no open question in the mock sets"
    for question in open_ones:
        strong = first_words(question.rubric["strong"], 8)
        assert strong in appendix, (question.id, strong)
        assert strong not in printed, f"{question.id}: its rubric is printed with the question"
        answer = first_words(question.answer, 8)
        assert answer not in printed, f"{question.id}: its answer is printed with the question"
