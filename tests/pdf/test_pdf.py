"""The guide's PDF (dist/field-guide.pdf, built by `nox -s pdf`) shows what the site shows."""

from __future__ import annotations

import re
import tomllib

import pytest

from tests.pdf.sources import (
    DOCS,
    ROOT,
    WORD,
    blocks,
    load_yaml,
    markdown_of_nav,
    nav_pages,
    normalise,
    page_title,
    plain,
)

PAGES = markdown_of_nav()
TITLES = {page: title for page, markdown in PAGES.items() if (title := page_title(markdown))}
# Unexpanded build syntax: an include, a shortcode, a template variable.
LEFTOVERS = {"--8<--": "a snippet include", "<!-- md:": "a shortcode"}
TEMPLATE = re.compile(r"\{\{.{0,60}?\}\}|\{%.{0,60}?%\}")


@pytest.fixture(scope="module")
def text(pdf_pages_text) -> str:
    return normalise(" ".join(pdf_pages_text))


@pytest.fixture(scope="module")
def words(text) -> str:
    """The PDF's words alone, to compare with first_words() of the sources."""
    return " ".join(WORD.findall(text))


def outline_titles(reader) -> list[str]:
    titles: list[str] = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(normalise(item.title))

    walk(reader.outline)
    return titles


def test_nav_has_pages():
    assert TITLES, f"no page of mkdocs.yml's nav has a '# Title' under {DOCS}"


def test_page_count_is_sane(pdf_reader):
    """Cover and contents, then at least a page per chapter page, and no runaway layout
    (a page that breaks every line onto its own sheet)."""
    pages = len(pdf_reader.pages)
    assert len(PAGES) + 2 <= pages <= 30 * len(PAGES), f"{pages} pages for {len(PAGES)} nav pages"


def test_cover_has_title_date_and_versions(pdf_pages_text):
    cover = normalise(pdf_pages_text[0])
    site_name = load_yaml("mkdocs.yml")["site_name"]
    assert normalise(site_name) in cover
    assert re.search(r"built \d{4}-\d{2}-\d{2}", cover), cover
    groups = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]
    for pin in (p for p in groups["spark"] + groups["mlflow"] if isinstance(p, str)):
        assert pin in cover.replace(" ", ""), f"the cover does not list {pin}"


@pytest.mark.parametrize("page", sorted(TITLES), ids=str)
def test_every_chapter_title_is_in_the_text(page, text):
    assert TITLES[page] in text, f"{page}: its title {TITLES[page]!r} is not in the PDF's text"


@pytest.mark.parametrize("page", sorted(TITLES), ids=str)
def test_every_chapter_title_is_a_bookmark(page, pdf_reader):
    assert TITLES[page] in outline_titles(pdf_reader), f"{page}: no PDF bookmark {TITLES[page]!r}"


def test_bookmarks_nest_sections_under_chapters(pdf_reader):
    """The outline is a tree: a chapter's sections are its children, not a flat list."""
    assert any(isinstance(item, list) for item in pdf_reader.outline)
    assert len(outline_titles(pdf_reader)) > len(TITLES)


def test_contents_links_to_the_chapters(pdf_reader):
    """The table of contents (page 2 on) links into the document."""
    links = 0
    for page in pdf_reader.pages[1:4]:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/Link" and "/Dest" in annotation:
                links += 1
    assert links >= len(TITLES), f"{links} internal links on the contents pages"


MERMAID = re.compile(r"^```mermaid\n(?P<body>.*?)^```", re.M | re.S)


def test_mermaid_drew_every_diagram(text):
    """No diagram is an error picture or printed as its source (its lines after the first)."""
    assert "Syntax error" not in text, "Mermaid printed a syntax error instead of a diagram"
    as_source = []
    for page, markdown in PAGES.items():
        for match in MERMAID.finditer(markdown):
            lines = [normalise(line) for line in match["body"].splitlines()[1:] if line.strip()]
            if lines and " ".join(lines[:2]) in text:
                as_source.append((page, lines[0]))
    assert not as_source, f"diagrams printed as source text: {as_source[:5]}"


