"""The init container's download command, run for real against a local HTTP server."""

from __future__ import annotations

import http.server
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.kubernetes.conftest import EXAMPLES

MODEL = b"\x00weights\x01" * 100
DRAFT = [
    "curl",
    "-L",
    "https://storage.googleapis.com/models/latest.bin",
    "-o",
    "/models/model.bin",
]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/models/latest.bin":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(MODEL)
        else:
            self.send_response(404)
            self.end_headers()
            self.wfile.write(b"<html>404 Not Found</html>")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def command_of_manifest() -> list[str]:
    pod = yaml.safe_load((EXAMPLES / "core-objects" / "pod-init-container.yaml").read_text())
    return pod["spec"]["initContainers"][0]["command"]


def run(command: list[str], server: str, path: str, models: Path) -> subprocess.CompletedProcess:
    if shutil.which("curl") is None:
        pytest.fail("curl is needed on the machine for this test (apt-get install curl)")
    local = [
        arg.replace("https://storage.googleapis.com", server)
        .replace("/models/latest.bin", path)
        .replace("/models/model.bin", str(models / "model.bin"))
        for arg in command
    ]
    return subprocess.run(local, capture_output=True, timeout=60)


def test_manifest_command_downloads_the_model(server: str, tmp_path: Path):
    result = run(command_of_manifest(), server, "/models/latest.bin", tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "model.bin").read_bytes() == MODEL


def test_manifest_command_fails_on_http_error(server: str, tmp_path: Path):
    result = run(command_of_manifest(), server, "/models/missing.bin", tmp_path)
    assert result.returncode == 22  # curl's "HTTP error" exit code: the init container fails
    assert not (tmp_path / "model.bin").exists()


def test_drafts_command_succeeds_on_a_404(server: str, tmp_path: Path):
    result = run(DRAFT, server, "/models/missing.bin", tmp_path)
    assert result.returncode == 0  # the Pod would start...
    assert (tmp_path / "model.bin").read_bytes() == b"<html>404 Not Found</html>"  # ...on this
