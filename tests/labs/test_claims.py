"""The Labs pages' version-sensitive facts about Ray Serve, read from the pinned ray package,
and the home page's Python requirement.

Each test backs a claim in docs/includes/claims/labs.yml or general.yml (tests/docs/
test_claims.py keeps them paired). The Spark lab's claim is backed by tests/labs/
test_spark_skew.py, which runs the lab's own session cell.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys

HTTP_OPTIONS = (
    "import json; from ray.serve.config import HTTPOptions; "
    "o = HTTPOptions(); print(json.dumps([o.host, o.port]))"
)


def last_line_printed(code: str, drop: str, **env: str) -> str:
    """What `code` printed last in a fresh python, without the variables starting with `drop`
    and with `env`: Ray reads its settings when it is first imported."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def default_http_options(**env: str) -> list:
    """Host and port of a new HTTPOptions(): Serve reads RAY_SERVE_DEFAULT_HTTP_HOST."""
    return json.loads(last_line_printed(HTTP_OPTIONS, "RAY_SERVE_", **env))


def test_serve_proxies_listen_on_loopback_unless_told():
    assert default_http_options() == ["127.0.0.1", 8000]
    assert default_http_options(RAY_SERVE_DEFAULT_HTTP_HOST="0.0.0.0") == ["0.0.0.0", 8000]


def test_serve_runs_a_proxy_on_the_head_node_by_default():
    from ray.serve._private.controller import ServeController
    from ray.serve._private.proxy_state import ProxyStateManager
    from ray.serve.config import HTTPOptions, ProxyLocation
    from ray.serve.schema import ServeDeploySchema

    # The default proxy location is EveryNode: in Serve's config schema, and when neither
    # serve.start's proxy_location nor the deprecated HTTPOptions.location is given...
    assert ServeDeploySchema.model_fields["proxy_location"].default is ProxyLocation.EveryNode
    assert HTTPOptions().location is None
    resolved = inspect.getsource(ProxyStateManager._resolved_proxy_location)
    assert "or ProxyLocation.EveryNode" in resolved
    # ...which runs proxies on the controller's node as well as the nodes with replicas...
    proxy_nodes = inspect.getsource(ServeController._update_proxy_nodes)
    assert "new_proxy_nodes.add(self._controller_node_id)" in proxy_nodes
    # ...and the controller runs on the head node.
    assert "Controller must be on the head node." in inspect.getsource(ServeController.__init__)


RAY_INTERVAL = "import ray; print(ray._config.metrics_report_interval_ms())"


def metrics_report_interval_ms(**env: str) -> int:
    """Ray's metrics export interval as a fresh process sees it, with only `env` set."""
    return int(last_line_printed(RAY_INTERVAL, "RAY_metrics_report_interval_ms", **env))


def test_ray_exports_metrics_every_ten_seconds_unless_told():
    assert metrics_report_interval_ms() == 10_000
    assert metrics_report_interval_ms(RAY_metrics_report_interval_ms="1000") == 1_000


def test_serve_latency_histogram_default_bounds():
    from ray.serve._private.constants import DEFAULT_LATENCY_BUCKET_MS, REQUEST_LATENCY_BUCKETS_MS

    low = [1, 2, 5, 10, 20, 50, 100, 200, 300, 400, 500, 1000]
    assert DEFAULT_LATENCY_BUCKET_MS[: len(low)] == low
    assert REQUEST_LATENCY_BUCKETS_MS == DEFAULT_LATENCY_BUCKET_MS  # no override in the tests