@pytest.mark.parametrize("marker", sorted(LEFTOVERS), ids=str)
def test_no_build_syntax_left(marker, text):
    assert marker not in text, f"the PDF shows {LEFTOVERS[marker]} left unexpanded: {marker!r}"


def test_no_template_syntax_left(text):
    """`{{ ... }}` is a template left unrendered, unless a page, notebook or example shows it on
    purpose (a GitHub Actions expression, a Helm template, an f-string's escaped braces)."""
    pages = [*DOCS.rglob("*.md"), *DOCS.rglob("*.ipynb")]
    files = [*pages, *(p for p in (ROOT / "examples").rglob("*") if p.is_file())]
    sources = "".join(normalise(p.read_text("utf-8", "replace")) for p in files).replace(" ", "")
    stray = [m for m in TEMPLATE.findall(text) if m.replace(" ", "") not in sources]
    assert not stray, f"template syntax the sources do not contain: {stray[:5]}"


def test_every_tab_is_printed(text, words):
    """Material prints each tab's label above its block; every tab's own text is there."""
    missing = [
        (page, label, body)
        for page, markdown in PAGES.items()
        for kind, label, body in blocks(markdown)
        if kind == "tab"
        and (" ".join(WORD.findall(plain(label))) not in words or (body and body not in words))
    ]
    assert not missing, f"tabs not printed (page, label, first words): {missing[:5]}"


def test_every_collapsible_is_printed_open(words):
    missing = [
        (page, title, body)
        for page, markdown in PAGES.items()
        for kind, title, body in blocks(markdown)
        if kind == "details" and body and body not in words
    ]
    assert not missing, f"collapsed blocks printed closed (page, title, first words): {missing[:5]}"


def test_no_line_runs_off_the_page(pdf_reader):
    """Every run of text ends inside the page: long code lines wrap instead of being cut."""
    overflowing = []
    for number, page in enumerate(pdf_reader.pages, start=1):
        width = float(page.mediabox.width)

        def visit(text, cm, tm, font, size, number=number, width=width):
            if not text.strip() or "Mono" not in str((font or {}).get("/BaseFont", "")):
                return  # only code (set in the monospaced font) has lines that cannot break
            scale = (cm[0] * tm[0]) or 1
            x = cm[0] * tm[4] + cm[4]
            # A run's end is its start plus its advance: 0.6 em per character in DejaVu Sans
            # Mono and Liberation Mono, the code fonts Chromium uses here.
            end = x + len(text.rstrip()) * 0.6 * size * scale
            if x > width or end > width + 2:
                overflowing.append((number, round(x), round(end), text.strip()[:50]))

        page.extract_text(visitor_text=visit)
    assert not overflowing, f"code past the right edge (page, x, end, text): {overflowing[:5]}"


def test_nav_pages_exist():
    missing = [p for p in nav_pages() if not (DOCS / p).exists()]
    assert not missing, f"nav pages missing from docs/: {missing}"


def test_appendix_prints_every_question_with_its_answer(pdf_reader, pdf_pages_text):
    """The "Check yourself" appendix (guidebuild/quiz_html.py, print build only) is a bookmark
    and holds every question of docs/includes/quiz/, each choice question with its answer."""
    from guidebuild.quiz import LETTERS, all_questions, load_quiz
    from guidebuild.quiz_html import APPENDIX_TITLE

    assert APPENDIX_TITLE in outline_titles(pdf_reader)
    starts = [i for i, page in enumerate(pdf_pages_text) if APPENDIX_TITLE in normalise(page)]
    appendix = normalise(" ".join(pdf_pages_text[starts[-1] :]))
    missing = []
    for question in all_questions(load_quiz()):
        ask = " ".join(WORD.findall(question.ask)[:6])
        if ask not in " ".join(WORD.findall(appendix)):
            missing.append((question.id, ask))
        elif question.choices and f"Answer: {LETTERS[question.correct]}." not in appendix:
            missing.append((question.id, "its answer"))
    assert not missing, f"questions missing from the appendix: {missing[:5]}"


# --- layout: what a reader of the printed guide meets (guidebuild/pdf.py, extra.css) ---

