"""Build the Anki deck of "Check yourself": `python -m guidebuild.deck [--out FILE]`.

Input: docs/includes/quiz/<part>.yml, the same data the site's quizzes and the PDF appendix come
from (loaded and validated by quiz.py). Output: dist/field-guide-flashcards.apkg,
one subdeck per part, one note per question (front: the question and its choices; back: the
answer and the model answer).

Re-importing an updated deck updates its cards instead of duplicating them, because nothing in it
depends on the order of the questions or the build time:
- each note's guid (what Anki matches on) and id derive from the question's `id`;
- the note type and deck ids are constants, and every other timestamp is SOURCE_DATE_EPOCH
  (or 2026-01-01), so the same data gives the same database.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import genanki  # type: ignore[import-untyped]
import markdown

from guidebuild.paths import DECK
from guidebuild.quiz import LETTERS, Question, QuizError, all_questions, inline, load_quiz

OUT = DECK
DECK_NAME = "ML Platform Engineer's Field Guide"
# Constants for ever: changing one makes Anki see a new note type or deck.
MODEL_ID = 1_734_000_001
DECK_ID = 1_734_000_101
GUID_NAMESPACE = "ml-platform-field-guide"
DEFAULT_EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z

CSS = """
.card { font-family: system-ui, sans-serif; font-size: 18px; text-align: left;
        color: #1b1b1b; background: #fff; max-width: 42em; margin: 0 auto; }
.nightMode .card, .card.nightMode { color: #e6e6e6; background: #1e1e1e; }
.where { font-size: 13px; opacity: .7; }
code, pre { font-family: ui-monospace, monospace; font-size: 15px; }
pre { white-space: pre-wrap; background: rgba(127,127,127,.12); padding: .5em; }
ol.choices { list-style-type: upper-alpha; }
dl.rubric dt { font-weight: bold; }
"""

MODEL = genanki.Model(
    MODEL_ID,
    "Field guide: Check yourself",
    fields=[{"name": "Id"}, {"name": "Where"}, {"name": "Question"}, {"name": "Answer"}],
    templates=[
        {
            "name": "Question -> answer",
            "qfmt": '<div class="where">{{Where}}</div>{{Question}}',
            "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}',
        }
    ],
    css=CSS,
    sort_field_index=0,
)


def note_guid(question_id: str) -> str:
    return str(genanki.guid_for(GUID_NAMESPACE, question_id))


def note_id(question_id: str) -> int:
    """A positive 63-bit id from the question id alone (Anki keeps note ids as int64)."""
    digest = hashlib.sha256(f"{GUID_NAMESPACE}:{question_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 2


class StableNote(genanki.Note):  # type: ignore[misc]
    """A note whose database id comes from its question, not from its position in the deck."""

    def __init__(self, *args: Any, stable_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stable_id = stable_id

    def write_to_db(
        self, cursor: Any, timestamp: float, deck_id: int, id_gen: Iterator[int]
    ) -> None:
        first = True

        def ids() -> Generator[int]:
            nonlocal first
            while True:
                if first:
                    first = False
                    yield self.stable_id
                else:
                    yield next(id_gen)

        super().write_to_db(cursor, timestamp, deck_id, ids())


def front(question: Question) -> str:
    html = f"<p><b>{inline(question.ask)}</b></p>"
    if question.choices:
        items = "".join(f"<li>{inline(c['text'])}</li>" for c in question.choices)
        html += f'<ol class="choices">{items}</ol>'
    return html


def back(question: Question) -> str:
    html = ""
    if question.choices:
        index = question.correct or 0
        html += f"<p><b>Answer: {LETTERS[index]}.</b> {inline(question.choices[index]['text'])}</p>"
    if question.numeric:
        html += f"<p><b>Answer: {numeric_answer(question.numeric)}</b></p>"
    html += markdown.markdown(question.answer, extensions=["fenced_code", "tables", "sane_lists"])
    if question.rubric:
        grades = "".join(
            f"<dt>{grade.title()}</dt><dd>{inline(question.rubric[grade])}</dd>"
            for grade in ("strong", "average", "weak")
        )
        html += f'<p><b>Grade yourself:</b></p><dl class="rubric">{grades}</dl>'
    return html


def numeric_answer(numeric: dict[str, Any]) -> str:
    value = numeric["value"]
    number = f"{int(value):,}" if float(value).is_integer() else f"{value:,}"
    return f"{number} {numeric.get('unit') or ''}".strip()


def tags(question: Question, page: str) -> list[str]:
    """The part and page, as before, and the level and kind, so a reviewer can filter on them
    (`tag:field-guide::level::design`)."""
    found = [f"field-guide::{question.part}", f"field-guide::{question.part}::{page}"]
    if question.level:
        found.append(f"field-guide::level::{question.level}")
    if question.kind:
        found.append(f"field-guide::kind::{question.kind}")
    return found


def build_deck(quiz_dir: Path | None = None) -> tuple[Any, int]:
    parts = load_quiz(quiz_dir) if quiz_dir else load_quiz()
    titles = {name: part.title for name, part in parts.items()}
    decks: dict[str, genanki.Deck] = {}
    count = 0
    for question in all_questions(parts):
        part = question.part
        if part not in decks:
            # Subdeck ids derive from the part's name, like note ids from question ids.
            sub_id = DECK_ID + 1 + int(hashlib.sha256(part.encode()).hexdigest()[:6], 16)
            decks[part] = genanki.Deck(sub_id, f"{DECK_NAME}::{titles[part]}")
        page = question.page.rsplit("/", 1)[-1].removesuffix(".md")
        decks[part].add_note(
            StableNote(
                model=MODEL,
                fields=[
                    question.id,
                    f"{titles[part]} &rsaquo; {page}",
                    front(question),
                    back(question),
                ],
                guid=note_guid(question.id),
                tags=tags(question, page),
                stable_id=note_id(question.id),
            )
        )
        count += 1
    return genanki.Package(list(decks.values())), count


def write(out: Path, quiz_dir: Path | None = None) -> int:
    package, count = build_deck(quiz_dir)
    epoch = float(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH))
    out.parent.mkdir(parents=True, exist_ok=True)
    # Write next to the target, then rename: a failed build never leaves half a deck.
    with tempfile.NamedTemporaryFile(dir=out.parent, suffix=".apkg", delete=False) as handle:
        partial = Path(handle.name)
    try:
        package.write_to_file(str(partial), timestamp=epoch)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    try:
        count = write(args.out.resolve())
    except QuizError as error:
        print(f"build_deck: invalid quiz data:\n{error}", file=sys.stderr)
        return 1
    print(f"build_deck: wrote {args.out} ({count} notes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
