"""Material's pages trimmed of start-up work (guidebuild/lean_theme.py)."""

from __future__ import annotations

import re

import pytest

from guidebuild import lean_theme
from guidebuild.errors import BuildError
from tests.docs.pages import SITE

PAGE = (
    '<div class="tabbed-set tabbed-alternate" data-tabs="1:3">'
    '<input><div class="tabbed-labels"></div></div>'
    '<div class="highlight"><pre><code><span class="n">spark</span><span class="o">.</span>'
    '<span class="n">read</span><span class="w"> </span><span class="c1"># a &lt;comment&gt;</span>'
    "</code></pre></div>"
)
SCRIPT = 'e.classList.add("md-nav__link--active");x=`md-source__fact--${k}`'


def test_name_and_whitespace_spans_are_unwrapped_and_the_rest_kept():
    assert lean_theme.unwrap_plain_code_spans(PAGE).endswith(
        '<span class="o">.</span>read <span class="c1"># a &lt;comment&gt;</span>'
        "</code></pre></div>"
    )


def test_the_bundle_is_deferred_and_a_changed_template_is_an_error():
    html = '<script src="../assets/javascripts/bundle.a5f9d56c.min.js"></script>'
    assert lean_theme.defer_bundle(html, "x.html") == html.replace("></script>", " defer></script>")
    with pytest.raises(BuildError, match=r"x\.html has 0 Material bundle"):
        lean_theme.defer_bundle("<script src=bundle.js></script>", "x.html")


CONFIG = (
    '<script id="__config" type="application/json">'
    '{"features": [], "translations": {"clipboard.copy": "Copy to clipboard"}}</script>'
)
BLOCKS = (
    '<div class="highlight"><pre><span></span><code>a = 1\n</code></pre></div>'
    '<pre class="mermaid"><code>flowchart LR</code></pre>'
    '<div class="highlight"><pre><span></span><code class="md-code__content">b = 2\n</code></pre>'
    "</div>"
)


def test_each_code_block_gets_one_copy_button_aimed_at_its_own_code():
    html = lean_theme.add_copy_buttons(BLOCKS + CONFIG, "x.html")
    buttons = re.findall(
        r'<button class="md-code__button" title="([^"]*)" '
        r'data-clipboard-target="#([^"]+)" data-md-type="copy">',
        html,
    )
    assert [title for title, _ in buttons] == ["Copy to clipboard"] * 2
    for _, target in buttons:
        assert html.count(f'id="{target}"') == 1
    assert re.search(rf'<code id="{buttons[0][1]}">a = 1', html)
    assert re.search(rf'<code id="{buttons[1][1]}" class="md-code__content">b = 2', html)
    assert '<pre class="mermaid"><code>flowchart LR' in html  # Mermaid's source is not code


def test_a_page_without_code_is_untouched_and_one_without_config_is_an_error():
    assert lean_theme.add_copy_buttons("<p>no code</p>", "x.html") == "<p>no code</p>"
    with pytest.raises(BuildError, match=r"x\.html has code blocks but no Material __config"):
        lean_theme.add_copy_buttons(BLOCKS, "x.html")


def test_the_copy_feature_would_double_the_buttons():
    with pytest.raises(BuildError, match=r"remove `content\.code\.copy`"):
        lean_theme.check_features(["content.code.copy"])


def test_the_bundle_stops_creating_the_color_scheme_meta():
    bundle = (
        'let r=x("meta",{name:"theme-color"});document.head.appendChild(r);'
        'let o=x("meta",{name:"color-scheme"});document.head.appendChild(o);o.content=a;'
    )
    assert lean_theme.drop_color_scheme_meta(bundle, "bundle.js") == (
        'let r=x("meta",{name:"theme-color"});document.head.appendChild(r);let o={};o.content=a;'
    )
    patched = lean_theme.drop_color_scheme_meta(bundle, "bundle.js")
    assert lean_theme.drop_color_scheme_meta(patched, "bundle.js") == patched  # a rebuild
    changed = 'let o=document.createElement("meta");o.name="color-scheme";'
    with pytest.raises(BuildError, match=r"bundle\.js creates the color-scheme <meta> 0 times"):
        lean_theme.drop_color_scheme_meta(changed, "bundle.js")


@pytest.fixture
def usage():
    return lean_theme.SiteUsage([PAGE, '<p class="md-typeset">'], [SCRIPT])


