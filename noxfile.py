"""Everything a contributor runs. `nox -l` is the menu; `nox` runs every test."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv"
nox.options.reuse_venv = "yes"
nox.options.error_on_external_run = True
nox.options.sessions = ["lint", "docs", "examples"]

SESSION_ENV = {
    # uv skips bytecode by default; where PYTHONDONTWRITEBYTECODE is set (many CI images set
    # it), every process the tests start would then compile mlflow or ray from source again.
    "UV_COMPILE_BYTECODE": "1",
    # MLflow 3 sends usage telemetry from every process that imports it; nothing here reads
    # it, and the machine has no network to send it over.
    "MLFLOW_DISABLE_TELEMETRY": "true",
}

# Material 9.8 prints an end-of-life notice about MkDocs 2 on every build.
QUIET_MKDOCS = {"NO_MKDOCS_2_WARNING": "1"}

# Each engine has its own virtual environment (apache-flink's pins clash with the others)
# and its own test folder. Keys are what `nox -s examples -- <engine>` accepts.
ENGINES = {
    "kubernetes": "tests/kubernetes",
    "spark": "tests/spark",
    "flink": "tests/flink",
    "ray": "tests/ray_",
    "mlflow": "tests/mlflow_",
    "cicd": "tests/cicd",
    "labs": "tests/labs",
    "training": "tests/training",
    "serving": "tests/serving",
    "data": "tests/data",
    "observability": "tests/observability",
    "design": "tests/design",
}


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def install_group(session: nox.Session, *groups: str, project: bool = False) -> None:
    """Make the session's venv exactly these dependency groups, as uv.lock pins them.

    `uv sync` removes what the groups do not list, so a session calls this once, with all its
    groups. `project=True` also installs the guidebuild package (editable), which MkDocs' hook
    imports. `--locked` fails when uv.lock is out of date with pyproject.toml: run `uv lock`.
    """
    if not isinstance(session.virtualenv, nox.virtualenv.VirtualEnv):
        session.error(f"{session.name} installs into its own venv: run it without --no-venv")
    for name, value in SESSION_ENV.items():
        session.env.setdefault(name, os.environ.get(name, value))
    session.run_install(
        "uv", "sync", "--locked", "--no-default-groups",
        *(f"--group={group}" for group in groups),
        *(() if project else ("--no-install-project",)),
        env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location},
    )  # fmt: skip


@nox.session
def lint(session: nox.Session) -> None:
    """Lint YAML, Python, types, spelling and the GitHub workflows (yamllint, ruff, mypy,
    codespell, zizmor)."""
    install_group(session, "lint", "typecheck")
    # The lock must match pyproject.toml's pins (`uv lock` updates it).
    session.run("uv", "lock", "--check")
    session.run("yamllint", "--strict", ".")
    session.run("codespell", "docs", "examples", "README.md", "CONTRIBUTING.md")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")
    workflows = sorted(str(p) for p in Path(".github/workflows").glob("*.yml"))
    session.run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows)
    session.run("zizmor", "--offline", "--min-severity", "low", ".github/workflows")


def prepare_docs(session: nox.Session, *groups: str) -> None:
    """The build's venv (MkDocs, the guidebuild package, Playwright for the post-build step)
    with `groups` besides, and the npm packages the site serves."""
    install_group(session, "pdf", "quiz", *groups, project=True)
    # Mermaid and the offline search shim are served by the site itself (no CDN at view time).
    # npm ci takes ~15 s, so it runs only when package-lock.json changed since the last install.
    installed, wanted = Path("node_modules/.package-lock.json"), Path("package-lock.json")
    if installed.exists() and installed.stat().st_mtime >= wanted.stat().st_mtime:
        session.log("node_modules is up to date with package-lock.json")
    else:
        session.run("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error")


def build_site(session: nox.Session, *args: str) -> None:
    """A strict MkDocs build and the post-build step every published site goes through."""
    session.run("python", "-m", "guidebuild.site", *args)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the site as published into site/, test what the pages show, and the test library."""
    prepare_docs(session, "flashcards")
    build_site(session)
    session.run(
        "pytest",
        "tests/docs",
        "tests/quiz",
        "tests/harness",
        "tests/pdf/test_cheat_sheet.py",
        *session.posargs,
    )


