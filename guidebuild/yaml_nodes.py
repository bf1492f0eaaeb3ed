"""YAML read once, by libyaml: the nodes, which carry line numbers for error messages, and the
data built from those same nodes (a second parse for the lines cost the strict build time)."""

from __future__ import annotations

from typing import Any

import yaml


def load_with_nodes(
    text: str, loader: type[yaml.CSafeLoader] = yaml.CSafeLoader
) -> tuple[Any, yaml.Node | None]:
    """(data, root node) of a one-document YAML text; (None, None) when it is empty.
    Raises yaml.YAMLError; `error_line` says where."""
    parser = loader(text)
    try:
        node = parser.get_single_node()
        return (parser.construct_document(node) if node is not None else None), node
    finally:
        parser.dispose()


def error_line(error: yaml.YAMLError) -> int:
    """The 1-based line a YAML error points at (1 when it names none)."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return mark.line + 1 if mark else 1
