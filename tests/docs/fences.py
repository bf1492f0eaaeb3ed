"""Find the fenced code blocks of a Markdown page, and the ones no test runs.

A fence passes when it is an include of a file under examples/ (which that chapter's tests run),
an inline Python block (test_inline_examples.py runs it with pytest-examples), a diagram, or
plain prose (`plain`: a formula, a command to type). Output (`text`) is generated: it includes
an `examples/**/*.out.txt` file that a test writes (tests/support/outputs.py). Everything else
that could be executed or applied (YAML, shell, SQL, ...) is untested code on a page, and is
reported with page and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from guidebuild.includes import Problem, include_target

FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>.*)$")

# Languages a reader could run or apply. Inline Python is allowed: pytest-examples runs it.
EXECUTABLE = {
    "bash", "sh", "shell", "zsh", "console", "shell-session", "powershell",
    "yaml", "yml", "json", "toml", "ini", "sql", "dockerfile", "hcl", "makefile",
    "javascript", "js", "java", "scala",
}  # fmt: skip
INLINE_PYTHON = {"python", "py", "python3", "pycon"}
# Output a test generated: only includes of examples/**/*.out.txt.
OUTPUT = {"text", "output", "log"}
OUTPUT_SUFFIX = ".out.txt"
# Prose and pictures: nothing to run.
NOT_CODE = {"plain", "mermaid", "diff", "markdown", "md"}


@dataclass(frozen=True)
class Fence:
    page: str
    line: int  # line of the opening fence, 1-based
    language: str
    body: list[str]

    @property
    def includes(self) -> list[str]:
        return [t for line in self.body if (t := include_target(line)) is not None]

    @property
    def is_include_only(self) -> bool:
        code = [line for line in self.body if line.strip()]
        return bool(code) and all(include_target(line) is not None for line in code)


def fences(markdown: str, page: str) -> Iterator[Fence]:
    lines = markdown.splitlines()
    number = 0
    while number < len(lines):
        opening = FENCE_OPEN.match(lines[number])
        number += 1
        if not opening:
            continue
        start, marker = number, opening["fence"]
        language = opening["info"].strip().split(" ")[0].strip("{}.").lower()
        body = []
        closing = re.compile(rf"^[ \t]*{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$")
        while number < len(lines) and not closing.match(lines[number]):
            body.append(lines[number])
            number += 1
        number += 1  # the closing fence
        yield Fence(page, start, language, body)


def untested_fences(markdown: str, page: str) -> list[Problem]:
    problems = []
    for fence in fences(markdown, page):
        if not fence.language:
            problems.append(
                Problem(page, fence.line, "fence without a language: use `text` for output")
            )
        elif fence.language in OUTPUT:
            pasted = not fence.is_include_only or any(
                not target.endswith(OUTPUT_SUFFIX) for target in fence.includes
            )
            if pasted:
                problems.append(
                    Problem(
                        page,
                        fence.line,
                        f"`{fence.language}` block is pasted output: have the example's test "
                        f"write it to examples/.../<example>{OUTPUT_SUFFIX} (tests/support/"
                        "outputs.py) and include that file; use `plain` for a formula or a "
                        "command to type",
                    )
                )
        elif fence.language in INLINE_PYTHON or fence.language in NOT_CODE:
            continue
        elif fence.language in EXECUTABLE:
            if not fence.is_include_only:
                problems.append(
                    Problem(
                        page,
                        fence.line,
                        f"`{fence.language}` block is not included from examples/: move it to a "
                        "file under examples/ with a test, and include it with --8<--",
                    )
                )
            elif bad := [t for t in fence.includes if not t.startswith("examples/")]:
                problems.append(
                    Problem(page, fence.line, f"includes {bad[0]}, which is not under examples/")
                )
        else:
            problems.append(
                Problem(
                    page,
                    fence.line,
                    f"unknown fence language `{fence.language}`: add it to EXECUTABLE or NOT_CODE "
                    "in tests/docs/fences.py",
                )
            )
    return problems
