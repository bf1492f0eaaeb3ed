""" "Check yourself" at the end of every chapter page, generated from docs/includes/quiz/<part>.yml.

One data file per part of the guide (kubernetes, distributed, mlops, reliability, interview)
holds the questions of each of its pages, validated against docs/includes/quiz/quiz.schema.json.
The same data gives three things:

- on the site, a quiz appended to each page: multiple choice in a real <fieldset> of radio
  buttons with a Check button and an aria-live verdict (docs/assets/javascripts/quiz.js, which
  this hook registers itself), and every model answer in a <details>, readable without script;
- in the print build (mkdocs.print.yml, which has the print-site plugin), the questions alone
  on each page and an appendix page with every question and its answer;
- the Anki deck (overrides/flashcards/build_deck.py), through `load_quiz()`.

A missing or invalid data file, or a chapter page without questions, fails the build with the
file and line. `load_quiz()` and `problems()` import no MkDocs, so the deck builder and
tests/quiz use them too.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
QUIZ_DIR = ROOT / "docs" / "includes" / "quiz"
SCHEMA = QUIZ_DIR / "quiz.schema.json"
# The parts of the guide whose every page (but its index) ends with "Check yourself".
PARTS = ("kubernetes", "distributed", "mlops", "reliability", "interview")
APPENDIX = "appendix/check-yourself-answers.md"
APPENDIX_TITLE = "Appendix: Check yourself, with answers"
JS, CSS = "assets/javascripts/quiz.js", "assets/stylesheets/quiz.css"
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
    choices: list[dict] = field(default_factory=list)
    cites: dict | None = None
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


def _node_at(node: yaml.Node, path) -> yaml.Node:
    """The YAML node at a JSON path (keys and indexes), as deep as the document goes."""
    for key in path:
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


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key twice in one mapping (YAML would keep the last silently)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


def read_part(path: Path) -> tuple[dict, yaml.Node]:
    rel = _rel(path)
    if not path.is_file():
        raise QuizError(f"{rel}:1: missing: every part needs its Check yourself questions")
    text = path.read_text("utf-8")
    try:
        node = yaml.compose(text, Loader=_UniqueKeyLoader)
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark else 1
        raise QuizError(f"{rel}:{line}: not valid YAML: {error}") from None
    if node is None:
        raise QuizError(f"{rel}:1: empty file")
    return data, node


def schema_problems(data: dict, node: yaml.Node, path: Path) -> list[str]:
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
                    choices=item.get("choices", []),
                    cites=item.get("cites"),
                    source=f"{_rel(path)}:{line}",
                )
            )
        pages[page] = questions
    return Part(data["part"], data["title"], pages, path)


def load_quiz(quiz_dir: Path = QUIZ_DIR) -> dict[str, Part]:
    """Every part's questions, in PARTS order; raises QuizError naming each file and line."""
    parts, errors = {}, []
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


# --- rendering --------------------------------------------------------------------------

CODE_ANCHOR = re.compile(r"__(span|codelineno)-(\d+-\d+)")
ANSWER_MARK = re.compile(r"<!-- quiz-answer (\S+) -->")
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


