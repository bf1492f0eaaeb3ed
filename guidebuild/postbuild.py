"""The one step every built site goes through after `mkdocs build`, whichever folder it is in:
the site you preview, the published site, the offline zip's and the PDF's print site.

1. figures.py: each lab's figures become files beside its page;
2. lean_theme.trim_theme_assets: Material's CSS and bundle trimmed to what the site uses;
3. mermaid.py: diagrams drawn into the HTML (needs Chromium);
4. reading_time.py: each page's reading time under its title, and the study plan's times.

Without Chromium, `diagrams="auto"` leaves the diagrams to the reader's browser, as Material
does by default, and says so; `diagrams="draw"` (the published site, the zip, the PDF) fails.
Running the step twice on one folder changes nothing the second time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from guidebuild import figures, lean_theme, mermaid, reading_time
from guidebuild.browser import find_chromium
from guidebuild.errors import BuildError

Diagrams = Literal["auto", "draw"]


@dataclass
class PostBuild:
    figures: int
    diagram_pages: int
    diagrams: int
    drawn_by_browser: bool
    seconds: float

    def summary(self, site: Path) -> str:
        drawn = (
            "diagrams left to the browser (no Chromium: install Debian's `chromium` or set "
            "CHROMIUM to draw them at build time, as the published site does)"
            if self.drawn_by_browser
            else f"{self.diagrams} diagram(s) on {self.diagram_pages} page(s) drawn into the HTML"
        )
        return (
            f"post-build {site}: {self.figures} figure file(s), theme assets trimmed, {drawn} "
            f"({self.seconds:.1f} s)"
        )


def post_build(site: Path, diagrams: Diagrams = "auto") -> PostBuild:
    if not (site / "index.html").is_file():
        raise BuildError(f"{site} holds no built site (no index.html): run `mkdocs build` first")
    started = time.monotonic()
    written = figures.write_figure_files(site)
    lean_theme.trim_theme_assets(site)
    if diagrams == "auto" and find_chromium() is None:
        drawn, by_browser = {"pages": 0, "diagrams": 0}, True
    else:
        drawn, by_browser = mermaid.draw_diagrams(site), False
    # After the drawing: a diagram's source is not read, its labels are.
    reading_time.add_reading_times(site)
    return PostBuild(
        figures=written,
        diagram_pages=drawn["pages"],
        diagrams=drawn["diagrams"],
        drawn_by_browser=by_browser,
        seconds=time.monotonic() - started,
    )
