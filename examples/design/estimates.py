"""What the system-design calculators share: checked inputs, and the narrow table they print.

A table row is 42 characters wide, so the output fits a phone without scrolling sideways.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields


def check_inputs(inputs: object, shares: Iterable[str] | None = None) -> None:
    """Every field must be positive, and a share (a fraction: the fields named in `shares`, or
    else those ending in `_share`) at most 1. The error names the field: `Gpu.busy_share`."""
    for field in fields(inputs):  # type: ignore[arg-type]
        value = getattr(inputs, field.name)
        where = f"{type(inputs).__name__}.{field.name}"
        if value <= 0:
            raise ValueError(f"{where} must be positive, got {value!r}")
        is_share = field.name in shares if shares is not None else field.name.endswith("_share")
        if is_share and value > 1:
            raise ValueError(f"{where} is a share: at most 1, got {value!r}")


def row(label: str, value: str) -> str:
    return f"  {label:<22}{value:>18}"


def table(heading: list[str], sections: dict[str, list[tuple[str, str]]]) -> str:
    """The heading lines, then each section's title and its rows."""
    lines = list(heading)
    for title, figures in sections.items():
        lines += ["", title, *(row(what, value) for what, value in figures)]
    return "\n".join(lines)