class Renderer:
    """Turns questions into HTML; answers are full Markdown, converted with the site's own
    extensions (highlighting, admonitions, abbreviations)."""

    def __init__(self, config):
        import markdown

        self._md = markdown.Markdown(
            extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"]
        )
        self._answers: dict[str, str] = {}

    def markdown(self, text: str, scope: str = "") -> str:
        """`text` as HTML; code-line anchors get `scope` in their ids, so they stay unique on a
        page that already has code blocks of its own."""
        self._md.reset()
        converted = self._md.convert(text)
        return CODE_ANCHOR.sub(rf"__\1-{scope}-\2", converted) if scope else converted

    def answer(self, question: Question, parts: dict[str, Part]) -> str:
        """The question's model answer as HTML. Every conversion also parses the glossary that
        snippets appends (about a hundred abbreviations, one big regex), so the answers of
        every question are converted together, once per build, and split apart again."""
        if not self._answers:
            questions = [q for part in parts.values() for qs in part.pages.values() for q in qs]
            marked = "".join(f"\n\n<!-- quiz-answer {q.id} -->\n\n{q.answer}" for q in questions)
            chunks = ANSWER_MARK.split(self.markdown(marked))[1:]
            for qid, converted in zip(chunks[::2], chunks[1::2], strict=True):
                self._answers[qid] = CODE_ANCHOR.sub(rf"__\1-{qid}-\2", converted.strip())
        return self._answers[question.id]

    def _choices_html(self, question: Question, interactive: bool) -> str:
        if not interactive:
            items = "".join(f"<li>{inline(c['text'])}</li>" for c in question.choices)
            return f'<ol class="quiz__options" type="A">{items}</ol>'
        rows = []
        for index, choice in enumerate(question.choices):
            ident = f"quiz-{question.id}-{index}"
            why = choice.get("why")
            # Read out as plain text by quiz.js: no Markdown marks.
            why_attr = f' data-why="{html.escape(why.replace("`", ""))}"' if why else ""
            rows.append(
                f'<div class="quiz__option"><input type="radio" id="{ident}" '
                f'name="quiz-{question.id}" value="{index}"{why_attr}> '
                f'<label for="{ident}">{LETTERS[index]}. {inline(choice["text"])}</label></div>'
            )
        return "".join(rows)

    def question(self, question: Question, number: int, print_build: bool) -> str:
        ask = f'<span class="quiz__number">{number}.</span> {inline(question.ask)}'
        qid = f"quiz-{question.id}"
        if print_build:
            body = f'<p class="quiz__ask">{ask}</p>'
            if question.choices:
                body += self._choices_html(question, interactive=False)
            return f'<div class="quiz__question" id="{qid}">{body}</div>'
        answer = self.answer(question, _state["parts"])
        if question.choices:
            correct = question.correct
            solution = (
                f"<p><strong>Answer: {LETTERS[correct]}.</strong> "
                f"{inline(question.choices[correct]['text'])}</p>"
            )
            body = (
                f'<fieldset class="quiz__choices"><legend>{ask}</legend>'
                f"{self._choices_html(question, interactive=True)}"
                '<button type="button" class="md-button quiz__check" hidden>Check</button>'
                '<p class="quiz__feedback" role="status" aria-live="polite"></p></fieldset>'
            )
            data = f' data-correct="{correct}"'
        else:
            solution = ""
            body = f'<p class="quiz__ask">{ask}</p>'
            data = ""
        return (
            f'<div class="quiz__question" id="{qid}"{data}>{body}'
            '<details class="quiz__answer success"><summary>Model answer</summary>'
            f"{solution}{answer}</details></div>"
        )

    def page_quiz(self, questions: list[Question], print_build: bool) -> str:
        intro = "Questions an interviewer asks about this page. " + (
            "The answers are in the appendix at the end of the guide."
            if print_build
            else "Pick an answer and press Check, or think yours through, then open the "
            "model answer."
        )
        items = "".join(self.question(q, n, print_build) for n, q in enumerate(questions, 1))
        score = (
            ""
            if print_build
            else '<p class="quiz__score" role="status" aria-live="polite" hidden></p>'
        )
        kind = "quiz quiz--print" if print_build else "quiz"
        data = "" if print_build else " data-quiz"
        return (
            f"\n\n## Check yourself {{#check-yourself}}\n\n"
            f'<div class="{kind}"{data}><p class="quiz__intro">{intro}</p>{items}{score}</div>\n'
        )

    def appendix(self, parts: dict[str, Part], titles: dict[str, str]) -> str:
        out = [f"# {APPENDIX_TITLE}\n\nEvery chapter's questions, with the model answers.\n"]
        for part in parts.values():
            out.append(f"\n## {part.title}\n")
            for page, questions in part.pages.items():
                out.append(f"\n### {titles.get(page, page)}\n\n")
                blocks = []
                for number, question in enumerate(questions, 1):
                    ask = f'<p class="quiz__ask"><span class="quiz__number">{number}.</span> '
                    ask += f"{inline(question.ask)}</p>"
                    if question.choices:
                        ask += self._choices_html(question, interactive=False)
                        correct = question.correct
                        ask += (
                            f"<p><strong>Answer: {LETTERS[correct]}.</strong> "
                            f"{inline(question.choices[correct]['text'])}</p>"
                        )
                    solution = self.answer(question, parts)
                    blocks.append(
                        f'<div class="quiz__question">{ask}'
                        f'<div class="quiz__solution">{solution}</div></div>'
                    )
                out.append(f'<div class="quiz quiz--appendix">{"".join(blocks)}</div>\n')
        return "".join(out)