NUMBERING = re.compile(r"^\d+(?:\.\d+)*\s+")
# A code block's title is a repository path ("examples/spark/tuning.py", "python examples/...").
CODE_TITLE = re.compile(r"^(?:python )?[\w.-]+/[\w./-]+\.(?:py|ya?ml|sh|sql|txt|json|toml|ipynb)$")
FOOTER_LINE = re.compile(r"\d+ / \d+$")


def positioned_text(page) -> list[tuple[float, float, str]]:
    """(y, x, text) of each piece of text on a PDF page, in page coordinates."""
    items: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            items.append((tm[5] * cm[3] + cm[5], tm[4] * cm[0] + cm[4], text.strip()))

    page.extract_text(visitor_text=visit)
    return items


def lines_of(page) -> list[str]:
    """The page's text lines, top to bottom, without the running footer."""
    rows: dict[int, list[str]] = {}
    for y, _, text in sorted(positioned_text(page), key=lambda item: item[1]):
        rows.setdefault(round(y), []).append(text)
    lines = [" ".join(rows[y]) for y in sorted(rows, reverse=True)]
    return [line for line in lines if not FOOTER_LINE.search(line)]


def internal_links(page):
    for annotation in page.get("/Annots") or []:
        annotation = annotation.get_object()
        if annotation.get("/Subtype") == "/Link" and "/Dest" in annotation:
            yield annotation


def test_the_metadata_title_is_the_guides_title_alone(pdf_reader):
    config = (ROOT / "mkdocs.print.yml").read_text(encoding="utf-8")
    title = re.search(r"print_page_title: (.+)", config)[1].strip()
    assert pdf_reader.metadata.title == title


def test_no_link_points_at_the_build_server(pdf_reader):
    local = [
        (number, uri)
        for number, page in enumerate(pdf_reader.pages, 1)
        for annotation in page.get("/Annots") or []
        if (uri := str(annotation.get_object().get("/A", {}).get("/URI", "")))
        and re.search(r"//(127\.0\.0\.1|localhost|\[::1\])[:/]", uri)
    ]
    assert not local, f"links to the server the PDF was printed from: {local[:5]}"


def test_the_contents_give_the_page_each_entry_starts_on(pdf_reader):
    """Each contents entry prints the page its link leads to (an entry may have two links)."""
    printed: dict[str, set[int]] = {}
    # The contents run from page 2 to the page before the guide's first page.
    first = pdf_reader.get_destination_page_number(pdf_reader.named_destinations["/index"])
    for page in pdf_reader.pages[1:first]:
        numbers = [(y, text) for y, _, text in positioned_text(page) if text.isdigit()]
        for link in internal_links(page):
            _, bottom, _, top = (float(v) for v in link["/Rect"])
            found = printed.setdefault(str(link["/Dest"]), set())
            found.update(int(text) for y, text in numbers if bottom <= y <= top)
    wrong = []
    for dest, numbers in printed.items():
        target = pdf_reader.get_destination_page_number(pdf_reader.named_destinations[dest]) + 1
        if numbers != {target}:
            wrong.append(f"{dest}: printed {sorted(numbers)}, starts on page {target}")
    assert len(printed) >= len(TITLES), f"only {len(printed)} contents entries link to a page"
    assert not wrong, "\n".join(wrong)


def test_no_page_ends_with_a_heading_or_a_code_title(pdf_reader):
    """A heading, or a code block's file name, is never the last line of a page."""
    headings: dict[int, set[str]] = {}

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                page = pdf_reader.get_destination_page_number(item)
                headings.setdefault(page, set()).add(NUMBERING.sub("", item.title.strip()))

    walk(pdf_reader.outline)
    stranded = []
    for number, page in enumerate(pdf_reader.pages):
        lines = lines_of(page)
        if not lines:
            continue
        last = NUMBERING.sub("", lines[-1])
        if last in headings.get(number, set()) or CODE_TITLE.match(last):
            alone = " (alone on the page)" if len(lines) == 1 else ""
            stranded.append(f"page {number + 1}: {lines[-1]!r}{alone}")
    assert not stranded, "\n".join(stranded)


def test_the_home_page_says_where_the_downloads_are(text):
    """Paper has no buttons: the "Take it with you" block prints where the downloads are."""
    assert "works from disk are on the web edition" in text
