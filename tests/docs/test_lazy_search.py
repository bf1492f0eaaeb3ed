"""The search index is fetched when the reader opens search, not on every page load
(guidebuild/lazy_search.py)."""

from __future__ import annotations

import pytest

from guidebuild.errors import BuildError
from guidebuild.lazy_search import fetch_index_on_demand
from tests.docs.pages import SITE
from tests.support.browser import site_page

# The three places of Material 9.8's minified bundle that the rewrite reads or changes.
BUNDLE = (
    'zi=document.forms.namedItem("search")?ks():tt,fo=new T;'
    'function Ei(e,t){let r=Mn(e);return L($(location.protocol!=="file:"),Je("search"))'
    ".pipe(Re(o=>o),b(()=>t)).subscribe(x),r}"
    '...me("search").map(e=>_i(e,{index$:zi,keyboard$:mo})),'
    '...me("content").map(e=>V("search.highlight")?Ai(e,{index$:zi,location$:Kt}):y),'
)


def test_the_worker_waits_for_the_first_opening_and_highlight_for_a_search_result():
    bundle = fetch_index_on_demand(BUNDLE, "bundle.js")
    assert 'Je("search").pipe(Re(((k=0)=>v=>v&&!k++)()),b(()=>t))' in bundle
    assert "location.protocol" not in bundle  # the page itself no longer starts the fetch
    assert (
        'Ai(e,{index$:new URLSearchParams(location.search).has("h")?zi:tt,location$:Kt})' in bundle
    )
    assert "_i(e,{index$:zi,keyboard$:mo})" in bundle  # the search box keeps the real index
    assert fetch_index_on_demand(bundle, "bundle.js") == bundle  # a rebuild changes nothing


def test_a_changed_bundle_is_an_error():
    with pytest.raises(BuildError, match=r"bundle\.js has 0 matches for the search worker"):
        fetch_index_on_demand(BUNDLE.replace('"file:"', '"http:"'), "bundle.js")


# The built site, in Chromium.


@pytest.fixture
def phone_page(chromium):
    with site_page(chromium, SITE, phone=True) as page:
        yield page


def index_requests(page) -> list[str]:
    fetched = []
    page.on("request", lambda request: "search_index" in request.url and fetched.append(request))
    return fetched


def test_a_page_load_fetches_no_search_index_and_opening_search_does(phone_page):
    fetched = index_requests(phone_page)
    phone_page.goto(phone_page.base + "kubernetes/autoscaling.html", wait_until="load")
    phone_page.wait_for_timeout(1500)
    assert not fetched, "the search index was fetched before the reader opened search"
    phone_page.locator('label[for="__search"]').first.click()
    phone_page.locator("input.md-search__input").fill("KEDA")
    first = phone_page.locator(".md-search-result__item a").first
    first.wait_for(timeout=30_000)
    assert "kubernetes/autoscaling.html" in (first.get_attribute("href") or "")
    assert len(fetched) == 1


def test_a_page_opened_from_a_search_result_still_highlights_the_words(phone_page):
    phone_page.goto(phone_page.base + "kubernetes/autoscaling.html?h=KEDA", wait_until="load")
    phone_page.locator("mark[data-md-highlight]").first.wait_for(timeout=30_000)
