"""The base64 snippet: what it prints, that the Secret holds exactly that, and that kubectl
builds the same Secret."""

from __future__ import annotations

import base64
import subprocess

import yaml

from tests.kubernetes.conftest import EXAMPLES


def test_snippet_output_and_secret_agree():
    result = subprocess.run(
        ["bash", str(EXAMPLES / "core-objects" / "secret-encode.sh")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines() == ["bXktYXBpLWtleQ==", "my-api-key"]
    secret = yaml.safe_load((EXAMPLES / "core-objects" / "secret.yaml").read_text())
    assert secret["data"]["api-key"] == "bXktYXBpLWtleQ=="
    assert base64.b64decode(secret["data"]["api-key"]) == b"my-api-key"


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
