"""Assemble what GitHub Pages publishes: `python -m guidebuild.publish [--out dist/pages]`.

The published site is the offline zip's site (built by `nox -s offline` through the same
post-build step as every site, diagrams drawn), plus the downloads its home page links: the PDF,
the zip and the Anki deck. Nothing is rebuilt or rewritten here; a missing input is an error
that names the session that makes it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from guidebuild.errors import BuildError
from guidebuild.paths import DECK, OFFLINE_SITE, OFFLINE_ZIP, PAGES_SITE, PDF

# download file -> the nox session that builds it
DOWNLOADS = {PDF: "pdf", OFFLINE_ZIP: "offline", DECK: "flashcards"}


def assemble(site: Path = OFFLINE_SITE, out: Path = PAGES_SITE) -> list[Path]:
    missing = [
        f"{path.name} (`nox -s {session}`)"
        for path, session in [(site / "index.html", "offline"), *DOWNLOADS.items()]
        if not path.is_file()
    ]
    if missing:
        raise BuildError(f"cannot publish: missing {', '.join(missing)}")
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(site, out)
    downloads = out / "downloads"
    downloads.mkdir()
    return [Path(shutil.copy2(path, downloads / path.name)) for path in DOWNLOADS]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=PAGES_SITE)
    args = parser.parse_args(argv)
    try:
        copied = assemble(out=args.out.resolve())
    except BuildError as error:
        print(f"publish: {error}", file=sys.stderr)
        return 1
    print(f"publish: {args.out} holds the site and {', '.join(p.name for p in copied)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
