"""scripts/package_model.py and smoke_test.py --serve: the registered version, copied out, loads,
predicts and serves.

Both run in the pipeline's `package` job (the `pipeline` fixture: gitlab-ci-local, once per
session); these tests check what that job printed and left in the checkout. Running the same two
commands again outside the pipeline would start a second model server to assert the same things.
"""

from __future__ import annotations

import json
import re

import pytest


@pytest.fixture(scope="module")
def packaged(pipeline: dict) -> dict:
    assert pipeline["returncode"] == 0, pipeline["output"][-6000:]
    # gitlab-ci-local prefixes each line a job printed with the job's name, padded.
    printed = re.findall(r"^package\s+> (.*)$", pipeline["output"], re.MULTILINE)
    repo = pipeline["repo"]
    pointer = json.loads((repo / "models" / "latest" / "model_info.json").read_text())
    return {"repo": repo, "stdout": "\n".join(printed), "pointer": pointer}


@pytest.mark.timeout(1800)  # the first user of `pipeline` waits for the whole pipeline
def test_package_holds_a_servable_model(packaged: dict) -> None:
    folder = packaged["repo"] / "packaged_model"
    for name in ("MLmodel", "requirements.txt", "input_example.json", "python_env.yaml"):
        assert (folder / name).is_file(), name
    assert "sklearn" in (folder / "MLmodel").read_text()
    uri = f"models:/{packaged['pointer']['name']}/{packaged['pointer']['version']}"
    assert f"package_model: {uri} -> packaged_model" in packaged["stdout"]
    # The copy predicted its own 3-row input example with labels 0/1.
    assert re.search(
        r"predicts \[[01], [01], [01]\] for its 3-row input example", packaged["stdout"]
    )


@pytest.mark.timeout(1800)
def test_smoke_test_serves_the_package(packaged: dict) -> None:
    # scripts/smoke_test.py --serve: `mlflow models serve` on 127.0.0.1, 20 rows, then stopped.
    assert re.search(
        r"^smoke_test: http://127\.0\.0\.1:\d+: 20 predictions, accuracy", packaged["stdout"], re.M
    ), packaged["stdout"]
    log = (packaged["repo"] / "serve.log").read_text()
    assert "Uvicorn running" in log or "Listening at" in log or "/invocations" in log, log[-2000:]
