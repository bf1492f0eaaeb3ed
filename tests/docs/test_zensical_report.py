"""The Zensical comparison report (guidebuild/zensical.py) on tiny sites written here."""

from __future__ import annotations

from pathlib import Path

from guidebuild import zensical

QUIZ = '<div class="quiz" data-quiz><p class="quiz__intro">Check yourself</p></div>'
CODE = '<pre><code id="__copy_0">x = 1</code></pre>'
COPY = '<button class="md-code__button" data-md-type="copy"></button>'


def write_site(root: Path, pages: dict[str, str], files: tuple[str, ...] = ()) -> Path:
    for name, body in pages.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<html><body>{body}</body></html>")
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("// file")
    return root


def row(rows: list[zensical.Row], feature: str) -> zensical.Row:
    return next(r for r in rows if r.feature.startswith(feature))


def test_page_keys_are_the_source_path_in_either_url_style():
    assert zensical.page_key("labs/lab.html") == "labs/lab"
    assert zensical.page_key("labs/lab/index.html") == "labs/lab"
    assert zensical.page_key("labs/index.html") == "labs"
    assert zensical.page_key("index.html") == ""


def test_pages_match_across_url_styles_and_a_missing_one_is_named(tmp_path):
    flat = {"index.html": "", "kubernetes/index.html": "", "kubernetes/why.html": ""}
    mkdocs = write_site(tmp_path / "mkdocs", {**flat, "labs/lab.html": ""})
    directories = {"index.html": "", "kubernetes/index.html": "", "kubernetes/why/index.html": ""}
    other = write_site(tmp_path / "zensical", directories)
    docs = write_site(tmp_path / "docs", {"kubernetes/why.md": "", "labs/lab.ipynb": ""})
    names = zensical.source_names(docs)

    text = zensical.report(zensical.load_site(mkdocs), zensical.load_site(other), names)

    assert "Pages: MkDocs 4, Zensical 3." in text
    assert "Missing from Zensical's build (1): `labs/lab.ipynb`." in text
    assert "Only in Zensical's build (0): none." in text


def test_a_feature_the_mkdocs_build_has_and_zensical_lacks_is_reported_missing(tmp_path):
    mkdocs = write_site(
        tmp_path / "mkdocs",
        {"index.html": CODE + COPY, "kubernetes/why.html": QUIZ, "kubernetes/storage.html": QUIZ},
    )
    other = write_site(
        tmp_path / "zensical",
        {
            "index.html": CODE + COPY,
            "kubernetes/why/index.html": QUIZ,
            "kubernetes/storage/index.html": "",
        },
    )
    rows = zensical.compare(zensical.load_site(mkdocs), zensical.load_site(other), {})

    quiz = row(rows, '"Check yourself"')
    assert (quiz.mkdocs, quiz.kept) == ("2 pages", False)
    assert quiz.zensical == "1/2 pages; missing on `kubernetes/storage`"
    assert row(rows, "Copy buttons").kept is True


def test_shortcodes_left_as_comments_and_raw_snippets_are_reported(tmp_path):
    stamp = '<div class="admonition info"><p class="admonition-title">Verified with</p></div>'
    mkdocs = write_site(tmp_path / "mkdocs", {"index.html": "", "spark.html": stamp})
    other = write_site(
        tmp_path / "zensical",
        {
            "index.html": "<p>--8&lt;-- &quot;examples/a.yaml&quot;</p>",
            "spark.html": "<!-- md:versions spark -->",
        },
    )
    rows = zensical.compare(zensical.load_site(mkdocs), zensical.load_site(other), {})

    stamps = row(rows, "Version stamps")
    assert stamps.kept is False
    assert stamps.zensical.endswith("left as an HTML comment on 1 page")
    snippets = row(rows, "Snippet includes")
    assert (snippets.mkdocs, snippets.zensical, snippets.kept) == (
        "all resolved",
        "`--8<--` left on `index`",
        False,
    )
    # A feature the MkDocs build lacks is not held against Zensical.
    assert row(rows, "Glossary").kept is None


