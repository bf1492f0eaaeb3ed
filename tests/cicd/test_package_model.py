"""scripts/package_model.py: the registered version, copied out, loads and predicts."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.cicd.conftest import run_script


@pytest.fixture(scope="module")
def packaged(champion: dict, mlflow_uri: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    project = tmp_path_factory.mktemp("package") / "cicd"
    shutil.copytree(champion["project"], project)
    result = run_script(
        project,
        "package_model.py",
        "--model-path",
        "models/latest/",
        "--output",
        "packaged_model/",
        uri=mlflow_uri,
    )
    return {"project": project, "result": result}


def test_package_holds_a_servable_model(packaged: dict, champion: dict) -> None:
    folder = packaged["project"] / "packaged_model"
    for name in ("MLmodel", "requirements.txt", "input_example.json", "python_env.yaml"):
        assert (folder / name).is_file(), name
    assert "sklearn" in (folder / "MLmodel").read_text()
    uri = f"models:/{champion['name']}/{champion['pointer']['version']}"
    assert f"package_model: {uri} -> packaged_model" in packaged["result"].stdout
    # The copy predicted its own 3-row input example with labels 0/1.
    assert re.search(
        r"predicts \[[01], [01], [01]\] for its 3-row input example", packaged["result"].stdout
    )


def test_smoke_test_serves_the_package(packaged: dict) -> None:
    # scripts/smoke_test.py --serve: `mlflow models serve` on 127.0.0.1, 20 rows, then stopped.
    result = run_script(
        packaged["project"], "smoke_test.py", "--serve", "packaged_model/", "--data", "data/test/"
    )
    assert "smoke_test: http://127.0.0.1:" in result.stdout
    assert "20 predictions, accuracy" in result.stdout
    log = (packaged["project"] / "serve.log").read_text()
    assert "Uvicorn running" in log or "Listening at" in log or "/invocations" in log, log[-2000:]
