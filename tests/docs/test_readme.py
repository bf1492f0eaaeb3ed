"""README.md opens with the two commands a newcomer needs, and CI runs the second one."""

from __future__ import annotations

import re

from tests.docs.pages import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = re.findall(r"```bash\n(.+?)\n```", README)


def test_readme_opens_with_serve_then_test():
    assert len(COMMANDS) >= 2
    serve, test = COMMANDS[:2]
    assert serve.endswith("nox -s serve")
    assert test.endswith("nox"), "the second command runs every default nox session"


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert COMMANDS[1] in ci, f".ci/run does not run README's test command: {COMMANDS[1]!r}"
