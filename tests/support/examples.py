"""The one way the tests run an example file: as a reader runs it, in a fresh process.

`run_example` starts `python <file> <args>` (or `bash <file>` for a shell example) with this
venv's bin first on PATH, and returns what it printed, its exit code and, when asked, the
globals a test checks. `run_in_process` is for the one engine whose client must live in the
test process (PyFlink talks to the session's gateway JVM through this process), and
`import_example` loads a file's functions without running its `__main__` block.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import runpy
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
VENV_BIN = Path(sys.executable).parent

# Runs the example with runpy as `python <file>` would, then writes the globals named on its
# command line as JSON (only those: an example's other globals need not be serialisable).
_HARNESS = """
import json, os, runpy, sys
path, out, keep, *argv = sys.argv[1:]
sys.argv = [path, *argv]
sys.path[0] = os.path.dirname(path)  # as `python <file>` does: siblings import
found = runpy.run_path(path, run_name="__main__")
with open(out, "w") as handle:
    json.dump({k: found[k] for k in keep.split(",") if k and k in found}, handle)
"""


@dataclass
class ExampleRun:
    path: Path
    returncode: int
    stdout: str
    stderr: str = ""
    globals: dict = field(default_factory=dict)

    def describe(self) -> str:
        where = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return (
            f"{where} exited with {self.returncode}\n--- stdout\n{self.stdout}"
            f"\n--- stderr\n{self.stderr[-6000:]}"
        )


class ExampleFailed(AssertionError):
    def __init__(self, run: ExampleRun):
        super().__init__(run.describe())
        self.run = run


def example_path(path: Path | str) -> Path:
    """An example given relative to examples/ (`"ray_/tasks.py"`) or as a full path."""
    path = Path(path)
    return path if path.is_absolute() else EXAMPLES / path


def venv_env(**extra: str) -> dict[str, str]:
    """This process's environment with this venv's bin first on PATH (the engines' CLIs exec
    tools by name: `mlflow models serve` runs `uvicorn`, ipykernel runs `python`), plus `extra`."""
    return {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}", **extra}


def run_example(
    path: Path | str,
    *argv: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    keep: Iterable[str] = (),
    expect: int | None = 0,
    timeout: float = 480,
) -> ExampleRun:
    """Run one example file in a fresh process, with `env` added to `venv_env()`; raise
    `ExampleFailed` with its output unless it exits with `expect` (None accepts any exit code).
    `keep` names the globals to return."""
    path = example_path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no example {path}")
    keep = tuple(keep)
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "globals.json"
        if path.suffix == ".py":
            harness = [sys.executable, "-c", _HARNESS, str(path), str(out), ",".join(keep)]
            command = harness if keep else [sys.executable, str(path)]
        elif path.suffix == ".sh":
            if keep:
                raise ValueError(f"{path.name}: a shell example has no globals to keep")
            command = ["bash", str(path)]
        else:
            raise ValueError(f"{path.name}: an example is a .py or a .sh file")
        done = subprocess.run(
            [*command, *map(str, argv)],
            env=venv_env(**(env or {})),
            cwd=cwd or ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        run = ExampleRun(path, done.returncode, done.stdout, done.stderr)
        if keep and done.returncode == 0:
            run.globals = json.loads(out.read_text())
    if expect is not None and run.returncode != expect:
        raise ExampleFailed(run)
    return run


def run_in_process(path: Path | str, *argv: str) -> ExampleRun:
    """Run an example as `__main__` inside this process (its globals returned whole)."""
    path = example_path(path)
    out = io.StringIO()
    saved = sys.argv
    sys.argv = [str(path), *map(str, argv)]
    try:
        with contextlib.redirect_stdout(out):
            found = runpy.run_path(str(path), run_name="__main__")
    finally:
        sys.argv = saved
    sys.stdout.write(out.getvalue())  # pytest shows it when the test fails
    return ExampleRun(path, 0, out.getvalue(), globals=found)


def import_example(path: Path | str) -> ModuleType:
    """Import an example's functions without running its `__main__` block. Its folder comes
    first on sys.path, as for `python <file>`, so it may import a sibling file."""
    path = example_path(path)
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    name = "example_" + "_".join(path.relative_to(EXAMPLES).with_suffix("").parts)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    # Registered before it runs, as `import` does: dataclasses look their module up by name.
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
