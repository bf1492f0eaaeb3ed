"""Nothing of the screen's chrome is printed: the print page checked under print media.

The PDF is Chromium printing dist/print-site/print_page.html; this opens the same page with
print media emulated and asks the browser which controls it would still draw. (The text of a
copy button is an icon, so the PDF's text alone cannot tell.)
"""

from __future__ import annotations

import pytest

from tests.pdf.sources import DIST

PRINT_PAGE = DIST / "print-site" / "print_page.html"
# Controls that mean something only on a screen.
CHROME = {
    "Material's copy buttons": ".md-clipboard",
    "notebook cells' copy buttons": ".zeroclipboard-container, clipboard-copy",
    "edit-this-page buttons": ".md-content__button",
    "back-to-top button": ".md-top",
    "header and search": ".md-header, .md-search",
    "sidebars": ".md-sidebar",
}
VISIBLE = """
(selector) => [...document.querySelectorAll(selector)].filter((element) => {
  const style = getComputedStyle(element);
  return style.display !== "none" && style.visibility !== "hidden"
    && element.getClientRects().length > 0;
}).length
"""


@pytest.fixture(scope="module")
def print_page(chromium):
    if not PRINT_PAGE.is_file():
        pytest.fail(f"{PRINT_PAGE} does not exist: build it with `nox -s pdf`")
    page = chromium.new_page()
    page.emulate_media(media="print")
    page.goto(PRINT_PAGE.as_uri(), wait_until="load")
    yield page
    page.close()


def test_the_print_page_holds_copy_buttons_to_hide(print_page):
    """The check below means something only if the page has such controls on screen."""
    assert print_page.locator(".md-clipboard, .zeroclipboard-container").count() > 10


@pytest.mark.parametrize("what", CHROME)
def test_screen_chrome_is_not_printed(print_page, what):
    assert print_page.evaluate(VISIBLE, CHROME[what]) == 0, f"{what} would be printed"
