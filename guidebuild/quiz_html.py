"""The "Check yourself" questions as HTML, from the Jinja partials in overrides/partials/quiz/.

Each chapter page ends with its questions (interactive on the site, questions only in print),
and the print build gets an appendix page with every question and its model answer. Answers
are full Markdown, converted with the site's own extensions (highlighting, admonitions,
abbreviations).
"""

from __future__ import annotations

import re
from typing import Any

import jinja2
import markdown
from markupsafe import Markup

from guidebuild.paths import OVERRIDES
from guidebuild.quiz import LETTERS, Part, Question, all_questions, inline

APPENDIX = "appendix/check-yourself-answers.md"
APPENDIX_TITLE = "Appendix: Check yourself, with answers"
JS, CSS = "assets/javascripts/quiz.js", "assets/stylesheets/quiz.css"
HEADING = "## Check yourself {#check-yourself}"

CODE_ANCHOR = re.compile(r"__(span|codelineno)-(\d+-\d+)")
ANSWER_MARK = re.compile(r"<!-- quiz-answer (\S+) -->")


def templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(OVERRIDES / "partials"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["inline"] = lambda text: Markup(inline(str(text)))
    env.globals["letters"] = LETTERS
    return env


class QuizRenderer:
    """Renders one build's questions. The model answers are converted once, together: each
    conversion also parses the glossary that snippets appends to every text."""

    def __init__(
        self,
        parts: dict[str, Part],
        markdown_extensions: list[Any],
        extension_configs: dict[str, Any],
    ) -> None:
        self.parts = parts
        self._md = markdown.Markdown(
            extensions=markdown_extensions, extension_configs=extension_configs
        )
        self._env = templates()
        self._answers: dict[str, Markup] = {}

    def answers(self) -> dict[str, Markup]:
        """Question id -> its model answer as HTML. Code-line anchors get the question id in
        their ids, so they stay unique on a page that has code blocks of its own."""
        if not self._answers:
            marked = "".join(
                f"\n\n<!-- quiz-answer {q.id} -->\n\n{q.answer}" for q in all_questions(self.parts)
            )
            self._md.reset()
            chunks = ANSWER_MARK.split(self._md.convert(marked))[1:]
            for qid, converted in zip(chunks[::2], chunks[1::2], strict=True):
                self._answers[qid] = Markup(CODE_ANCHOR.sub(rf"__\1-{qid}-\2", converted.strip()))
        return self._answers

    def page_quiz(self, questions: list[Question], print_build: bool) -> str:
        """The Markdown to append to a chapter page: a heading and the questions' HTML."""
        html = self._env.get_template("quiz/page.html").render(
            questions=questions,
            print_build=print_build,
            answers={} if print_build else self.answers(),
        )
        return f"\n\n{HEADING}\n\n{html.strip()}\n"

    def appendix(self, titles: dict[str, str]) -> str:
        """The appendix page's Markdown; `titles` maps a page's path to its title."""
        return self._env.get_template("quiz/appendix.html").render(
            title=APPENDIX_TITLE,
            parts=list(self.parts.values()),
            titles=titles,
            answers=self.answers(),
        )

    def mock_page(self, title: str, sets: list[list[Question]], minutes: int) -> str:
        """The practice page's Markdown in print: the mock interviews, questions only."""
        return self._env.get_template("practice/mock-sets.html").render(
            title=title, sets=sets, minutes=minutes, parts=self.parts
        )

    def mock_appendix(self, title: str, sets: list[list[Question]], titles: dict[str, str]) -> str:
        """The mock interviews' answers and rubrics, an appendix page of the PDF."""
        return self._env.get_template("practice/mock-answers.html").render(
            title=title, sets=sets, titles=titles, answers=self.answers()
        )
