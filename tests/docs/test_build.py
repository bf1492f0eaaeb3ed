"""The build's own commands (guidebuild/site.py, postbuild.py, publish.py): where a build
goes, and the errors that name what is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from guidebuild import publish
from guidebuild.errors import BuildError
from guidebuild.paths import PRINT_SITE, ROOT, SITE
from guidebuild.postbuild import post_build
from guidebuild.site import site_dir_of


def test_each_config_builds_into_its_own_folder():
    assert site_dir_of(ROOT / "mkdocs.yml") == SITE
    assert site_dir_of(ROOT / "mkdocs.print.yml") == PRINT_SITE


def test_the_post_build_step_needs_a_built_site(tmp_path: Path):
    with pytest.raises(BuildError, match=r"no index\.html"):
        post_build(tmp_path)


def test_publishing_names_the_sessions_that_make_what_is_missing(tmp_path: Path):
    site = tmp_path / "offline-site"
    site.mkdir()
    (site / "index.html").write_text("<p>guide</p>")
    missing = {path: tmp_path / path.name for path in publish.DOWNLOADS}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(publish, "DOWNLOADS", {missing[p]: s for p, s in publish.DOWNLOADS.items()})
        with pytest.raises(BuildError, match=r"`nox -s pdf`.*`nox -s flashcards`"):
            publish.assemble(site, tmp_path / "pages")
        for path in publish.DOWNLOADS:
            path.write_bytes(b"x")
        copied = publish.assemble(site, tmp_path / "pages")
    assert (tmp_path / "pages" / "index.html").is_file()
    assert sorted(p.name for p in copied) == sorted(p.name for p in missing)
    assert all(p.parent == tmp_path / "pages" / "downloads" for p in copied)
