"""examples/mlflow_/serve.sh and invoke.py: a real model server and a real POST."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request

import pytest

from tests.mlflow_.conftest import EXAMPLES, printed_predictions
from tests.support.examples import run_example
from tests.support.processes import http_ok


def test_served_champion_predicts_like_the_trained_model(
    model_server, reference_model, first_rows, page_output
):
    server, url = model_server.server, model_server.url
    server.wait_until(lambda: http_ok(f"{url}/ping"), 300, "answering /ping")
    out = run_example(EXAMPLES / "invoke.py", env={"MODEL_SERVER_URL": url}).stdout
    expected = [round(float(p), 2) for p in reference_model.predict(first_rows)]
    assert printed_predictions(out) == expected
    page_output("examples/mlflow_/invoke.out.txt", out)

    # The logged signature is enforced: a request without the model's columns is refused.
    bad = json.dumps({"dataframe_split": {"columns": ["age"], "data": [[0.01]]}}).encode()
    request = urllib.request.Request(
        f"{url}/invocations", data=bad, headers={"Content-Type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=60)
    assert error.value.code == 400

    # Stopped: the model server's whole process group (bash, mlflow, uvicorn) is gone.
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
