"""Nothing on a page goes untested: every executable fence is an include of a tested example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guidebuild.includes import include_problems
from tests.docs.fences import untested_fences
from tests.docs.pages import DOCS, ROOT, markdown_pages

PAGES = markdown_pages()


def page_id(path: Path) -> str:
    return str(path.relative_to(DOCS))


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_every_executable_fence_is_an_include(path: Path):
    problems = untested_fences(path.read_text(encoding="utf-8"), f"docs/{page_id(path)}")
    assert not problems, "\n" + "\n".join(map(str, problems))


@pytest.mark.parametrize("path", sorted(DOCS.rglob("*.md")), ids=lambda p: str(p.relative_to(DOCS)))
def test_every_include_resolves(path: Path):
    problems = include_problems(path.read_text(encoding="utf-8"), f"docs/{page_id(path)}")
    assert not problems, "\n" + "\n".join(map(str, problems))


def test_every_example_file_is_on_some_page():
    """An example no page includes or names is dead code that a reader never finds."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in DOCS.rglob("*.md"))
    mentioned = set(re.findall(r"examples/[\w./-]+", text))
    examples = {
        str(p.relative_to(ROOT))
        for p in (ROOT / "examples").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    orphans = sorted(path for path in examples if path not in mentioned)
    assert not orphans, f"example files no page includes or names: {orphans}"


# The checker itself must be able to fail (a canary): a page broken on purpose is reported,
# with its name and the fence's line.
BROKEN_PAGE = """\
# A page

```yaml
apiVersion: v1
kind: Pod
```

```python title="examples/x.py"
--8<-- "examples/does/not/exist.py"
```

```bash
--8<-- "examples/kubernetes/kubectl-cheatsheet.sh"
echo and something typed by hand
```

```
no language
```

```text
output pasted by hand
```

```text title="python examples/spark/tuning.py"
--8<-- "examples/spark/tuning.out.txt"
```

```plain
a formula is fine
```
"""


def test_checker_reports_a_page_broken_on_purpose():
    problems = untested_fences(BROKEN_PAGE, "docs/broken.md")
    assert [(p.page, p.line) for p in problems] == [
        ("docs/broken.md", 3),
        ("docs/broken.md", 12),
        ("docs/broken.md", 17),
        ("docs/broken.md", 21),
    ]
    assert "not included from examples/" in problems[0].message
    assert "without a language" in problems[2].message
    assert "pasted output" in problems[3].message


def test_include_checker_names_page_line_and_fix(tmp_path: Path):
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "job.py").write_text("# --8<-- [start:a]\nx = 1\n# --8<-- [end:a]\n")
    page = "\n".join(
        [
            "```python",
            '--8<-- "examples/job.py:a"',
            '--8<-- "examples/job.py:b"',
            '--8<-- "examples/gone.py"',
            "```",
        ]
    )
    problems = include_problems(page, "docs/p.md", root=tmp_path)
    assert [str(p).split(": ", 1)[0] for p in problems] == ["docs/p.md:3", "docs/p.md:4"]
    assert 'no section "b"' in problems[0].message
    assert "does not exist" in problems[1].message
