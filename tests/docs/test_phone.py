"""Every page of the built site (site/, `nox -s docs`) read on a 390 x 844 phone in Chromium.

Nothing is wider than the screen unless it sits in a box of its own that scrolls sideways; no
diagram's text is drawn under 10 px; no copy button lies on code; the page does not jump while
it loads (layout shift, as Lighthouse counts it); notebooks drop their prompt
gutter; and an abbreviation answers to keyboard focus with its meaning and a glossary link.
"""

from __future__ import annotations

import pytest

from tests.docs.pages import DOCS, SITE
from tests.support.browser import site_page

PAGES = (
    sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html")) if SITE.is_dir() else []
)
PAGES = [page for page in PAGES if page != "404.html"]
MIN_DIAGRAM_TEXT_PX = 9.5  # 10 px, less rounding in the layout

# Elements that run past the right edge of the screen with no scroll box of their own around
# them (an ancestor that clips or scrolls sideways, itself inside the screen).
OVERFLOWING = """
() => {
  const screen = document.documentElement.clientWidth;
  const boxed = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if (overflow !== "visible" && up.getBoundingClientRect().right <= screen + 1) return true;
    }
    return false;
  };
  const found = [];
  for (const el of document.querySelectorAll(".md-content *")) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > screen + 1 && !boxed(el)) {
      found.push(`${el.tagName.toLowerCase()}.${el.className} (${Math.round(box.right)} px)`);
    }
  }
  return found.slice(0, 5);
}
"""

# The smallest label of each drawn diagram, in screen pixels.
DIAGRAM_TEXT = """
() => [...document.querySelectorAll("div.mermaid")].map((host) => {
  const svg = host.shadowRoot?.querySelector("svg");
  if (!svg) return null;
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const sizes = [...svg.querySelectorAll("text, foreignObject span, foreignObject p")]
    .filter((label) => label.textContent.trim())
    .map((label) => parseFloat(getComputedStyle(label).fontSize) * scale);
  return sizes.length ? Math.min(...sizes) : null;
})
"""

# Code blocks whose copy button (Material's, or a notebook cell's) overlaps the first line.
COVERED_CODE = """
() => {
  const buttons = [
    ...[...document.querySelectorAll(".md-content pre > .md-code__nav")]
      .map((nav) => [nav, nav.parentElement.querySelector("code")]),
    ...[...document.querySelectorAll(".jp-InputArea-editor > .zeroclipboard-container")]
      .map((nav) => [nav, nav.parentElement.querySelector(".highlight-ipynb pre")]),
  ];
  return buttons.filter(([nav, code]) => {
    if (!code || !nav.offsetParent) return false;
    const top = code.getBoundingClientRect().top + parseFloat(getComputedStyle(code).paddingTop);
    return nav.getBoundingClientRect().bottom > top + 1;
  }).map(([, code]) => code.textContent.trim().slice(0, 60));
}
"""

# Layout shifts from the start of each load (the entries Lighthouse's CLS adds up), recorded by
# a script that runs before the page's own: a later, buffered observer was not given them.
RECORD_LAYOUT_SHIFTS = """
window.__layoutShifts = [];
window.__keepLayoutShifts = (entries) => {
  // Every entry, hadRecentInput or not: Playwright's page setup marks them all as after input.
  for (const entry of entries) {
    const moved = entry.sources.map((source) => source.node?.textContent?.trim().slice(0, 40));
    window.__layoutShifts.push({ value: entry.value, moved });
  }
};
window.__layoutShiftObserver = new PerformanceObserver((list) =>
  window.__keepLayoutShifts(list.getEntries()));
window.__layoutShiftObserver.observe({ type: "layout-shift", buffered: true });
"""
# Read two frames after the load event (a box drawn at a placeholder's size is corrected by
# then), taking the entries the observer has not been called back with yet.
LAYOUT_SHIFTS = """
() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => {
  window.__keepLayoutShifts(window.__layoutShiftObserver.takeRecords());
  resolve(window.__layoutShifts);
})))
"""
MAX_LAYOUT_SHIFT = 0.05  # Lighthouse calls under 0.1 good; a page that jumps scores far above


@pytest.fixture(scope="module")
def phone(chromium):
    with site_page(chromium, SITE, phone=True) as page:
        page.add_init_script(RECORD_LAYOUT_SHIFTS)
        yield page


def open_page(phone, name: str):
    phone.goto(phone.base + name, wait_until="load")
    return phone


@pytest.mark.parametrize("name", PAGES)
def test_page_reads_on_a_phone(phone, name):
    """One load per page: no sideways overflow, diagram text 10 px or more, code uncovered, and
    no layout shift."""
    page = open_page(phone, name)
    overflowing = page.evaluate(OVERFLOWING)
    assert not overflowing, f"{name} at 390 px, wider than the screen: {overflowing}"
    sizes = page.evaluate(DIAGRAM_TEXT)
    assert None not in sizes, f"{name}: a diagram was not drawn into the page"
    small = [round(size, 1) for size in sizes if size < MIN_DIAGRAM_TEXT_PX]
    assert not small, f"{name} at 390 px: diagram text at {small} px"
    covered = page.evaluate(COVERED_CODE)
    assert not covered, f"{name} at 390 px: the copy button covers {covered}"
    shifts = page.evaluate(LAYOUT_SHIFTS)
    total = sum(shift["value"] for shift in shifts)
    assert total <= MAX_LAYOUT_SHIFT, f"{name} at 390 px jumps while loading: {shifts}"


def test_notebooks_drop_their_prompts_on_a_phone(phone):
    labs = [name for name in PAGES if name.startswith("labs/") and name != "labs/index.html"]
    assert labs, "no lab notebook in the site"
    for name in labs:
        shown = open_page(phone, name).evaluate(
            "() => [...document.querySelectorAll('.jp-InputPrompt, .jp-OutputPrompt')]"
            ".filter((el) => el.offsetParent !== null).length"
        )
        assert shown == 0, f"{name}: {shown} In/Out prompts shown at 390 px"


def test_an_abbreviation_answers_to_focus_with_its_meaning_and_a_glossary_link(phone):
    page = open_page(phone, "kubernetes/autoscaling.html")
    abbr = page.locator(".md-typeset abbr[title]").first
    term, meaning = abbr.inner_text().strip(), abbr.get_attribute("title")
    page.keyboard.press("Tab")  # the page has focus; then focus the term as a keyboard would
    abbr.focus()
    note = page.locator("#abbr-note")
    assert note.is_visible(), "focusing an abbreviation shows no note"
    assert meaning in note.inner_text() and term in note.inner_text()
    link = note.locator("a").get_attribute("href")
    glossary, _, anchor = link.partition("#")
    target = (SITE / "kubernetes" / glossary).resolve()
    assert target == (SITE / "glossary.html").resolve(), link
    assert f'id="{anchor}"' in target.read_text("utf-8"), f"the glossary has no #{anchor}"
    page.keyboard.press("Escape")
    assert not note.is_visible()


def test_every_abbreviation_has_its_glossary_row():
    glossary = (SITE / "glossary.html").read_text("utf-8")
    source = (DOCS / "includes" / "abbreviations.md").read_text("utf-8")
    terms = [line[2 : line.index("]")] for line in source.splitlines() if line.startswith("*[")]
    missing = [term for term in terms if f'id="abbr-{slug(term)}"' not in glossary]
    assert not missing, f"glossary rows without their anchor: {missing}"


def slug(term: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", term.lower()).strip("-")
