"""The Anki deck (guidebuild/deck.py) opens, has one note per question, and keeps
its ids when rebuilt, so re-importing an updated deck updates cards instead of duplicating them."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import genanki
import pytest

from guidebuild.deck import (
    DECK_NAME,
    MODEL_ID,
    note_guid,
    note_id,
    numeric_answer,
    write,
)
from guidebuild.quiz import QUIZ_DIR, all_questions, load_quiz

QUESTIONS = all_questions(load_quiz())


def read_deck(path: Path, tmp_path: Path) -> dict:
    """The deck's notes and decks, read back from the .apkg (a zip holding an SQLite file)."""
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert "collection.anki2" in names, names
        db = tmp_path / f"{path.stem}.anki2"
        db.write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(db) as connection:
        notes = connection.execute("SELECT id, guid, mid, flds, tags FROM notes").fetchall()
        cards = connection.execute("SELECT id, nid, did FROM cards").fetchall()
        decks = connection.execute("SELECT decks FROM col").fetchone()[0]
    return {"notes": notes, "cards": cards, "decks": decks}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("deck")
    first, second = out / "first.apkg", out / "second.apkg"
    assert write(first) == len(QUESTIONS)
    assert write(second) == len(QUESTIONS)
    return read_deck(first, out), read_deck(second, out)


def test_one_note_per_question(built):
    deck, _ = built
    assert len(deck["notes"]) == len(QUESTIONS)
    assert len(deck["cards"]) == len(QUESTIONS)
    assert {row[3].split("\x1f")[0] for row in deck["notes"]} == {q.id for q in QUESTIONS}


def test_notes_are_keyed_on_question_ids(built):
    deck, _ = built
    by_id = {row[3].split("\x1f")[0]: row for row in deck["notes"]}
    for question in QUESTIONS:
        nid, guid, mid, _, _ = by_id[question.id]
        assert (
            guid
            == note_guid(question.id)
            == genanki.guid_for("ml-platform-field-guide", question.id)
        )
        assert nid == note_id(question.id)
        assert mid == MODEL_ID


def test_rebuilding_gives_the_same_ids(built):
    first, second = built
    assert sorted(first["notes"]) == sorted(second["notes"])
    assert sorted(first["cards"]) == sorted(second["cards"])


def test_reordering_questions_keeps_each_note_id(tmp_path):
    """Ids come from the question's id, not its position: move a question, ids stay."""
    quiz = tmp_path / "quiz"
    quiz.mkdir()
    for source in QUIZ_DIR.iterdir():
        (quiz / source.name).write_bytes(source.read_bytes())
    text = (quiz / "interview.yml").read_text()
    start = text.index("    - id: star-parts")
    end = text.index("    - id: star-skew-story")
    block = text[start:end]
    moved = text[:start] + text[end:]
    anchor = moved.index("\n  interview/scenarios.md:")
    (quiz / "interview.yml").write_text(moved[:anchor] + "\n" + block.rstrip("\n") + moved[anchor:])
    reordered = load_quiz(quiz)
    assert [q.id for q in all_questions(reordered)] != [q.id for q in QUESTIONS]
    original, moved_deck = tmp_path / "a.apkg", tmp_path / "b.apkg"
    write(original)
    write(moved_deck, quiz)
    ids = lambda deck: {row[3].split("\x1f")[0]: (row[0], row[1]) for row in deck["notes"]}  # noqa: E731
    assert ids(read_deck(original, tmp_path)) == ids(read_deck(moved_deck, tmp_path))


def test_cards_show_question_and_answer(built):
    deck, _ = built
    row = next(r for r in deck["notes"] if r[3].startswith("k8s-hpa-tolerance\x1f"))
    _, where, front, back = row[3].split("\x1f")
    assert "Kubernetes" in where
    assert "How many replicas" in front and "<li>4</li>" in front
    assert "Answer: B." in back and "within 10% of 70: tolerance" in back
    assert DECK_NAME in deck["decks"]


def test_notes_are_tagged_with_their_level_and_kind(built):
    """Anki filters on tags: `tag:field-guide::level::design` is a design-round drill."""
    deck, _ = built
    questions = {q.id: q for q in all_questions(load_quiz())}
    for row in deck["notes"]:
        question = questions[row[3].split("\x1f")[0]]
        tags = set(row[4].split())
        assert f"field-guide::level::{question.level}" in tags, (question.id, tags)
        assert f"field-guide::kind::{question.kind}" in tags, (question.id, tags)
    levels = {tag for row in deck["notes"] for tag in row[4].split() if "::level::" in tag}
    assert levels == {f"field-guide::level::{lvl}" for lvl in ("recall", "apply", "design")}


def test_open_cards_carry_their_rubric_and_numeric_cards_their_value(built):
    deck, _ = built
    backs = {row[3].split("\x1f")[0]: row[3].split("\x1f")[3] for row in deck["notes"]}
    questions = all_questions(load_quiz())
    open_ones = [q for q in questions if q.kind == "open"]
    numeric = [q for q in questions if q.kind == "numeric"]
    assert open_ones and numeric
    for question in open_ones:
        back = backs[question.id]
        assert "<dt>Strong</dt>" in back and "<dt>Weak</dt>" in back, question.id
    for question in numeric:
        assert f"Answer: {numeric_answer(question.numeric)}" in backs[question.id], question.id