@nox.session(default=False)
def serve(session: nox.Session) -> None:
    """Build the site as published and serve it at http://127.0.0.1:8000 (`-- --live`: live
    reload while writing, with MkDocs' server and without the post-build step)."""
    args = list(session.posargs)
    live = "--live" in args
    if live:
        args.remove("--live")
    if not args and port_in_use(8000):
        session.error(
            "port 8000 is in use; serve elsewhere: nox -s serve -- --serve 127.0.0.1:8001 "
            "(or, live: nox -s serve -- --live -a 127.0.0.1:8001)"
        )
    prepare_docs(session)
    if live:
        session.run("mkdocs", "serve", *args, env=QUIET_MKDOCS)
    else:
        build_site(session, *(args or ["--serve", "127.0.0.1:8000"]))


@nox.session(default=False)
def pdf(session: nox.Session) -> None:
    """Print the guide to dist/field-guide.pdf with Chromium, then test the PDF itself."""
    prepare_docs(session)
    build_site(session, "--config", "mkdocs.print.yml", "--diagrams", "draw")
    session.run("python", "-m", "guidebuild.pdf")
    session.run(
        "pytest",
        "tests/pdf/test_pdf.py",
        "tests/pdf/test_print_config.py",
        "tests/pdf/test_print_chrome.py",
        "tests/pdf/test_mock_interviews.py",
        *session.posargs,
    )


@nox.session(default=False)
def offline(session: nox.Session) -> None:
    """Build the published site into dist/offline-site, zip it for file://, test the zip."""
    prepare_docs(session)
    build_site(session, "--out", "dist/offline-site", "--diagrams", "draw")
    session.run("python", "-m", "guidebuild.offline")
    tests = ["tests/pdf/test_offline.py", "tests/pdf/test_offline_practice.py"]
    session.run("pytest", *tests, *session.posargs)


@nox.session(default=False)
def audit(session: nox.Session) -> None:
    """Lighthouse (mobile) on every page of the published site, links, spelling; args: globs."""
    prepare_docs(session, "audit")
    session.run("pytest", "tests/pdf/test_audit.py")
    session.run("codespell", "docs", "examples")
    build_site(session, "--out", "dist/audit-site", "--diagrams", "draw")
    # Internal links and anchors must resolve; external ones are listed, not fetched.
    session.run(
        "python", "-m", "guidebuild.links", "--site", "dist/audit-site",
        "--report", "dist/lighthouse/external-links.md",
    )  # fmt: skip
    session.run("python", "-m", "guidebuild.audit", "--site", "dist/audit-site", *session.posargs)


@nox.session(default=False)
def flashcards(session: nox.Session) -> None:
    """Build the Anki deck dist/field-guide-flashcards.apkg from the quiz data, then test it."""
    install_group(session, "flashcards", project=True)
    session.run("python", "-m", "guidebuild.deck")
    session.run(
        "pytest",
        "tests/quiz/test_data.py",
        "tests/quiz/test_citations.py",
        "tests/quiz/test_deck.py",
        *session.posargs,
    )


