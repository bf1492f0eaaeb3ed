"""Inline Python blocks on the pages run, lint clean, and print what their `#>` comments say.

Run `pytest tests/docs/test_inline_examples.py --update-examples` to rewrite the `#>` lines
after changing a block. Includes (`--8<--`) are not inline code: their chapter's tests run them.
"""

from __future__ import annotations

import pytest
from pytest_examples import CodeExample, EvalExample, find_examples

from guidebuild.includes import include_target
from tests.docs.pages import markdown_pages

INLINE = [
    example
    for example in find_examples(*markdown_pages())
    if not any(include_target(line) for line in example.source.splitlines())
]


def test_the_pages_have_inline_examples():
    """If the finder broke, every parametrized test below would vanish without a failure."""
    assert len(INLINE) >= 2


@pytest.mark.parametrize("example", INLINE, ids=str)
def test_inline_example(example: CodeExample, eval_example: EvalExample):
    eval_example.set_config(line_length=100, target_version="py311")
    if eval_example.update_examples:
        eval_example.format(example)
        eval_example.run_print_update(example)
    else:
        eval_example.lint(example)
        eval_example.run_print_check(example)
