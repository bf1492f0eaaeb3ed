""".gitlab-ci.yml: valid for GitLab's own schema, and its non-deploy stages run for real in
gitlab-ci-local (a GitLab runner emulator, shell executor) against the session's MLflow server.
The deploy stages need a cluster: they are validated (schema, manifests, files they name), not run.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from mlflow import MlflowClient

from tests.cicd.conftest import (
    BIN,
    EXAMPLE,
    LOCAL_STAGES,
    ROOT,
    copy_example,
    git_repo,
    run_gitlab_ci_local,
)

HERE = Path(__file__).resolve().parent
DRAFT = HERE / "draft-gitlab-ci.yml"
PIPELINE = EXAMPLE / ".gitlab-ci.yml"


def check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_pipeline_matches_gitlabs_schema() -> None:
    result = check_jsonschema(PIPELINE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_draft_pipeline_breaks_gitlabs_schema() -> None:
    # `artifacts: reports: html` is no report type GitLab knows (junit, dotenv, coverage_report...).
    result = check_jsonschema(DRAFT)
    assert result.returncode == 1
    assert "$['data-validation'].artifacts.reports" in result.stdout
    assert "'html' was unexpected" in result.stdout


def test_requirements_match_the_cicd_group() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    group = {p for p in pyproject["dependency-groups"]["cicd"] if isinstance(p, str)}
    lines = (EXAMPLE / "requirements.txt").read_text().splitlines()
    required = {line for line in lines if line and not line.startswith("#")}
    assert required and required <= group


def test_deploy_manifests_are_valid_kubernetes() -> None:
    manifests = sorted(str(p) for p in (EXAMPLE / "k8s").glob("*/deployment.yaml"))
    assert len(manifests) == 2
    result = subprocess.run(
        [str(BIN / "kubernetes-validate"), "--strict", *manifests],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        result.stdout.count("passed for resource") + result.stderr.count("passed for resource") == 4
    )


def test_every_file_a_job_names_exists() -> None:
    """The deploy jobs cannot run here, but the scripts and manifests they name must exist (or be
    written by an earlier line of the same job: render_deployment.py's --output)."""
    pipeline = yaml.safe_load(PIPELINE.read_text())
    named, written = set(), set()
    for job in pipeline.values():
        for line in job.get("script", []) if isinstance(job, dict) else []:
            words = shlex.split(line)
            if "--output" in words:
                written.add(words[words.index("--output") + 1])
            named.update(w for w in words if re.match(r"(scripts|k8s)/", w))
            if "-f" in words and words[words.index("-f") + 1] not in written:
                named.add(words[words.index("-f") + 1])
    assert {
        "scripts/promote_model.py",
        "scripts/render_deployment.py",
        "k8s/production/deployment.yaml",
    } <= named
    assert {"deploy/staging.yaml", "deploy/production.yaml"} <= written
    missing = sorted(n for n in named if not (EXAMPLE / n).exists())
    assert not missing


def test_deploy_jobs_apply_a_pinned_version_and_never_restart() -> None:
    """Release = apply the rendered manifest (a new rollout revision when the version changed).
    A `rollout restart` of a Deployment that loads an alias would re-resolve it in every pod."""
    pipeline = yaml.safe_load(PIPELINE.read_text())
    for job, env in (("deploy-staging", "staging"), ("deploy-production", "production")):
        script = pipeline[job]["script"]
        render = next(i for i, line in enumerate(script) if "render_deployment.py" in line)
        apply = script.index(f"kubectl apply -f deploy/{env}.yaml")
        assert render < apply, script
        assert not any("rollout restart" in line for line in script), script
        assert "--expect-model models/latest/" in script[-1], script
        assert pipeline[job]["artifacts"]["paths"] == ["deploy/"]


def test_serving_image_tag_is_the_pinned_mlflow() -> None:
    """The manifests' image is named after the MLflow it holds: the pin of requirements.txt."""
    pins = (EXAMPLE / "requirements.txt").read_text()
    for manifest in (EXAMPLE / "k8s").glob("*/deployment.yaml"):
        deployment = next(d for d in yaml.safe_load_all(manifest.read_text()) if d)
        image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
        assert f"mlflow=={image.rsplit(':', 1)[1]}\n" in pins, (manifest, image)


# ---- gitlab-ci-local ---------------------------------------------------------------------------


def list_jobs(cli: Path, repo: Path, *args: str) -> dict[str, dict]:
    result = run_gitlab_ci_local(cli, repo, "--list-json", *args, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return {job["name"]: job for job in json.loads(result.stdout[result.stdout.index("[") :])}


def test_gitlab_ci_local_sees_the_deploy_gates(gitlab_ci_local: Path, tmp_path: Path) -> None:
    repo = git_repo(copy_example(tmp_path / "repo"))
    jobs = list_jobs(gitlab_ci_local, repo)
    assert [jobs[name]["stage"] for name in LOCAL_STAGES] == LOCAL_STAGES
    production = jobs["deploy-production"]
    assert production["when"] == "manual"
    assert production["stage"] != jobs["deploy-staging"]["stage"]
    assert "deploy-staging" in [need["job"] for need in production["needs"]]


def test_draft_lets_production_deploy_beside_staging(gitlab_ci_local: Path, tmp_path: Path) -> None:
    # In the draft both deploy jobs share the `deployment` stage and production needs nothing:
    # its manual button can be pressed before, or without, staging passing.
    repo = tmp_path / "draft"
    repo.mkdir()
    shutil.copy(DRAFT, repo / ".gitlab-ci.yml")
    jobs = list_jobs(gitlab_ci_local, git_repo(repo), "--no-json-schema-validation")
    production, staging = jobs["deploy-production"], jobs["deploy-staging"]
    assert production["stage"] == staging["stage"] == "deployment"
    assert production["when"] == "manual"
    assert not production.get("needs")


# What docs/mlops/cicd-release.md shows of the run: each job's start, commands, end and the lines
# of the pipeline's own scripts (MLflow's log lines and "still running..." left out), then the
# blank line and the summary.
SHOWN = re.compile(
    r"^\S+ +(starting |\$ |finished in |exported artifacts )"
    r"|^\S+ +> (validate_data|check_drift|train|evaluate|compare_with_baseline|package_model"
    r"|smoke_test): "
    r"|^ (PASS|FAIL) |^$"
)


def shown_log(output: str) -> str:
    """The lines SHOWN, with what changes from run to run masked: durations, ports, run ids."""
    lines = [line for line in output.splitlines() if SHOWN.search(line)]
    text = "\n".join(lines)
    text = re.sub(r"(finished|exported artifacts) in [\d.]+ \w+", r"\1 in <duration>", text)
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:<port>", text)
    text = re.sub(r"\b[0-9a-f]{32}\b", "<run-id>", text)
    # smoke_test's request latency
    return re.sub(r", \d+ ms$", ", <latency> ms", text, flags=re.MULTILINE)


@pytest.mark.timeout(1800)
def test_pipeline_runs_locally(pipeline: dict, tracking_uri: str, page_output) -> None:
    repo, output = pipeline["repo"], pipeline["output"]
    assert pipeline["returncode"] == 0, output[-6000:]
    for job in LOCAL_STAGES:
        assert re.search(rf"PASS\s+{job}\b", output), job
    assert "deploy-staging" not in output and "deploy-production" not in output

    # What the jobs did, read back from the tracking server.
    model = yaml.safe_load((EXAMPLE / "configs" / "model_config.yaml").read_text())
    name = model["registered_model_name"]
    trained = re.search(r"registered (\S+) version (\d+)", output)
    assert trained and trained[1] == name
    version = MlflowClient(tracking_uri).get_model_version(name, trained[2])
    assert version.tags["validation"] == "passed"
    run = MlflowClient(tracking_uri).get_run(version.run_id)
    assert run.data.metrics["test_roc_auc"] > 0.95
    # gitlab-ci-local prefixes each line with the job name, padded: "package          > ...".
    assert re.search(r"package\s+> smoke_test: http://127\.0\.0\.1:\d+: 20 predictions", output)
    assert re.search(r"data-validation\s+> check_drift: passed", output)
    page_output("examples/cicd/pipeline.out.txt", shown_log(output))
    # Nothing the pipeline started is still serving.
    leftovers = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert str(repo) not in leftovers


def test_pipeline_keeps_the_path_on_failure(gitlab_ci_local: Path, tmp_path: Path) -> None:
    """A drifted batch stops the pipeline in its first stage: nothing is trained."""
    repo = copy_example(tmp_path / "repo")
    batch = repo / "data" / "raw" / "batch.csv"
    lines = batch.read_text().splitlines()
    header = lines[0].split(",")
    radius = header.index("mean radius")
    rows = [line.split(",") for line in lines[1:]]
    for row in rows:
        row[radius] = f"{float(row[radius]) * 1.3:.3f}"
    batch.write_text("\n".join([lines[0], *(",".join(r) for r in rows)]) + "\n")
    git_repo(repo)
    result = run_gitlab_ci_local(
        gitlab_ci_local,
        repo,
        "--force-shell-executor",
        "--variable",
        "INSTALL_REQUIREMENTS=false",
        "--variable",
        "MLFLOW_TRACKING_URI=http://127.0.0.1:9",  # never reached
        *LOCAL_STAGES,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert re.search(r"FAIL\s+data-validation", output), output[-4000:]
    assert "FAILED, PSI above 0.2 for ['mean radius']" in output
    assert "training $ python scripts/train.py" not in output
    # The report is kept even though the job failed (artifacts: when: always).
    assert os.path.exists(repo / ".gitlab-ci-local" / "artifacts" / "data-validation")
