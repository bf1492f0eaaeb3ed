"""scripts/smoke_test.py against a model server the test starts, as a deployment would run it."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tests.cicd.conftest import run_script, script_env
from tests.support.processes import Server, free_port, http_ok


@pytest.fixture(scope="module")
def model_server(champion: dict, mlflow_uri: str, tmp_path_factory: pytest.TempPathFactory):
    """`mlflow models serve -m models:/<name>@champion`, what k8s/*/deployment.yaml runs."""
    port = free_port()
    server = Server(
        "mlflow models serve",
        [
            str(Path(sys.executable).parent / "mlflow"),
            "models",
            "serve",
            "-m",
            f"models:/{champion['name']}@champion",
            "--env-manager",
            "local",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        log_path=tmp_path_factory.mktemp("model-server") / "serve.log",
        env=script_env(mlflow_uri),
    )
    try:
        server.wait_until(lambda: http_ok(f"http://127.0.0.1:{port}/ping"), 300, "answering /ping")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def test_smoke_test_passes_against_a_served_model(champion: dict, model_server: str) -> None:
    result = run_script(
        champion["project"], "smoke_test.py", "--endpoint", model_server, "--data", "data/test/"
    )
    match = re.search(r"20 predictions, accuracy (\d\.\d\d), (\d+) ms", result.stdout)
    assert match, result.stdout
    assert float(match[1]) >= 0.8


def test_smoke_test_fails_when_the_model_is_wrong(champion: dict, model_server: str) -> None:
    # The same answers judged against impossible expectations: the check can fail.
    result = run_script(
        champion["project"],
        "smoke_test.py",
        "--endpoint",
        model_server,
        "--data",
        "data/test/",
        "--min-accuracy",
        "1.01",
        expect=1,
    )
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
