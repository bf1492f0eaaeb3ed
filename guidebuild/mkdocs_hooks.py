"""The only module MkDocs loads (mkdocs.yml `hooks:`): each event hands its work to a module
of this package that knows nothing of MkDocs. A BuildError becomes MkDocs' PluginError, which
stops `mkdocs build --strict` with the message and no traceback.

Everything a built site needs as a whole (figure files, trimmed theme assets, drawn diagrams)
is not here but in the post-build step (postbuild.py), which every build goes through.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

try:
    from guidebuild import lean_theme, mermaid, notebooks, practice, quiz, quiz_html
    from guidebuild.claims import load_claims, unknown_claim
    from guidebuild.errors import BuildError
    from guidebuild.includes import include_problems
    from guidebuild.paths import ROOT
    from guidebuild.shortcodes import expand_shortcodes
    from guidebuild.vendor_assets import vendored_files
except ModuleNotFoundError as missing:  # MkDocs loads this file by path, not as a package
    if missing.name != "guidebuild":
        raise
    raise PluginError(
        "the guidebuild package is not installed in this environment: run `nox -s serve` or "
        "`nox -s docs`, or `pip install -e .` in the repository first"
    ) from None

log = logging.getLogger("mkdocs.plugins.guidebuild")
T = TypeVar("T")


class _Build:
    """What one build knows once its config is read: the quiz data and whether it prints."""

    renderer: quiz_html.QuizRenderer
    print_build: bool
    mock_sets: list[list[quiz.Question]]


_build = _Build()


def _or_plugin_error(work: Callable[[], T]) -> T:
    try:
        return work()
    except (BuildError, quiz.QuizError) as error:
        raise PluginError(str(error)) from None


def _check_quiz_claims(parts: dict[str, quiz.Part]) -> None:
    claims = load_claims()
    for question in quiz.all_questions(parts):
        for claim_id in question.claims:
            if claim_id not in claims:
                raise unknown_claim(claim_id, f"{question.source} ({question.id})")


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    _or_plugin_error(lambda: lean_theme.check_features(list(config.theme["features"])))
    try:
        parts = quiz.load_quiz()
    except quiz.QuizError as error:
        raise PluginError(f"Check yourself data:\n{error}") from None
    _or_plugin_error(lambda: _check_quiz_claims(parts))
    _build.renderer = quiz_html.QuizRenderer(parts, config.markdown_extensions, config.mdx_configs)
    _build.print_build = "print-site" in config.plugins
    # The quiz's script (deferred: it only wires up Check buttons) and style, from the site.
    if quiz_html.JS not in [str(script) for script in config.extra_javascript]:
        script = ExtraScriptValue(quiz_html.JS)
        script.defer = True
        config.extra_javascript.append(script)
    if quiz_html.CSS not in config.extra_css:
        config.extra_css.append(quiz_html.CSS)
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for site_path, source in _or_plugin_error(vendored_files).items():
        files.append(File.generated(config, site_path, abs_src_path=str(source)))
    known = {file.src_uri for file in files.documentation_pages()}
    for part in _build.renderer.parts.values():
        for page, questions in part.pages.items():
            if page not in known:
                log.warning(f"{questions[0].source}: questions for {page}, which is not in docs/")
    if not _build.print_build:
        files.append(File.generated(config, practice.BANK, content=_bank_script(files, config)))
        return files
    _build.mock_sets = _or_plugin_error(
        lambda: practice.mock_sets(_build.renderer.parts, practice.MOCK_SETS, practice.MOCK_SIZE)
    )
    for path, title in (
        (quiz_html.APPENDIX, quiz_html.APPENDIX_TITLE),
        (practice.MOCK_APPENDIX, practice.MOCK_APPENDIX_TITLE),
    ):
        files.append(
            File.generated(
                config, path, content=f"# {title}\n", inclusion=InclusionLevel.NOT_IN_NAV
            )
        )
    return files


def _bank_script(files: Files, config: MkDocsConfig) -> str:
    """The practice page's bank.js: every question, its rendered answer and where it is taught."""
    slugify = config.mdx_configs["toc"]["slugify"]
    sections = {}
    for page in {q.page for q in quiz.all_questions(_build.renderer.parts)}:
        source = Path(config.docs_dir) / page
        if source.is_file():
            sections[page] = practice.section_titles(source.read_text("utf-8"), slugify)
    data = practice.bank(
        _build.renderer.parts, _build.renderer.answers(), _titles(files, config.docs_dir), sections
    )
    return practice.bank_script(data)


