"""A version is pinned once: tools pinned elsewhere must match pyproject.toml."""

from __future__ import annotations

import re
import sys
import tomllib

from tests.docs.pages import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PIN = re.compile(r"(?P<name>[A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(?P<version>[^\s\"',;]+)")


def group_pins(*groups: str) -> dict[str, str]:
    pins = {}
    for group in groups:
        for item in PYPROJECT["dependency-groups"][group]:
            if isinstance(item, str) and (match := PIN.fullmatch(item)):
                pins[match["name"].lower()] = match["version"]
    return pins


def test_every_dependency_is_pinned():
    loose = [
        f"{group}: {item}"
        for group, items in PYPROJECT["dependency-groups"].items()
        for item in items
        if isinstance(item, str) and not PIN.fullmatch(item)
    ]
    assert not loose, f"pin these with ==: {loose}"


def test_pre_commit_uses_the_lint_groups_versions():
    """The hooks' pins are the lint group's, or .ci/tools.txt's for uv."""
    tools = (ROOT / ".ci" / "tools.txt").read_text(encoding="utf-8")
    lint = group_pins("lint") | {m["name"].lower(): m["version"] for m in PIN.finditer(tools)}
    config = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    used = {m["name"].lower(): m["version"] for m in PIN.finditer(config)}
    assert used, "no pinned hook dependencies found"
    mismatched = {name: (v, lint.get(name)) for name, v in used.items() if lint.get(name) != v}
    assert not mismatched, f"pre-commit vs pyproject lint group: {mismatched}"


def test_the_project_requires_python_3_11_5():
    """The home page's Python requirement (claim python-requirement), read from pyproject.toml."""
    assert PYPROJECT["project"]["requires-python"] == ">=3.11.5"
    assert sys.version_info >= (3, 11, 5)
