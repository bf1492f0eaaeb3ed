"""Everything a contributor runs. `nox -l` is the menu; `nox` runs every test."""

from __future__ import annotations

import os
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

PYPROJECT = nox.project.load_toml("pyproject.toml")
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
}


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def install_group(session: nox.Session, *groups: str) -> None:
    for name, value in SESSION_ENV.items():
        session.env.setdefault(name, os.environ.get(name, value))
    session.install(*nox.project.dependency_groups(PYPROJECT, *groups))


@nox.session
def lint(session: nox.Session) -> None:
    """Lint YAML, Python, spelling and the GitHub workflows (yamllint, ruff, codespell, zizmor)."""
    install_group(session, "lint")
    session.run("yamllint", "--strict", ".")
    session.run("codespell", "docs", "examples", "README.md", "CONTRIBUTING.md")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    workflows = sorted(str(p) for p in Path(".github/workflows").glob("*.yml"))
    session.run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows)
    session.run("zizmor", "--offline", "--min-severity", "low", ".github/workflows")


def prepare_docs(session: nox.Session) -> None:
    install_group(session, "docs", "quiz")
    # Mermaid and the offline search shim are served by the site itself (no CDN at view time).
    # npm ci takes ~15 s, so it runs only when package-lock.json changed since the last install.
    installed, wanted = Path("node_modules/.package-lock.json"), Path("package-lock.json")
    if installed.exists() and installed.stat().st_mtime >= wanted.stat().st_mtime:
        session.log("node_modules is up to date with package-lock.json")
    else:
        session.run("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the site with --strict, test what the pages show, and the tests' own engine library."""
    prepare_docs(session)
    install_group(session, "flashcards")
    session.run("mkdocs", "build", "--strict", env=QUIET_MKDOCS)
    session.run("pytest", "tests/docs", "tests/quiz", "tests/harness", *session.posargs)


@nox.session(default=False)
def serve(session: nox.Session) -> None:
    """Serve the site at http://127.0.0.1:8000 with live reload of docs/ and examples/."""
    if not session.posargs and port_in_use(8000):
        session.error("port 8000 is in use; serve elsewhere: nox -s serve -- -a 127.0.0.1:8001")
    prepare_docs(session)
    session.run("mkdocs", "serve", *session.posargs, env=QUIET_MKDOCS)


@nox.session(default=False)
def pdf(session: nox.Session) -> None:
    """Print the guide to dist/field-guide.pdf with Chromium, then test the PDF itself."""
    prepare_docs(session)
    install_group(session, "pdf")
    session.run("mkdocs", "build", "--strict", "-f", "mkdocs.print.yml", env=QUIET_MKDOCS)
    session.run("python", "overrides/pdf/build_pdf.py")
    session.run(
        "pytest",
        "tests/pdf/test_pdf.py",
        "tests/pdf/test_print_config.py",
        "tests/pdf/test_print_chrome.py",
        *session.posargs,
    )


@nox.session(default=False)
def offline(session: nox.Session) -> None:
    """Build the site, draw its diagrams into the HTML, zip it for file://, test the zip."""
    prepare_docs(session)
    install_group(session, "pdf")
    session.run("mkdocs", "build", "--strict", env=QUIET_MKDOCS)
    session.run("python", "overrides/pdf/prerender_mermaid.py")
    session.run("python", "overrides/pdf/build_offline.py")
    session.run("pytest", "tests/pdf/test_offline.py", *session.posargs)


@nox.session(default=False)
def audit(session: nox.Session) -> None:
    """Lighthouse (mobile) on every page, links and spelling; args are page globs."""
    prepare_docs(session)
    install_group(session, "audit")
    session.run("pytest", "tests/pdf/test_audit.py")
    session.run("codespell", "docs", "examples")
    session.run("mkdocs", "build", "--strict", env=QUIET_MKDOCS)
    # Internal links and anchors must resolve; external ones are listed, not fetched.
    session.run("python", "overrides/pdf/links.py", "--report", "dist/lighthouse/external-links.md")
    session.run("python", "overrides/pdf/prerender_mermaid.py")
    session.run("python", "overrides/pdf/audit.py", *session.posargs)


@nox.session(default=False)
def flashcards(session: nox.Session) -> None:
    """Build the Anki deck dist/field-guide-flashcards.apkg from the quiz data, then test it."""
    install_group(session, "flashcards")
    session.run("python", "overrides/flashcards/build_deck.py")
    session.run(
        "pytest",
        "tests/quiz/test_data.py",
        "tests/quiz/test_citations.py",
        "tests/quiz/test_deck.py",
        *session.posargs,
    )


@nox.session(name="spark-figures", default=False)
def spark_figures(session: nox.Session) -> None:
    """Measure the Spark page's figures (UDF ratio, skew table) into examples/spark/benchmarks/."""
    install_group(session, "spark")
    session.run(
        "python", "examples/spark/benchmarks/figures.py", env={"SPARK_LOCAL_IP": "127.0.0.1"}
    )


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


for _engine, _tests in ENGINES.items():
    globals()[f"examples_{_engine}"] = engine_session(_engine, _tests)


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
