"""The pinned versions in pyproject.toml, as pages and the PDF cover print them."""

from __future__ import annotations

import functools
import tomllib
from typing import Any

from guidebuild.paths import ROOT

# Groups that are tooling, not an engine a chapter is verified with.
TOOLING_GROUPS = frozenset(
    {"test", "docs", "lint", "typecheck", "pdf", "audit", "quiz", "flashcards", "zensical"}
)


def pyproject() -> dict[str, Any]:
    # Every page asks; `mkdocs serve` must still see an edit, so the cache keys on the mtime.
    return _parsed((ROOT / "pyproject.toml").stat().st_mtime_ns)


@functools.lru_cache(maxsize=1)
def _parsed(mtime_ns: int) -> dict[str, Any]:
    with open(ROOT / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)


def dependency_groups() -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = pyproject()["dependency-groups"]
    return groups


def group_pins(group: str, groups: dict[str, list[Any]]) -> list[str]:
    """The `name==version` pins of a group; its included groups (`{include-group}`) left out."""
    return [item for item in groups[group] if isinstance(item, str)]


def engine_pins() -> dict[str, list[str]]:
    """Each engine group's own pins, as the chapters and the PDF cover print them."""
    groups = dependency_groups()
    return {name: group_pins(name, groups) for name in groups if name not in TOOLING_GROUPS}