@nox.session(default=False)
def zensical(session: nox.Session) -> None:
    """Build the site with Zensical as well and report what it keeps: dist/zensical/report.md."""
    prepare_docs(session, "zensical")
    mkdocs_site, zensical_site = "dist/zensical-mkdocs-site", "dist/zensical-site"
    started = time.monotonic()
    session.run("mkdocs", "build", "--strict", "-d", mkdocs_site, env=QUIET_MKDOCS)
    mkdocs_seconds = time.monotonic() - started
    # Zensical has no --site-dir, and resolves docs_dir and site_dir from its config's folder,
    # so a config beside mkdocs.yml inherits it and names the output folder.
    config = Path("zensical-preview.yml")
    config.write_text(f"INHERIT: mkdocs.yml\nsite_dir: {zensical_site}\n")
    try:
        started = time.monotonic()
        # No --clean: it empties all of .cache/, mkdocs-jupyter's notebook cache included.
        session.run("zensical", "build", "-f", str(config))
        zensical_seconds = time.monotonic() - started
    finally:
        config.unlink()
    session.run(
        "python", "-m", "guidebuild.zensical",
        "--mkdocs-site", mkdocs_site,
        "--zensical-site", zensical_site,
        "--report", "dist/zensical/report.md",
        "--mkdocs-seconds", f"{mkdocs_seconds:.1f}",
        "--zensical-seconds", f"{zensical_seconds:.1f}",
    )  # fmt: skip


@nox.session(venv_backend="none", default=False)
def publish(session: nox.Session) -> None:
    """Assemble dist/pages (the offline session's site plus the downloads) for GitHub Pages."""
    session.run(sys.executable, "-m", "guidebuild.publish", external=True)


@nox.session(name="spark-figures", default=False)
def spark_figures(session: nox.Session) -> None:
    """Measure the Spark page's figures (UDF ratio, skew table) into examples/spark/benchmarks/."""
    install_group(session, "spark")
    session.run(
        "python", "examples/spark/benchmarks/figures.py", env={"SPARK_LOCAL_IP": "127.0.0.1"}
    )


@nox.session(name="data-figures", default=False)
def data_figures(session: nox.Session) -> None:
    """Measure Feast's online retrieval latency into examples/data/benchmarks/ (one machine's
    figures, shown as such on the feature-store page)."""
    install_group(session, "data")
    session.run("python", "examples/data/benchmarks/online_latency.py")


@nox.session(venv_backend="none")
def examples(session: nox.Session) -> None:
    """Run the examples against local engines: `nox -s examples -- spark ray -k salting`."""
    chosen: list[str] = []
    args = list(session.posargs)
    while args and not args[0].startswith("-"):
        chosen.append(args.pop(0))
    unknown = [name for name in chosen if name not in ENGINES]
    if unknown:
        session.error(f"unknown engine {unknown}; choose from: {' '.join(ENGINES)}")
    for engine in chosen or ENGINES:
        session.notify(f"examples-{engine}", posargs=args)


def engine_session(engine: str, tests: str):
    def run(session: nox.Session) -> None:
        install_group(session, engine)
        session.run("pytest", tests, *session.posargs)

    run.__doc__ = f"Examples of the {engine} chapter, against a local engine ({tests})."
    return nox.session(run, name=f"examples-{engine}", default=False)


def unpinned(group: str) -> list[str]:
    """A group's requirements (its included groups too) without versions: `ray[serve]`."""
    requirements = nox.project.dependency_groups(nox.project.load_toml("pyproject.toml"), group)
    return [re.split(r"[=<>!~;\s]", requirement, maxsplit=1)[0] for requirement in requirements]


def latest_session(engine: str, tests: str):
    def run(session: nox.Session) -> None:
        for name, value in SESSION_ENV.items():
            session.env.setdefault(name, os.environ.get(name, value))
        # A new venv each time: the newest releases, as a reader installing today gets them.
        session.install(*unpinned(engine))
        session.run("pytest", tests, "-p", "no:cacheprovider", *session.posargs)

    run.__doc__ = f"The {engine} chapter's examples against the newest release of every package."
    return nox.session(run, name=f"latest-{engine}", default=False, reuse_venv=False)


for _engine, _tests in ENGINES.items():
    globals()[f"examples_{_engine}"] = engine_session(_engine, _tests)
    globals()[f"latest_{_engine}"] = latest_session(_engine, _tests)


