"""scripts/smoke_test.py against a model server the test starts, as a deployment would run it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.cicd.conftest import run_script
from tests.support.processes import free_port


def smoke_test(champion: dict, endpoint: str, *args: str, expect: int = 0):
    """scripts/smoke_test.py on the held-out batch against `endpoint`."""
    return run_script(
        champion["project"],
        "smoke_test.py",
        "--endpoint",
        endpoint,
        "--data",
        "data/test/",
        *args,
        expect=expect,
    )


def test_smoke_test_passes_against_a_served_model(champion: dict, model_server: str) -> None:
    # --expect-model: the deploy jobs check that the version they validated is what answers.
    result = smoke_test(champion, model_server, "--expect-model", "models/latest/")
    version = champion["pointer"]["version"]
    match = re.search(
        rf"20 predictions, version {version}, accuracy (\d\.\d\d), (\d+) ms", result.stdout
    )
    assert match, result.stdout
    assert float(match[1]) >= 0.8


def test_smoke_test_fails_when_another_version_answers(
    champion: dict, model_server: str, tmp_path: Path
) -> None:
    (tmp_path / "model_info.json").write_text(json.dumps({**champion["pointer"], "version": "99"}))
    result = smoke_test(champion, model_server, "--expect-model", str(tmp_path), expect=1)
    version = champion["pointer"]["version"]
    assert f"expected model version 99, the server answered with {version}" in result.stderr


def test_smoke_test_fails_when_the_model_is_wrong(champion: dict, model_server: str) -> None:
    # The same answers judged against impossible expectations: the check can fail.
    result = smoke_test(champion, model_server, "--min-accuracy", "1.01", expect=1)
    assert "smoke_test: accuracy" in result.stderr


def test_smoke_test_fails_when_nothing_answers(project: Path) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    result = run_script(
        project,
        "smoke_test.py",
        "--endpoint",
        endpoint,
        "--data",
        "data/raw/",
        "--timeout",
        "3",
        expect=1,
    )
    assert f"{endpoint}/ping did not answer in 3 s" in result.stderr


def test_endpoint_without_scheme_says_how_to_fix(project: Path) -> None:
    # The draft passed `--endpoint staging.example.com`.
    result = run_script(project, "smoke_test.py", "--endpoint", "staging.example.com", expect=2)
    assert "--endpoint needs a scheme: https://staging.example.com" in result.stderr
