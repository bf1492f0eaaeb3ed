"""Each kubectl line of the cheat sheet, through the pinned kubectl's own flag parsing.

No cluster here: a command whose subcommand and flags parse gets as far as dialling the API
server (a closed port on 127.0.0.1, "connection refused"); a typo stops kubectl before that.
"""

from __future__ import annotations

import os
import shlex
import subprocess

import pytest

from tests.kubernetes.conftest import EXAMPLES

CHEATSHEET = EXAMPLES / "kubectl-cheatsheet.sh"
COMMANDS = [line for line in CHEATSHEET.read_text().splitlines() if line.startswith("kubectl ")]
PARSE_ERRORS = ("unknown flag", "unknown shorthand", "unknown command", "error: expected",
                "invalid argument", "required flag", "accepts ")  # fmt: skip


def run(kubectl: str, kubeconfig, command: str) -> tuple[str, int]:
    args = shlex.split(command.replace('"$POD"', "ml-inference"))
    assert args[0] == "kubectl" and "$" not in command.replace('"$POD"', "")
    env = {**os.environ, "KUBECONFIG": str(kubeconfig)}
    result = subprocess.run(
        [kubectl, *args[1:], "--request-timeout=5s"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env, timeout=60,
    )  # fmt: skip
    return result.stdout + result.stderr, result.returncode


def parsed(output: str) -> bool:
    """True when kubectl got past its command line and tried to reach the API server."""
    reached = "connection refused" in output or "was refused" in output
    return reached and not any(error in output for error in PARSE_ERRORS)


def test_the_cheatsheet_has_the_drafts_commands():
    assert len(COMMANDS) == 7
    assert "kubectl get events --sort-by='.lastTimestamp'" in COMMANDS


def test_kubectl_is_the_pinned_version(kubectl: str):
    result = subprocess.run([kubectl, "version", "--client"], capture_output=True, text=True)
    assert "Client Version: v1.37.1" in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_command_parses(kubectl: str, unreachable_kubeconfig, command: str):
    output, code = run(kubectl, unreachable_kubeconfig, command)
    assert code != 0  # nothing answers: it must not pretend it worked
    assert parsed(output), f"{CHEATSHEET.name}: {command}\n{output}"


@pytest.mark.parametrize(
    "typo",
    [
        "kubectl get events --sortby='.lastTimestamp'",
        'kubectl describ pod "$POD"',
        'kubectl logs --follows "$POD"',
        'kubectl exec -itx "$POD" -- /bin/bash',
        "kubectl logs -f",
    ],
)
def test_a_typo_is_caught(kubectl: str, unreachable_kubeconfig, typo: str):
    output, code = run(kubectl, unreachable_kubeconfig, typo)
    assert code != 0 and not parsed(output), output


def test_script_is_valid_bash_and_has_no_placeholders():
    subprocess.run(["bash", "-n", str(CHEATSHEET)], check=True)
    assert "<pod-name>" not in "\n".join(COMMANDS)


def test_the_drafts_placeholder_is_a_syntax_error_in_bash(tmp_path):
    # The draft's `kubectl describe pod <pod-name>`, pasted into bash: `<` and `>` redirect.
    result = subprocess.run(
        ["bash", "-c", "kubectl describe pod <pod-name>"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode != 0
    assert "syntax error near unexpected token `newline'" in result.stderr


def test_script_refuses_to_run_without_pod():
    env = {k: v for k, v in os.environ.items() if k != "POD"}
    result = subprocess.run(["bash", str(CHEATSHEET)], capture_output=True, text=True, env=env)
    assert result.returncode != 0
    assert "set POD to a pod name" in result.stderr