@pytest.mark.parametrize(
    ("selector", "kept"),
    [
        (".md-typeset .highlight .n", True),
        (".md-nav__link--active", True),  # named by the script, added at run time
        (".md-source__fact--stars", True),  # built by the script from a prefix
        (".md-typeset .critic.block", False),  # no page has .critic
        (".md-banner__inner", False),
        (".md-typeset :not(.critic) > p", True),  # :not() requires nothing
        ('[data-md-color-scheme="slate"]', True),
        (".md-typeset .tabbed-set>input:nth-child(3):checked~.tabbed-labels>:nth-child(3)", True),
        (".md-typeset .tabbed-set>input:nth-child(4):checked~.tabbed-labels>:nth-child(4)", False),
        (".md-typeset table tr:nth-child(4)", True),  # only tab rules are counted off
    ],
)
def test_selectors_the_site_can_use(usage, selector, kept):
    assert usage.selector_can_match(selector) is kept


def test_pages_without_tab_counts_keep_every_tab_rule():
    usage = lean_theme.SiteUsage(['<div class="tabbed-set">'], [])
    assert usage.selector_can_match(".tabbed-set>input:nth-child(20)")


def test_theme_css_is_trimmed_by_rule_and_by_selector(usage):
    css = (
        ".md-typeset .critic.block,.md-typeset .highlight{margin:0}"
        "@media screen{.md-banner__inner{padding:0}.md-typeset{font-size:1rem}}"
        "@keyframes x{0%{opacity:0}}"
    )
    assert lean_theme.trim_theme_css(css, usage) == (
        ".md-typeset .highlight{margin:0}@media screen{.md-typeset{font-size:1rem}}"
        "@keyframes x{0%{opacity:0}}"
    )


def test_only_the_palette_switching_rule_goes():
    css = (
        "[data-md-color-switching] *,[data-md-color-switching] :after{transition:none!important}"
        '[data-md-color-scheme="slate"]{--md-hue:232}'
    )
    assert lean_theme.drop_switching_rule(css) == '[data-md-color-scheme="slate"]{--md-hue:232}'


# The built site (nox -s docs builds it before these run).

BUILT_PAGES = sorted(SITE.rglob("*.html")) if SITE.is_dir() else []


def stylesheet(prefix: str) -> str:
    (sheet,) = SITE.glob(f"assets/stylesheets/{prefix}.*.min.css")
    return sheet.read_text(encoding="utf-8")


def test_the_site_was_built():
    assert BUILT_PAGES, f"no HTML under {SITE}: run `mkdocs build --strict` (nox -s docs does)"


@pytest.mark.parametrize("page", BUILT_PAGES, ids=lambda p: str(p.relative_to(SITE)))
def test_built_pages_defer_the_scripts_and_carry_no_plain_code_spans(page):
    html = page.read_text(encoding="utf-8")
    scripts = re.findall(r"<script src=[^>]*>", html)
    assert scripts, f"{page.name} loads no script"
    assert all(" defer" in tag or " async" in tag for tag in scripts), scripts
    assert not lean_theme.NAME_OR_WHITESPACE_SPAN.search(html)


def test_built_theme_css_lost_the_unused_rules_and_kept_the_used_ones():
    main = stylesheet("main")
    assert 60_000 < len(main) < 120_000, len(main)  # Material ships about 137 KB
    for used in (
        ".md-typeset .admonition",
        ".md-search-result__item",
        ".md-nav__link--active",
        ".md-tooltip2",
        ".tabbed-labels",
        ".highlight .o",
    ):
        assert used in main, used
    for unused in (".md-banner", ".md-consent", ".md-typeset .critic", ":nth-child(20)"):
        assert unused not in main, unused
    assert "sourceMappingURL" not in main
    palette = stylesheet("palette")
    assert "data-md-color-switching" not in palette
    assert '[data-md-color-scheme="slate"]' in palette or "[data-md-color-scheme=slate]" in palette


@pytest.mark.parametrize("page", BUILT_PAGES, ids=lambda p: str(p.relative_to(SITE)))
def test_the_js_classes_are_set_in_head_before_the_body_is_styled(page):
    html = page.read_text(encoding="utf-8")
    head = html[: html.index("</head>")]
    assert '<html lang="en" class="no-js">' in html  # a reader without JavaScript keeps it
    assert 'classList.replace("no-js", "js")' in head
    assert 'classList.add("js-focus-visible")' in head


@pytest.mark.parametrize("page", BUILT_PAGES, ids=lambda p: str(p.relative_to(SITE)))
def test_every_copy_button_of_a_built_page_has_its_code(page):
    html = page.read_text(encoding="utf-8")
    assert not lean_theme.CODE_BLOCK.search(html), "a code block without a copy button"
    targets = re.findall(r'data-clipboard-target="#([^"]+)"', html)
    assert len(targets) == html.count('class="md-code__nav"')
    assert all(html.count(f'<code id="{target}"') == 1 for target in targets), targets


def test_the_built_bundle_creates_no_color_scheme_meta():
    (bundle,) = SITE.glob("assets/javascripts/bundle.*.min.js")
    script = bundle.read_text(encoding="utf-8")
    assert 'name:"theme-color"' in script  # the palette code is still there
    assert 'name:"color-scheme"' not in script
