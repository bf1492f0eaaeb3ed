"""What the site shows of every lab: stored outputs, no errors, plots, and how to run it.

These checks need no engine; the per-lab tests execute the notebooks and compare their numbers
with the stored outputs checked here.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tests.labs.notebooks import LABS, ROOT, TESTS, summary_of

DOCS = ROOT / "docs"
LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")

NOTEBOOKS = sorted(LABS.glob("*.ipynb"))


def test_every_lab_has_a_test_and_every_test_a_lab():
    assert {p.stem for p in NOTEBOOKS} == set(TESTS)
    for _, _, test_file in TESTS.values():
        assert (ROOT / test_file).is_file(), test_file


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_with_every_output_and_no_error(path: Path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    counts = [cell.execution_count for cell in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.relative_to(ROOT)} is not stored as one top-to-bottom run (execution counts "
        f"{counts}): refresh it with nox -s examples -- labs --update-outputs"
    )
    for number, cell in enumerate(code, 1):
        kinds = {output.output_type for output in cell.outputs}
        assert "error" not in kinds, f"{path.relative_to(ROOT)}: code cell {number} has an error"
    plots = sum("image/png" in output.get("data", {}) for cell in code for output in cell.outputs)
    assert plots >= 1, f"{path.relative_to(ROOT)} shows no plot"
    summary_of(notebook, path)  # the summary cell printed its JSON


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_page_says_what_it_teaches_how_long_and_how_to_run_it(path: Path):
    notebook = nbformat.read(path, as_version=4)
    intro = notebook.cells[0].source
    assert intro.startswith("# Lab: "), f"{path.relative_to(ROOT)}: first cell is the page title"
    assert "**You will learn to**" in intro
    assert "**Time:**" in intro
    session, key, _ = TESTS[path.stem]
    assert f"`nox -s examples -- {session} -k {key}`" in intro
    assert notebook.metadata.get("description"), "a description for the page's meta tag"


def slug(heading: str) -> str:
    """The anchor `toc` gives a heading here (pymdownx.slugs.slugify, lower case)."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_links_point_at_pages_that_exist(path: Path):
    """mkdocs checks the links of Markdown pages, not those inside notebooks, and does not
    rewrite them: they name the built page (`../reliability/sre.html#anchor`)."""
    notebook = nbformat.read(path, as_version=4)
    text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    links = [m["target"] for m in LINK.finditer(text) if not m["target"].startswith("http")]
    assert links, f"{path.relative_to(ROOT)} links to no page of the guide"
    for link in links:
        page, _, anchor = link.partition("#")
        assert page.endswith(".html"), (
            f"{path.relative_to(ROOT)}: link {link} should name a .html page"
        )
        base = (path.parent / page).resolve().with_suffix("")
        sources = [base.with_suffix(".md"), base.with_suffix(".ipynb")]
        found = [source for source in sources if source.is_file()]
        assert found, f"{path.relative_to(ROOT)}: {link} matches no page under {DOCS}"
        if anchor:
            headings = re.findall(r"^#+ (.+)$", found[0].read_text(encoding="utf-8"), re.M)
            assert anchor in {slug(h) for h in headings}, f"{path.relative_to(ROOT)}: no #{anchor}"


def test_a_failing_cell_fails_the_run():
    """The canary: nbclient raises on the first failing cell, which run_lab turns into a
    failed test (mkdocs-jupyter would otherwise render the error as if it were output)."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("1 / 0"),
        nbformat.v4.new_code_cell("never = True"),
    ]
    with pytest.raises(CellExecutionError, match="ZeroDivisionError"):
        NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    assert notebook.cells[2].outputs == [] and notebook.cells[2].execution_count is None
