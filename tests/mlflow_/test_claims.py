"""The MLOps pages' version-sensitive facts about MLflow, read from the pinned mlflow itself.

Each test backs a claim in docs/includes/claims/mlops.yml (tests/docs/test_claims.py keeps them
paired). Defaults are read from the commands' own option definitions (click) and from MLflow's
settings module; behaviours are run.
"""

from __future__ import annotations

import click
import pytest


def option_default(command: click.Command, name: str):
    return next(param.default for param in command.params if param.name == name)


def test_tracking_server_and_ui_listen_on_localhost_port_5000():
    """`mlflow ui` is `mlflow server` under another name, bound to 127.0.0.1:5000 unless told."""
    from mlflow.cli import cli, server

    with click.Context(cli) as context:
        assert cli.get_command(context, "ui") is server
    assert option_default(server, "host") == "127.0.0.1"
    assert option_default(server, "port") == 5000


def test_tracking_server_proxies_artifacts_by_default():
    from mlflow.cli import server

    assert option_default(server, "serve_artifacts") is True


def test_mlflow_3_has_genai_features():
    import mlflow
    import mlflow.genai

    assert callable(mlflow.start_span) and callable(mlflow.trace)
    assert callable(mlflow.genai.evaluate)
    assert callable(mlflow.genai.register_prompt)


def test_models_serve_builds_a_virtualenv_by_default():
    from mlflow.models.cli import serve

    assert option_default(serve, "env_manager") == "virtualenv"
    assert option_default(serve, "host") == "127.0.0.1"


def test_env_managers_are_local_virtualenv_uv_and_conda():
    """What `mlflow run --env-manager` and `mlflow models serve --env-manager` accept."""
    from mlflow.utils import env_manager

    names = {env_manager.LOCAL, env_manager.VIRTUALENV, env_manager.UV, env_manager.CONDA}
    assert names == {"local", "virtualenv", "uv", "conda"}
    for name in names:
        env_manager.validate(name)  # raises on an unknown manager
    with pytest.raises(Exception, match="Invalid value"):
        env_manager.validate("pipenv")


def test_an_unreachable_server_is_retried_for_minutes():
    """The client's default retries (MLFLOW_HTTP_REQUEST_MAX_RETRIES, ..._BACKOFF_FACTOR) wait
    minutes in all before a call to an unreachable server fails; two retries wait seconds."""
    from mlflow.environment_variables import (
        MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR,
        MLFLOW_HTTP_REQUEST_MAX_RETRIES,
    )
    from mlflow.utils.request_utils import _get_request_session
    from urllib3.exceptions import MaxRetryError, NewConnectionError

    def waited(max_retries: int) -> float:
        # The session MLflow's REST client uses, without the random jitter.
        session = _get_request_session(
            max_retries, MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR.default, 0.0, (), True, True
        )
        retry, total = session.get_adapter("http://127.0.0.1:9").max_retries, 0.0
        while True:
            try:
                retry = retry.increment("GET", "/", error=NewConnectionError(None, "refused"))
            except MaxRetryError:
                return total
            total += retry.get_backoff_time()

    # The defaults, not .get(): the session fixture shortens the retries for the tests.
    assert waited(MLFLOW_HTTP_REQUEST_MAX_RETRIES.default) > 120
    assert waited(2) < 10


def test_skops_refuses_a_forest_unless_its_tree_type_is_trusted(tmp_path):
    """scikit-learn models are saved with skops by default, which checks it can load them back:
    a forest's `Tree` is not trusted unless listed in `skops_trusted_types`."""
    import mlflow.sklearn
    from mlflow.exceptions import MlflowException
    from sklearn.ensemble import RandomForestRegressor

    forest = RandomForestRegressor(n_estimators=2, random_state=0).fit([[0.0], [1.0]], [0.0, 1.0])
    with pytest.raises(MlflowException, match=r"Untrusted types .*sklearn\.tree\._tree\.Tree"):
        mlflow.sklearn.save_model(forest, tmp_path / "untrusted")
    trusted = ["sklearn.tree._tree.Tree"]
    mlflow.sklearn.save_model(forest, tmp_path / "trusted", skops_trusted_types=trusted)
    assert (tmp_path / "trusted" / "model.skops").is_file()