# --- MkDocs events ------------------------------------------------------------------------

_state: dict = {}


def _fail(message: str):
    from mkdocs.exceptions import PluginError

    raise PluginError(message)


def on_config(config):
    try:
        _state["parts"] = load_quiz()
    except QuizError as error:
        _fail(f"Check yourself data:\n{error}")
    _state["print"] = "print-site" in config["plugins"]
    _state["renderer"] = Renderer(config)
    # The quiz's own script and style, served by the site (no CDN), on every page. The script
    # is deferred: it only wires up Check buttons, which can wait until the page is parsed.
    if JS not in [str(s) for s in config["extra_javascript"]]:
        from mkdocs.config.config_options import ExtraScriptValue

        script = ExtraScriptValue(JS)
        script.defer = True
        config["extra_javascript"].append(script)
    if CSS not in config["extra_css"]:
        config["extra_css"].append(CSS)
    return config


def on_files(files, config):
    from mkdocs.structure.files import File, InclusionLevel

    known = {f.src_uri for f in files.documentation_pages()}
    for part in _state["parts"].values():
        for page, questions in part.pages.items():
            if page not in known:
                import logging

                logging.getLogger("mkdocs.plugins.quiz").warning(
                    f"{questions[0].source}: questions for {page}, which is not in docs/"
                )
    if _state["print"]:
        files.append(
            File.generated(
                config,
                APPENDIX,
                content=f"# {APPENDIX_TITLE}\n",
                inclusion=InclusionLevel.NOT_IN_NAV,
            )
        )
    return files


def on_nav(nav, config, files):
    if not _state["print"]:
        return nav
    page = files.get_file_from_path(APPENDIX).page
    page.title = APPENDIX_TITLE
    if nav.pages:
        nav.pages[-1].next_page, page.previous_page = page, nav.pages[-1]
    # print-site keeps a reference to nav.items and prints its pages in that order.
    nav.items.append(page)
    nav.pages.append(page)
    return nav


def _page_title(page) -> str:
    match = re.search(r"^# (.+)$", page.markdown or "", re.M)
    return match[1].strip() if match else (page.title or page.file.src_uri)


def on_page_markdown(markdown, page, config, files):
    src = page.file.src_uri
    renderer: Renderer = _state["renderer"]
    if src == APPENDIX:
        titles = {}
        for f in files.documentation_pages():
            path = Path(config["docs_dir"]) / f.src_uri
            if path.is_file():
                match = re.search(r"^# (.+)$", path.read_text("utf-8"), re.M)
                if match:
                    titles[f.src_uri] = match[1].strip()
        return renderer.appendix(_state["parts"], titles)
    if not requires_quiz(src):
        return markdown
    part = _state["parts"][src.split("/")[0]]
    questions = part.pages.get(src)
    if not questions:
        _fail(
            f"docs/{src}:1: this chapter page has no Check yourself questions: add them under "
            f"`pages: {src}:` in {_rel(part.path)}"
        )
    return markdown.rstrip("\n") + renderer.page_quiz(questions, _state["print"])