@nox.session(venv_backend="none", default=False)
def latest(session: nox.Session) -> None:
    """The canary: every chapter against the newest releases; writes dist/latest/report.md."""
    chosen = [arg for arg in session.posargs if arg in ENGINES] or list(ENGINES)
    report = Path("dist/latest/report.md")
    report.parent.mkdir(parents=True, exist_ok=True)
    pinned = nox.project.load_toml("pyproject.toml")["dependency-groups"]
    rows = []
    for engine in chosen:
        log = report.parent / f"{engine}.log"
        with log.open("w") as out:
            code = subprocess.call(
                [sys.executable, "-m", "nox", "-s", f"latest-{engine}"],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        python = Path(".nox") / f"latest-{engine.replace('_', '-')}" / "bin" / "python"
        # The engine's own pins, and what the unpinned install resolved them to.
        names = {re.split(r"[\[=]", p)[0]: p.split("==")[1] for p in pinned[engine] if "==" in p}
        found = subprocess.run(
            [str(python), "-c", "import json, sys, importlib.metadata as m; "
             "print(json.dumps({n: m.version(n) for n in sys.argv[1:]}))", *names],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        latest_versions = json.loads(found.stdout) if found.returncode == 0 else {}
        changed = [
            f"{name} {version} -> {latest_versions.get(name, '?')}"
            for name, version in names.items()
            if latest_versions.get(name) != version
        ]
        result = "pass" if code == 0 else f"FAIL (`{log}`)"
        rows.append(f"| {engine} | {', '.join(changed) or 'all pins are the newest'} | {result} |")
        session.log(f"{engine}: {result}")
    table = "\n".join(
        [
            "| chapter | pinned -> newest release that resolves | examples |",
            "| --- | --- | --- |",
            *rows,
        ]
    )
    report.write_text(f"# The pins against the newest releases\n\n{table}\n")
    print(table)


@nox.session(venv_backend="none", default=False)
def stress(session: nox.Session) -> None:
    """Repeat engine sessions under load: `nox -s stress -- ray labs --runs 5 --busy 1`."""
    engines, runs, busy = [], 5, 0
    args = list(session.posargs)
    while args:
        arg = args.pop(0)
        if arg == "--runs":
            runs = int(args.pop(0))
        elif arg == "--busy":
            busy = int(args.pop(0))
        elif arg in ENGINES:
            engines.append(arg)
        else:
            session.error(f"unknown argument {arg!r}; engines: {' '.join(ENGINES)}")
    report = Path("dist/stress/report.md")
    report.parent.mkdir(parents=True, exist_ok=True)
    # Busy loops hold cores the way another job on a shared CI machine would.
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(busy)]
    rows = []
    try:
        for engine in engines or list(ENGINES):
            passed, seconds = 0, []
            for run in range(1, runs + 1):
                log = report.parent / f"{engine}-{run}.log"
                start = time.monotonic()
                with log.open("w") as out:
                    code = subprocess.call(
                        [sys.executable, "-m", "nox", "-s", f"examples-{engine}"],
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                seconds.append(time.monotonic() - start)
                passed += code == 0
                session.log(
                    f"{engine} run {run}/{runs}: {'passed' if code == 0 else 'FAILED'}"
                    f" in {seconds[-1]:.0f} s ({log})"
                )
            rows.append(f"| {engine} | {passed}/{runs} | {min(seconds):.0f}-{max(seconds):.0f} |")
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()
    table = "\n".join(
        [
            f"busy loops beside the runs: {busy}",
            "",
            "| session | passed | seconds |",
            "| --- | --- | --- |",
            *rows,
        ]
    )
    report.write_text(table + "\n")
    print(table)
    if any(f"| {runs}/{runs} |" not in row for row in rows):
        session.error(f"some runs failed: see the logs beside {report}")
