"""examples/mlflow_/serve.sh and invoke.py: a real model server and a real POST."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request

import pytest
from mlflow.version import VERSION as mlflow_version

from tests.mlflow_.conftest import EXAMPLES, MODEL_NAME, printed_predictions
from tests.support.examples import run_example
from tests.support.processes import http_ok


def ready(model_server) -> str:
    server, url = model_server.server, model_server.url
    server.wait_until(lambda: http_ok(f"{url}/ping"), 300, "answering /ping")
    return url


def test_served_champion_predicts_like_the_trained_model(
    model_server, champion, reference_model, first_rows, page_output
):
    url = ready(model_server)
    out = run_example(EXAMPLES / "invoke.py", env={"MODEL_SERVER_URL": url}).stdout
    expected = [round(float(p), 2) for p in reference_model.predict(first_rows)]
    assert printed_predictions(out) == expected
    page_output("examples/mlflow_/invoke.out.txt", out)
    # serve.sh resolved @champion once, and serves that version, pinned.
    log = model_server.server.log_path.read_text()
    assert f"serving models:/{MODEL_NAME}/{champion}\n" in log, log


def test_version_endpoint_is_mlflows_version_not_the_models(model_server):
    """GET /version answers with the MLflow release serving the model; nothing the server says
    names the registered model version it loaded."""
    url = ready(model_server)
    with urllib.request.urlopen(f"{url}/version", timeout=30) as response:
        assert response.read().decode() == mlflow_version
    with urllib.request.urlopen(f"{url}/ping", timeout=30) as response:
        assert not any("version" in header.lower() for header in response.headers)


def test_the_model_server_exports_no_metrics_for_prometheus(model_server):
    """Nothing to scrape: /metrics is a 404 and the app declares only its four routes."""
    url = ready(model_server)
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(f"{url}/metrics", timeout=30)
    assert error.value.code == 404
    with urllib.request.urlopen(f"{url}/openapi.json", timeout=30) as response:
        routes = set(json.load(response)["paths"])
    assert routes == {"/ping", "/health", "/version", "/invocations"}


def test_signature_is_enforced_then_the_server_stops(model_server):
    url = ready(model_server)
    # The logged signature is enforced: a request without the model's columns is refused.
    bad = json.dumps({"dataframe_split": {"columns": ["age"], "data": [[0.01]]}}).encode()
    request = urllib.request.Request(
        f"{url}/invocations", data=bad, headers={"Content-Type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=60)
    assert error.value.code == 400

    # Stopped: the model server's whole process group (bash, mlflow, uvicorn) is gone.
    server = model_server.server
    server.stop()
    assert group_is_gone(server.process.pid), f"processes left in group {server.process.pid}"


def group_is_gone(pgid: int, timeout: float = 15.0) -> bool:
    """True once no process of the group is left (killed children may linger a moment as
    zombies until init reaps them)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False
