"""The GitHub workflow runs what the noxfile defines: a chapter added to one is in the other."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def noxfile_engines() -> list[str]:
    """The keys of noxfile.py's ENGINES, read without importing nox."""
    tree = ast.parse((ROOT / "noxfile.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "ENGINES" for t in node.targets
        ):
            return list(ast.literal_eval(node.value))
    raise AssertionError("noxfile.py: no ENGINES = {...} at module level")


def test_the_examples_job_runs_every_engine_of_the_noxfile():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    matrix = workflow["jobs"]["examples"]["strategy"]["matrix"]["engine"]
    engines = noxfile_engines()
    assert sorted(matrix) == sorted(engines), (
        f".github/workflows/ci.yml: examples matrix {matrix} != noxfile ENGINES {engines}"
    )