def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    if not _build.print_build:
        return nav
    for path, title in (
        (quiz_html.APPENDIX, quiz_html.APPENDIX_TITLE),
        (practice.MOCK_APPENDIX, practice.MOCK_APPENDIX_TITLE),
    ):
        appendix = files.get_file_from_path(path)
        page = appendix.page if appendix else None
        if page is None:
            raise PluginError(f"the print build lost its generated {path}")
        page.title = title
        if nav.pages:
            nav.pages[-1].next_page, page.previous_page = page, nav.pages[-1]
        # print-site keeps a reference to nav.items and prints its pages in that order.
        nav.items.append(page)
        nav.pages.append(page)
    return nav


def _titles(files: Files, docs_dir: str) -> dict[str, str]:
    titles = {}
    for file in files.documentation_pages():
        path = Path(docs_dir) / file.src_uri
        if path.is_file() and (match := re.search(r"^# (.+)$", path.read_text("utf-8"), re.M)):
            titles[file.src_uri] = match[1].strip()
    return titles


def _with_quiz(markdown: str, src: str, files: Files, config: MkDocsConfig) -> str:
    if src == quiz_html.APPENDIX:
        return _build.renderer.appendix(_titles(files, config.docs_dir))
    if _build.print_build and src == practice.MOCK_APPENDIX:
        titles = _titles(files, config.docs_dir)
        return _build.renderer.mock_appendix(practice.MOCK_APPENDIX_TITLE, _build.mock_sets, titles)
    if _build.print_build and src == practice.PAGE:
        title = re.search(r"^# (.+)$", markdown, re.M)
        return _build.renderer.mock_page(
            title[1] if title else "Practice", _build.mock_sets, practice.MOCK_MINUTES
        )
    if not quiz.requires_quiz(src):
        return markdown
    part = _build.renderer.parts[src.split("/")[0]]
    questions = part.pages.get(src)
    if not questions:
        raise PluginError(
            f"docs/{src}:1: this chapter page has no Check yourself questions: add them under "
            f"`pages: {src}:` in {part.path.relative_to(ROOT).as_posix()}"
        )
    return markdown.rstrip("\n") + _build.renderer.page_quiz(questions, _build.print_build)


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    src = page.file.src_uri
    problems = include_problems(markdown, f"docs/{src}")
    if problems:
        raise PluginError("broken include(s):\n" + "\n".join(str(p) for p in problems))
    expanded = _or_plugin_error(lambda: expand_shortcodes(markdown, src))
    page_markdown = _with_quiz(expanded.body, src, files, config)
    return page_markdown.rstrip("\n") + "\n\n" + expanded.end if expanded.end else page_markdown


def _check_sections(page: Page) -> None:
    """Each question names the heading that teaches it; the page's own toc must have it."""
    questions = _build.renderer.parts.get(page.file.src_uri.split("/")[0])
    if questions is None:
        return
    anchors: set[str] = set()
    todo = list(page.toc)
    while todo:
        item = todo.pop()
        anchors.add(item.id)
        todo.extend(item.children)
    for question in questions.pages.get(page.file.src_uri, []):
        if question.section and question.section not in anchors:
            raise PluginError(
                f"{question.source}: section {question.section!r} of question {question.id!r} "
                f"is not a heading on docs/{page.file.src_uri}; its headings: {sorted(anchors)}"
            )


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    # The page's HTML before the search plugin indexes it and the theme wraps it.
    _check_sections(page)
    if notebooks.is_notebook(page.file.src_uri):
        return notebooks.notebook_content(html)
    return mermaid.out_of_search(html)


def on_page_context(
    context: dict[str, Any], page: Page, config: MkDocsConfig, nav: Navigation
) -> dict[str, Any]:
    # Markdown pages describe themselves in front matter; a lab, in its notebook's metadata.
    if notebooks.is_notebook(page.file.src_uri) and not page.meta.get("description"):
        notebook = Path(page.file.abs_src_path or "")
        page.meta["description"] = notebooks.notebook_description(notebook)
    return context


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    return _or_plugin_error(lambda: lean_theme.lean_page(output, page.file.dest_uri))


def on_post_template(output: str, template_name: str, config: MkDocsConfig) -> str:
    # The 404 page is a static template, not a page: it starts the same bundle.
    if template_name == "404.html":
        return _or_plugin_error(lambda: lean_theme.defer_bundle(output, template_name))
    return output
