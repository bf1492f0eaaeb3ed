"""Build a site the way it is published: `python -m guidebuild.site [--config FILE] [--out DIR]`.

A strict MkDocs build, then the post-build step (postbuild.py) on its folder. Every session that
needs a site (docs, serve, offline, pdf, audit) builds it with this, each into its own folder,
so none changes another's output. `--serve 127.0.0.1:8000` then serves the folder as GitHub
Pages would (gzip), until Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

from guidebuild.browser import GzipHandler
from guidebuild.errors import BuildError
from guidebuild.paths import ROOT
from guidebuild.postbuild import Diagrams, PostBuild, post_build


def site_dir_of(config: Path) -> Path:
    """The site_dir a config (or the config it INHERITs) names, as MkDocs resolves it."""
    data: dict[str, str] = yaml.load(config.read_text("utf-8"), Loader=yaml.BaseLoader) or {}
    if "site_dir" in data:
        return (config.parent / str(data["site_dir"])).resolve()
    if "INHERIT" in data:
        return site_dir_of(config.parent / str(data["INHERIT"]))
    return (config.parent / "site").resolve()


def build(config: Path, out: Path | None = None, diagrams: Diagrams = "auto") -> PostBuild:
    site = out.resolve() if out else site_dir_of(config)
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config)]
    if out:
        command += ["-d", str(site)]
    # Material prints an end-of-life notice about MkDocs 2 on every build.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if subprocess.run(command, cwd=ROOT, env=env, check=False).returncode != 0:
        raise BuildError(f"`mkdocs build --strict -f {config.name}` failed (its messages above)")
    return post_build(site, diagrams)


def serve_forever(site: Path, address: str) -> None:
    host, _, port = address.rpartition(":")
    handler = functools.partial(GzipHandler, directory=str(site))
    try:
        server = http.server.ThreadingHTTPServer((host or "127.0.0.1", int(port)), handler)
    except OSError as error:
        raise BuildError(
            f"cannot serve on {address} ({error.strerror}): choose another address, e.g. "
            "`nox -s serve -- --serve 127.0.0.1:8001`"
        ) from None
    print(f"site: serving {site} at http://{address}/ (Ctrl-C stops)", flush=True)
    with server, contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "mkdocs.yml")
    parser.add_argument("--out", type=Path, help="folder to build into (default: site_dir)")
    parser.add_argument(
        "--diagrams",
        choices=["auto", "draw"],
        default="auto",
        help="draw: fail without Chromium (the published site); auto: draw when one is found",
    )
    parser.add_argument("--serve", metavar="HOST:PORT", help="serve the built site afterwards")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        result = build(args.config.resolve(), args.out, args.diagrams)
        site = args.out.resolve() if args.out else site_dir_of(args.config.resolve())
        print(result.summary(site.relative_to(ROOT) if site.is_relative_to(ROOT) else site))
        print(f"site: built in {time.monotonic() - started:.1f} s", flush=True)
        if args.serve:
            serve_forever(site, args.serve)
    except BuildError as error:
        print(f"site: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
