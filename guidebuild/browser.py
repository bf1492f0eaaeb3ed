"""The machine's Chromium, and a local HTTP server for a built site.

Chromium is the machine's own (Debian's `chromium`, installed with apt), driven by Playwright
through `executable_path`: Playwright's browser download does not work here and is not needed.
Set CHROMIUM=/path/to/chrome to use another build (GitHub's Ubuntu runners: google-chrome).
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from guidebuild.errors import BuildError

# Mermaid and Material draw into closed shadow roots; opened, a page script (or a test) can
# look inside them.
OPEN_SHADOW_ROOTS = """
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
  return attach.call(this, { ...init, mode: "open" });
};
"""


def find_chromium() -> str | None:
    """The Chromium binary to drive, or None when the machine has none."""
    try:
        return chromium_path()
    except BuildError:
        return None


def chromium_path() -> str:
    """The Chromium binary to drive, or a BuildError that says how to install one."""
    wanted = os.environ.get("CHROMIUM")
    # Debian's chromium first; GitHub's Ubuntu runners ship Google Chrome instead (Ubuntu's
    # chromium package is a snap stub).
    candidates = (
        [wanted]
        if wanted
        else ["/usr/bin/chromium", "chromium", "google-chrome-stable", "google-chrome"]
    )
    for candidate in candidates:
        found = shutil.which(candidate) if candidate else None
        if found:
            return found
    raise BuildError(
        f"no Chromium found (tried {', '.join(c for c in candidates if c)}). Install Debian's: "
        "`apt-get install chromium`, or point CHROMIUM at a Chrome/Chromium binary."
    )


CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def is_local(url: str) -> bool:
    """A request that stays on this machine (the site itself, inline data)."""
    return url.startswith(("file:", "data:", "blob:", "about:", "http://127.0.0.1:"))


COMPRESSIBLE = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map"}


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """A static server that gzips text like the site's real host (GitHub Pages) does.

    Lighthouse's timings depend on the bytes on the wire: auditing an uncompressed copy would
    measure a site nobody is served.
    """

    _gzipped: ClassVar[dict[str, bytes]] = {}

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (wants_gzip and path.suffix in COMPRESSIBLE and path.is_file()):
            super().do_GET()
            return
        key = str(path)
        if key not in self._gzipped:
            self._gzipped[key] = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        body = self._gzipped[key]
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 on a free port, in this process; yield its base URL."""
    if not (directory / "index.html").is_file():
        raise BuildError(f"{directory} holds no built site (no index.html): build it first")
    handler = functools.partial(GzipHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
