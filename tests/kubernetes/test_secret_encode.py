"""The base64 snippet: what it prints, that the Secret holds exactly that, and that kubectl
builds the same Secret."""

from __future__ import annotations

import base64
import re
import subprocess

import pytest
import yaml

from tests.kubernetes.conftest import EXAMPLES
from tests.support.outputs import PageOutput

SCRIPT = EXAMPLES / "core-objects" / "secret-encode.sh"


def section(name: str) -> str:
    """The lines between `# --8<-- [start:name]` and `[end:name]`: what the page shows."""
    found = re.search(
        rf"\[start:{name}\]\n(.*?)^# --8<-- \[end:{name}\]", SCRIPT.read_text(), re.M | re.S
    )
    assert found, f"no section {name!r} in {SCRIPT}"
    return found[1]


def run_bash(code: str) -> str:
    result = subprocess.run(
        ["bash", "-c", f"set -euo pipefail\n{code}"], capture_output=True, text=True, check=True
    )
    return result.stdout


def test_snippet_output_and_secret_agree():
    result = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == ["bXktYXBpLWtleQ==", "my-api-key"]
    secret = yaml.safe_load((EXAMPLES / "core-objects" / "secret.yaml").read_text())
    assert secret["data"]["api-key"] == "bXktYXBpLWtleQ=="
    assert base64.b64decode(secret["data"]["api-key"]) == b"my-api-key"


# Each section the page shows, run on its own; its output is the block under it on the page.
@pytest.mark.parametrize(
    ("name", "output"),
    [
        ("encode", "examples/kubernetes/core-objects/secret-encode.encode.out.txt"),
        ("decode", "examples/kubernetes/core-objects/secret-encode.decode.out.txt"),
    ],
)
def test_page_shows_what_each_section_prints(name: str, output: str, page_output: PageOutput):
    page_output(output, run_bash(section(name)))


def test_without_dash_n_the_newline_is_encoded_too():
    result = subprocess.run(
        ["bash", "-c", "echo 'my-api-key' | base64"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "bXktYXBpLWtleQo="
    assert base64.b64decode(result.stdout) == b"my-api-key\n"


def test_kubectl_builds_the_same_secret(kubectl: str, tmp_path):
    result = subprocess.run(
        [kubectl, "create", "secret", "generic", "api-credentials",
         "--from-literal=api-key=my-api-key", "--dry-run=client", "-o", "yaml"],
        capture_output=True, text=True, check=True,
        env={"KUBECONFIG": str(tmp_path / "none"), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    made = yaml.safe_load(result.stdout)
    ours = yaml.safe_load((EXAMPLES / "core-objects" / "secret.yaml").read_text())
    assert made["data"] == ours["data"]
    assert made["metadata"]["name"] == ours["metadata"]["name"]
