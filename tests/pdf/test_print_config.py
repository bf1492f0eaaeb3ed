"""mkdocs.print.yml builds the same site as mkdocs.yml, plus the print page.

MkDocs' INHERIT replaces lists instead of merging them, so mkdocs.print.yml repeats the
parent's plugins; this fails as soon as the two drift apart.
"""

from __future__ import annotations

from tests.pdf.sources import load_yaml


def test_print_build_repeats_the_sites_plugins_then_adds_print_site():
    site, printed = load_yaml("mkdocs.yml"), load_yaml("mkdocs.print.yml")
    assert printed["INHERIT"] == "mkdocs.yml"
    *same, last = printed["plugins"]
    assert same == site["plugins"], (
        "mkdocs.print.yml's plugins (all but the last) must equal mkdocs.yml's plugins: "
        f"copy them over.\nmkdocs.yml: {site['plugins']}\nmkdocs.print.yml: {same}"
    )
    assert isinstance(last, dict) and "print-site" in last, "print-site must be the last plugin"


def test_print_build_does_not_overwrite_the_site():
    site_dir = load_yaml("mkdocs.yml").get("site_dir", "site")
    assert load_yaml("mkdocs.print.yml")["site_dir"] != site_dir