def test_copy_buttons_added_by_material_script_count_as_kept(tmp_path):
    config = (
        '<script id="__config" type="application/json">{"features": ["content.code.copy"]}</script>'
    )
    mkdocs = write_site(tmp_path / "mkdocs", {"index.html": CODE + COPY})
    other = write_site(tmp_path / "zensical", {"index.html": config + CODE})
    rows = zensical.compare(zensical.load_site(mkdocs), zensical.load_site(other), {})
    assert row(rows, "Copy buttons").kept is True


def test_search_from_file_needs_the_script_index_and_a_served_shim(tmp_path):
    shim = '<script src="assets/vendor/iframe-worker/shim.js" defer></script>'
    mkdocs = write_site(
        tmp_path / "mkdocs",
        {"index.html": shim},
        (
            "search/search_index.json",
            "search/search_index.js",
            "assets/vendor/iframe-worker/shim.js",
        ),
    )
    cdn = '<script src="https://unpkg.com/iframe-worker/shim"></script>'
    other = write_site(tmp_path / "zensical", {"index.html": cdn}, ("search.json", "search.js"))
    missing = write_site(tmp_path / "missing", {"index.html": shim}, ("search.json", "search.js"))
    built = zensical.load_site(mkdocs)

    assert zensical.search_state(built)[:2] == (True, True)
    assert zensical.search_state(zensical.load_site(other))[2].endswith("shim from another host")
    assert zensical.search_state(zensical.load_site(missing))[:2] == (True, False)
    assert row(zensical.compare(built, zensical.load_site(other), {}), "Search").kept is False


def test_mermaid_counts_when_vendored_and_served_or_drawn_into_the_page(tmp_path):
    diagram = '<pre class="mermaid"><code>graph LR; a --> b</code></pre>'
    loader = '<script>const src = "../assets/vendor/mermaid/mermaid.min.js";</script>'
    drawn = (
        '<div class="mermaid" data-prerendered="">'
        '<template shadowrootmode="open"><svg/></template></div>'
    )
    vendored = write_site(
        tmp_path / "vendored",
        {"index.html": "", "k8s/hpa.html": diagram + loader},
        ("assets/vendor/mermaid/mermaid.min.js",),
    )
    unserved = write_site(
        tmp_path / "unserved", {"index.html": "", "k8s/hpa/index.html": diagram + loader}
    )
    prerendered = write_site(tmp_path / "drawn", {"index.html": "", "k8s/hpa.html": drawn})

    built = zensical.load_site(vendored)
    assert zensical.self_contained_diagrams(built, "k8s/hpa")
    # The page asks for the vendored script, but the site does not serve it.
    assert not zensical.self_contained_diagrams(zensical.load_site(unserved), "k8s/hpa")
    assert zensical.self_contained_diagrams(zensical.load_site(prerendered), "k8s/hpa")


def test_a_missing_or_empty_site_folder_is_an_error_that_names_it(tmp_path, capsys):
    built = write_site(tmp_path / "site", {"index.html": ""})
    (tmp_path / "empty").mkdir()
    report = tmp_path / "out" / "report.md"
    for folder in (tmp_path / "nowhere", tmp_path / "empty"):
        args = [
            "--mkdocs-site",
            str(built),
            "--zensical-site",
            str(folder),
            "--report",
            str(report),
        ]
        assert zensical.main(args) == 2
        assert str(folder) in capsys.readouterr().err
    assert not report.exists()


def test_the_report_is_written_with_the_zensical_version_and_build_times(tmp_path, capsys):
    mkdocs = write_site(
        tmp_path / "mkdocs", {"index.html": '<meta name="generator" content="mkdocs-1.6.1">'}
    )
    other = write_site(
        tmp_path / "zensical", {"index.html": '<meta name="generator" content="zensical-0.0.73">'}
    )
    report = tmp_path / "out" / "report.md"
    args = ["--mkdocs-site", str(mkdocs), "--zensical-site", str(other), "--report", str(report)]
    assert (
        zensical.main([*args, "--docs", str(tmp_path / "no-docs"), "--zensical-seconds", "3.31"])
        == 0
    )

    text = report.read_text()
    assert "Zensical: `zensical-0.0.73`" in text
    assert "| Build time | not measured | 3.3 s | - |" in text
    assert "| PDF (print-site plugin, mkdocs.print.yml) |" in text
    assert text == capsys.readouterr().out
