"""The Ray page's version-sensitive facts, read from the pinned ray package (no cluster needed).

Each test backs a claim in docs/includes/claims/ (tests/docs/test_claims.py keeps them paired).
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

# What `ray start --head` and a new local `ray.init()` each do about token authentication, run
# in a fresh process whose home is a scratch folder (Ray writes the token to ~/.ray/auth_token)
# and whose environment names no auth mode or token, as on a reader's machine.
AUTH_STEPS = """
from pathlib import Path
from ray._private.authentication import authentication_token_setup as auth

token = Path.home() / ".ray" / "auth_token"
# `ray start --head` with no token anywhere: auth stays off, and no token is written.
print("start without token:", auth.maybe_enable_token_auth_if_token_available(), token.exists())
# A new local cluster from `ray.init()`: auth on, and a token written for it.
print("init:", auth.enable_token_auth_by_default(), end=" ")
auth.ensure_token_if_auth_enabled(create_token_if_missing=True)
print(token.exists())
"""
START_WITH_TOKEN = """
from ray._private.authentication import authentication_token_setup as auth

print("start with token:", auth.maybe_enable_token_auth_if_token_available())
print("init:", auth.enable_token_auth_by_default())
"""


def run_in_scratch_home(code: str, home: Path, **extra: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_AUTH_")}
    env.update(HOME=str(home), **extra)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_token_auth_ray_start_vs_ray_init(tmp_path):
    from ray._private import worker
    from ray.scripts import scripts

    # Which path calls which: `ray start` only enables auth for a token that exists; a new
    # local cluster from ray.init() enables it by default and creates the token.
    start = inspect.getsource(scripts.start.callback)  # `ray start` is a click command
    assert "maybe_enable_token_auth_if_token_available()" in start
    assert "enable_token_auth_by_default" not in start
    init = inspect.getsource(worker.init)
    assert "enable_token_auth_by_default()" in init
    assert "create_token_if_missing=True" in init
    # A driver that connects by address only turns auth on for a local cluster it finds itself.
    assert 'if address in (None, "auto"):\n            maybe_enable_token_auth' in init
    # The command that creates a token before `ray start`.
    assert "generate" in [option.name for option in scripts.get_auth_token.params]

    out = run_in_scratch_home(AUTH_STEPS, tmp_path)
    assert "start without token: False False" in out
    assert "init: True True" in out
    assert (tmp_path / ".ray" / "auth_token").read_text().strip()
    # Now that a token exists, the same `ray start` step turns auth on...
    assert "start with token: True" in run_in_scratch_home(START_WITH_TOKEN, tmp_path)
    # ...unless RAY_AUTH_MODE says otherwise (what the tests' own head sets).
    opted_out = run_in_scratch_home(START_WITH_TOKEN, tmp_path, RAY_AUTH_MODE="disabled")
    assert "start with token: False" in opted_out
    assert "init: False" in opted_out


def test_loopback_switch(tmp_path):
    """RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 makes Ray take the loopback as the node's address."""
    from ray._private import ray_constants

    assert ray_constants.ENABLE_RAY_CLUSTERS_ENV_VAR == "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
    code = "from ray._private import services; print(services.get_node_ip_address())"
    out = run_in_scratch_home(code, tmp_path, RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0")
    assert out.strip() == "127.0.0.1"


def test_default_ports():
    from ray._private import ray_constants
    from ray.scripts import scripts
    from ray.serve._private import constants as serve_constants

    assert ray_constants.DEFAULT_PORT == 6379  # the GCS of `ray start --head`
    assert ray_constants.DEFAULT_DASHBOARD_PORT == 8265
    assert "ray_client_server_port = 10001" in inspect.getsource(scripts.start.callback)
    assert serve_constants.DEFAULT_HTTP_PORT == 8000


def test_a_task_reserves_one_cpu_by_default():
    from ray._common.ray_option_utils import task_options

    assert task_options["num_cpus"].default_value == 1


def test_serve_route_prefix_defaults_to_root():
    from ray import serve

    assert inspect.signature(serve.run).parameters["route_prefix"].default == "/"


def test_serve_runs_a_proxy_on_every_node_by_default():
    from ray.serve import api
    from ray.serve.config import ProxyLocation

    # serve.run() (through _run_many) starts Serve with a proxy on every node with a replica.
    assert "proxy_location=ProxyLocation.EveryNode" in inspect.getsource(api._run_many)
    assert {location.value for location in ProxyLocation} == {"Disabled", "HeadOnly", "EveryNode"}


def test_serve_deployment_version_argument_was_removed():
    from ray import serve

    class Model:
        pass

    with pytest.raises(ValueError, match="has been removed"):
        serve.deployment(version="v1")(Model)
