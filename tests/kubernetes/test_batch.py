"""Batch and gang scheduling (docs/training/batch-scheduling.md): the manifests of
examples/kubernetes/batch/ and their cross-object checks (tests/kubernetes/batch_checks.py),
the negative cases each naming file, line and field, the quota model quota.py and the numbers
it computes from the manifests, and the page's version-sensitive claims, read from the
Kubernetes schemas kubernetes-validate bundles and from the vendored CRD schemas."""

from __future__ import annotations

import copy
import json
import runpy
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.kubernetes import batch_checks as bc
from tests.kubernetes import manifest_checks as mc
from tests.kubernetes.conftest import edit
from tests.support.examples import run_example
from tests.support.outputs import PageOutput

BATCH = mc.ROOT / "examples" / "kubernetes" / "batch"
MANIFESTS = mc.manifest_files([BATCH])
QUOTA = BATCH / "quota.py"
PINNED, NEWEST = "1.35", "1.37"


def docs_of(paths) -> list[mc.Doc]:
    return [doc for path in mc.manifest_files(paths) for doc in mc.load(path)[0]]


def test_the_folder_has_its_manifests():
    names = [p.name for p in MANIFESTS]
    assert len(names) == 10, names
    kinds = Counter(doc.kind for doc in docs_of([BATCH]))
    assert kinds == {
        "Namespace": 2,
        "ResourceFlavor": 1,
        "ClusterQueue": 2,
        "LocalQueue": 2,
        "WorkloadPriorityClass": 2,
        "Service": 1,
        "Job": 1,
        "JobSet": 1,
        "LeaderWorkerSet": 1,
        "ClusterTrainingRuntime": 1,
        "TrainJob": 1,
    }


def test_every_batch_kind_has_a_vendored_strict_schema():
    for (api_version, kind), name in bc.SCHEMAS.items():
        schema = json.loads((mc.SCHEMAS / name).read_text())
        assert schema["properties"]["kind"]["const"] == kind
        assert schema["properties"]["apiVersion"]["const"] == api_version
        assert schema["additionalProperties"] is False
    assert set(bc.SCHEMAS.values()) <= set(mc.custom_schemas().values())


def test_the_batch_checks_find_nothing_in_the_chapter():
    docs = docs_of([mc.ROOT / "examples" / "kubernetes"])
    problems = [str(p) for check in bc.CHECKS for p in check(docs)]
    assert not problems, "\n".join(problems)


def test_quota_report(page_output: PageOutput):
    docs = docs_of([BATCH])
    fits = {doc.name: bc.fits(doc, cq, docs) for doc, cq in bc.workloads(docs)}
    assert set(fits) == {"resnet", "llm-pretrain", "llm-serve", "vit-finetune"}
    gpu = bc.GPU
    # The Job: 4 Pods x 8 GPUs, exactly the team's nominal quota.
    assert fits["resnet"].requests[gpu] == 32 and not fits["resnet"].borrows
    # The JobSet: 1 leader + 5 workers x 8 GPUs = 48; 16 over the nominal 32, within the
    # borrowing limit 24 (and the 24 the other team lends).
    pretrain = fits["llm-pretrain"]
    assert pretrain.requests[gpu] == 48 and pretrain.nominal[gpu] == 32
    assert pretrain.borrow[gpu] == 16 and pretrain.can_borrow[gpu] == 24 and pretrain.fits
    # One LeaderWorkerSet group (leader + 1 worker) and the TrainJob's 2 nodes: 16 GPUs each.
    assert fits["llm-serve"].requests[gpu] == fits["vit-finetune"].requests[gpu] == 16
    report = bc.quota_report(docs)
    assert "language/llm-pretrain (JobSet) in language: needs borrowing" in report
    page_output("examples/kubernetes/batch/clusterqueues.quota.out.txt", "\n".join(report))
    # The command the page names prints the same report.
    command = [sys.executable, "-m", "tests.kubernetes.batch_checks", "examples/kubernetes/batch"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=mc.ROOT, check=True)
    assert done.stdout.splitlines() == report


# ---------------------------------------------------------------- negative cases

NEGATIVE = {
    "queue name with no LocalQueue": (
        "job-indexed.yaml",
        "queue-name: training ",
        "queue-name: train ",
        "examples/kubernetes/batch/job-indexed.yaml:20: metadata.labels.kueue.x-k8s.io/queue-name: "
        "no LocalQueue 'train' in namespace vision (it has ['training'])",
    ),
    "LocalQueue pointing to no ClusterQueue": (
        "localqueues.yaml",
        "  clusterQueue: vision",
        "  clusterQueue: vison",
        "examples/kubernetes/batch/localqueues.yaml:9: spec.clusterQueue: no ClusterQueue 'vison'",
    ),
    "LocalQueue pointing to the other team's ClusterQueue": (
        "localqueues.yaml",
        "  clusterQueue: vision",
        "  clusterQueue: language",
        "examples/kubernetes/batch/job-indexed.yaml:20: metadata.labels.kueue.x-k8s.io/queue-name: "
        "LocalQueue 'training' points to ClusterQueue 'language', whose namespaceSelector",
    ),
    "ClusterQueue naming a flavor that does not exist": (
        "resourceflavor.yaml",
        "  name: a100-80gb",
        "  name: a100-40gb",
        "examples/kubernetes/batch/clusterqueues.yaml:20: "
        "spec.resourceGroups[0].flavors[0].name: no ResourceFlavor 'a100-80gb'",
    ),
    "priority class that does not exist": (
        "trainjob.yaml",
        "priority-class: deadline",
        "priority-class: urgent",
        "examples/kubernetes/batch/trainjob.yaml:10: "
        "metadata.labels.kueue.x-k8s.io/priority-class: no WorkloadPriorityClass 'urgent'",
    ),
    "TrainJob naming a runtime that does not exist": (
        "trainjob.yaml",
        "    name: torch-ddp-gpu ",
        "    name: torch-distributed ",
        "examples/kubernetes/batch/trainjob.yaml:15: spec.runtimeRef.name: "
        "no ClusterTrainingRuntime 'torch-distributed'",
    ),
    "TrainJob naming a namespaced runtime that is not there": (
        "trainjob.yaml",
        "    kind: ClusterTrainingRuntime",
        "    kind: TrainingRuntime",
        "examples/kubernetes/batch/trainjob.yaml:15: spec.runtimeRef.name: "
        "no TrainingRuntime 'torch-ddp-gpu' in namespace vision",
    ),
    "workload that can never fit its queue": (
        "jobset.yaml",
        "        completions: 5\n        parallelism: 5",
        "        completions: 8\n        parallelism: 8",
        "examples/kubernetes/batch/jobset.yaml:9: metadata.labels.kueue.x-k8s.io/queue-name: "
        "never admitted: nvidia.com/gpu 72 > 32 + 24 borrowable in ClusterQueue 'language' "
        "(and cpu, memory)",
    ),
    "workload asking for a resource its queue does not cover": (
        "clusterqueues.yaml",
        '  - coveredResources: ["cpu", "memory", "nvidia.com/gpu"]\n    flavors:\n'
        "    - name: a100-80gb\n      resources:\n      - name: cpu\n        nominalQuota: 384\n"
        "        borrowingLimit: 288\n        lendingLimit: 288\n      - name: memory\n"
        "        nominalQuota: 3840Gi\n        borrowingLimit: 2880Gi\n"
        "        lendingLimit: 2880Gi\n      - name: nvidia.com/gpu\n"
        "        nominalQuota: 32\n        borrowingLimit: 24\n        lendingLimit: 24\n"
        "# --8<-- [end:vision]",
        '  - coveredResources: ["cpu", "memory"]\n    flavors:\n'
        "    - name: a100-80gb\n      resources:\n      - name: cpu\n        nominalQuota: 384\n"
        "      - name: memory\n        nominalQuota: 3840Gi\n# --8<-- [end:vision]",
        "examples/kubernetes/batch/job-indexed.yaml:20: metadata.labels.kueue.x-k8s.io/queue-name: "
        "requests ['nvidia.com/gpu'], which ClusterQueue 'vision'",
    ),
    "the v1beta1 field name cohort in a v1beta2 ClusterQueue": (
        "clusterqueues.yaml",
        "  name: vision\nspec:\n  cohortName: gpu-pool",
        "  name: vision\nspec:\n  cohort: gpu-pool",
        "examples/kubernetes/batch/clusterqueues.yaml:9: spec.cohort: unknown field 'cohort'",
    ),
    "misspelled JobSet field": (
        "jobset.yaml",
        "    enableDNSHostnames: true",
        "    enableDnsHostnames: true",
        "examples/kubernetes/batch/jobset.yaml:14: spec.network.enableDnsHostnames: "
        "unknown field 'enableDnsHostnames'",
    ),
    "preemption policy that does not exist": (
        "clusterqueues.yaml",
        "metadata.name: vision\n  queueingStrategy: BestEffortFIFO\n  preemption:\n"
        "    reclaimWithinCohort: Any\n",
        "metadata.name: vision\n  queueingStrategy: BestEffortFIFO\n  preemption:\n"
        "    reclaimWithinCohort: LowerOrNewerEqualPriority\n",
        "examples/kubernetes/batch/clusterqueues.yaml:15: spec.preemption.reclaimWithinCohort: "
        "'LowerOrNewerEqualPriority' is not one of ['Never', 'LowerPriority', 'Any']",
    ),
    "per-index retries on a non-indexed Job": (
        "job-indexed.yaml",
        "  completionMode: Indexed ",
        "  completionMode: NonIndexed ",
        "examples/kubernetes/batch/job-indexed.yaml:27: spec.backoffLimitPerIndex: "
        "backoffLimitPerIndex works only with completionMode: Indexed",
    ),
    "Pod failure policy with restartPolicy OnFailure": (
        "job-indexed.yaml",
        "      restartPolicy: Never ",
        "      restartPolicy: OnFailure ",
        "examples/kubernetes/batch/job-indexed.yaml:48: spec.template.spec.restartPolicy: "
        "podFailurePolicy and backoffLimitPerIndex need restartPolicy: Never",
    ),
    "indexed Job whose subdomain is no headless Service": (
        "job-indexed.yaml",
        "      subdomain: resnet-workers ",
        "      subdomain: resnet ",
        "examples/kubernetes/batch/job-indexed.yaml:47: spec.template.spec.subdomain: "
        "no headless Service 'resnet' in namespace vision",
    ),
    "JobSet rendezvous address of a Pod it does not create": (
        "jobset.yaml",
        "      - name: MASTER_ADDR      # <jobset>-<job>-<job index>-<pod index>\n"
        "                value: llm-pretrain-leader-0-0.llm-pretrain",
        "      - name: MASTER_ADDR      # <jobset>-<job>-<job index>-<pod index>\n"
        "                value: llm-pretrain-leader-0.llm-pretrain",
        "examples/kubernetes/batch/jobset.yaml:39: spec.replicatedJobs[0].template.spec.template"
        ".spec.containers[0].env[0].value: 'llm-pretrain-leader-0.llm-pretrain' is no Pod of "
        "this JobSet",
    ),
    "floating image in a TrainJob": (
        "trainjob.yaml",
        "myregistry/vit-finetune:3.0.1",
        "myregistry/vit-finetune:latest",
        "examples/kubernetes/batch/trainjob.yaml:17: spec.trainer.image: "
        "'myregistry/vit-finetune:latest' floats",
    ),
}


@pytest.fixture
def batch_copy(examples_copy) -> Path:
    return examples_copy(BATCH)[0]


def edited(folder: Path, relative: str, old: str, new: str) -> list[str]:
    edit(folder / relative, old, new)
    return [str(p) for p in mc.check([folder], versions=(PINNED,))]


@pytest.mark.parametrize("case", NEGATIVE, ids=list(NEGATIVE))
def test_negative_case_names_file_line_and_field(case: str, batch_copy: Path):
    relative, old, new, expected = NEGATIVE[case]
    problems = edited(batch_copy, relative, old, new)
    assert any(p.startswith(expected) for p in problems), "\n".join(problems)


def test_the_copy_is_clean_before_an_edit(batch_copy: Path):
    assert mc.check([batch_copy], versions=(PINNED,)) == []


# The error the page quotes: a JobSet grown to 9 Pods (72 GPUs) can never be admitted.
def test_the_message_quoted_on_the_page_is_real(batch_copy: Path, page_output: PageOutput):
    old, new = NEGATIVE["workload that can never fit its queue"][1:3]
    problems = edited(batch_copy, "jobset.yaml", old, new)
    assert len(problems) == 1, problems
    page_output("examples/kubernetes/batch/jobset.too-big.out.txt", "\n".join(problems))


# ---------------------------------------------------------------- quota.py

model = runpy.run_path(str(QUOTA))  # the functions, without running __main__


@pytest.fixture(scope="module")
def printed() -> str:
    return run_example(QUOTA).stdout


def test_quota_prints_the_page_output(printed: str, page_output: PageOutput):
    assert "preempted lang-pretrain (40 GPUs, reclaim)" in printed
    page_output("examples/kubernetes/batch/quota.out.txt", printed)


def test_the_model_reads_the_manifests():
    queues = model["load_queues"]()
    manifests = {d.name: d for d in docs_of([BATCH / "clusterqueues.yaml"])}
    for name, queue in queues.items():
        (gpu,) = [
            r
            for group in manifests[name].data["spec"]["resourceGroups"]
            for flavor in group["flavors"]
            for r in flavor["resources"]
            if r["name"] == bc.GPU
        ]
        assert (queue.nominal, queue.borrowing_limit, queue.lending_limit) == (
            gpu["nominalQuota"],
            gpu["borrowingLimit"],
            gpu["lendingLimit"],
        )
        assert queue.cohort == manifests[name].data["spec"]["cohortName"] == "gpu-pool"
    assert sum(q.nominal for q in queues.values()) == 64
    assert model["load_priorities"]() == {"research": 100, "deadline": 1000}


def play() -> list[dict]:
    """The timeline, with each step's state: used and borrowed GPUs, who runs, who waits."""
    cluster = model["Cluster"](model["load_queues"](), model["load_priorities"]())
    states = []
    for _, c in model["play"](cluster):
        states.append(
            {
                "used": {q: c.used(q) for q in c.queues},
                "borrowed": {q: c.borrowed(q) for q in c.queues},
                "running": sorted(w.name for w in c.admitted()),
                "pending": sorted(w.name for w in c.pending()),
            }
        )
        queues = c.queues
        # Invariants: 64 GPUs at most, no queue above nominal + borrowing limit, and a
        # queue's guaranteed part (nominal - lendingLimit) is never lent.
        assert sum(c.used(q) for q in queues) <= 64
        for q in queues.values():
            assert c.used(q.name) <= q.nominal + q.borrowing_limit
            others = sum(c.used(o) for o in queues if o != q.name)
            assert others <= 64 - q.guaranteed
    return states


def test_the_timeline_numbers():
    t1, t2, t3, t4, t5, t6 = play()
    # t1-t2: vision idle; language borrows up to its limit: 32 nominal + 24 = 56.
    assert t1["used"] == {"vision": 0, "language": 40} and t1["borrowed"]["language"] == 8
    assert t2["used"]["language"] == 56 and t2["borrowed"]["language"] == 24
    # t3: vision claims its 32: reclaim preempts the 40-GPU borrower, and spares the sweep.
    assert t3["used"] == {"vision": 32, "language": 16}
    assert t3["pending"] == ["lang-pretrain"] and "lang-sweep" in t3["running"]
    # t4: language back to its nominal 32, nothing borrowed on either side.
    assert t4["used"] == {"vision": 32, "language": 32} and not any(t4["borrowed"].values())
    # t5: the deadline job preempts the newest research job of its own queue.
    assert "lang-hotfix" in t5["running"] and t5["pending"] == ["lang-eval", "lang-pretrain"]
    # t6: vision done; the 16-GPU job borrows, the 40-GPU one would exceed 56.
    assert t6["used"] == {"vision": 0, "language": 48} and t6["borrowed"]["language"] == 16
    assert t6["pending"] == ["lang-pretrain"]


def test_a_smaller_borrowing_limit_changes_the_outcome(tmp_path: Path):
    queues = model["load_queues"]()
    tight = copy.deepcopy(queues)
    tight["language"].borrowing_limit = 8
    cluster = model["Cluster"](tight, model["load_priorities"]())
    cluster.submit("a", "language", 40, "research")
    cluster.submit("b", "language", 16, "research")
    assert cluster.used("language") == 40 and [w.name for w in cluster.pending()] == ["b"]


def test_without_gang_scheduling_two_jobs_deadlock():
    pod_by_pod = model["pod_by_pod"]
    placed = pod_by_pod({"x": 6, "y": 6}, 64, 8)
    assert placed == {"x": 4, "y": 4}  # 64 GPUs held, neither job complete
    assert pod_by_pod({"x": 6}, 64, 8) == {"x": 6}  # alone, it would have run


def test_with_admission_one_job_runs_then_the_other():
    cluster = model["Cluster"](model["load_queues"](), model["load_priorities"]())
    cluster.submit("x", "vision", 48, "research")
    cluster.submit("y", "language", 48, "research")
    assert [w.name for w in cluster.admitted()] == ["x"]
    assert [w.name for w in cluster.pending()] == ["y"]
    cluster.finish("x")
    assert [w.name for w in cluster.admitted()] == ["y"]


def test_the_model_and_the_check_agree_on_the_jobset():
    docs = docs_of([BATCH])
    (jobset,) = [d for d in docs if d.kind == "JobSet"]
    check = bc.fits(jobset, bc.queue_of(jobset, docs), docs)
    gpus = int(check.requests[bc.GPU])
    cluster = model["Cluster"](model["load_queues"](), model["load_priorities"]())
    workload = model["Workload"]("llm-pretrain", "language", gpus, "research", created=1)
    assert cluster.fits(workload) and not cluster.fits(workload, borrow=False)
    assert check.fits and check.borrows


# ---------------------------------------------------------------- claims (training.yml)


definitions = mc.schema_definitions


def vendored(name: str) -> dict:
    return json.loads((mc.SCHEMAS / name).read_text())


def test_kueue_serves_v1beta2_and_deprecates_v1beta1():
    for kind in ("ResourceFlavor", "ClusterQueue", "LocalQueue", "WorkloadPriorityClass"):
        schema = vendored(bc.SCHEMAS[bc.KUEUE, kind])
        assert "kubernetes-sigs/kueue v0.19.2 " in schema["$comment"]
        versions = schema["x-crd"]["versions"]
        assert versions["v1beta2"] == {"served": True, "storage": True, "deprecated": False}
        assert versions["v1beta1"] == {"served": True, "storage": False, "deprecated": True}
    spec = vendored(bc.SCHEMAS[bc.KUEUE, "ClusterQueue"])["properties"]["spec"]["properties"]
    assert "cohortName" in spec and "cohort" not in spec


def test_kueue_preemption_policies():
    spec = vendored(bc.SCHEMAS[bc.KUEUE, "ClusterQueue"])["properties"]["spec"]["properties"]
    preemption = spec["preemption"]["properties"]
    assert preemption["reclaimWithinCohort"]["enum"] == ["Never", "LowerPriority", "Any"]
    assert preemption["withinClusterQueue"]["enum"] == [
        "Never",
        "LowerPriority",
        "LowerOrNewerEqualPriority",
    ]
    assert spec["queueingStrategy"]["enum"] == ["StrictFIFO", "BestEffortFIFO"]
    quota = spec["resourceGroups"]["items"]["properties"]["flavors"]["items"]["properties"]
    resource = quota["resources"]["items"]
    assert {"nominalQuota", "borrowingLimit", "lendingLimit"} <= set(resource["properties"])
    assert resource["required"] == ["name", "nominalQuota"]


def test_batch_api_versions():
    served = {
        (api_version, kind): next(iter(vendored(name)["x-crd"]["versions"]))
        for (api_version, kind), name in bc.SCHEMAS.items()
        if "kueue" not in api_version
    }
    assert served == {
        ("jobset.x-k8s.io/v1alpha2", "JobSet"): "v1alpha2",
        ("leaderworkerset.x-k8s.io/v1", "LeaderWorkerSet"): "v1",
        ("trainer.kubeflow.org/v1alpha1", "ClusterTrainingRuntime"): "v1alpha1",
        ("trainer.kubeflow.org/v1alpha1", "TrainingRuntime"): "v1alpha1",
        ("trainer.kubeflow.org/v1alpha1", "TrainJob"): "v1alpha1",
    }
    for (_, kind), name in bc.SCHEMAS.items():
        assert len(vendored(name)["x-crd"]["versions"]) == (2 if "kueue" in name else 1), kind
    releases = {
        "jobset": "kubernetes-sigs/jobset v0.12.0 ",
        "leaderworkerset": "kubernetes-sigs/lws v0.10.0 ",
        "trainer": "kubeflow/trainer v2.3.0 ",
    }
    for name in bc.SCHEMAS.values():
        for key, release in releases.items():
            if name.startswith(key):
                assert release in vendored(name)["$comment"], name


def test_trainer_runtimes_ask_for_gangs_through_a_scheduler_plugin():
    for kind in ("ClusterTrainingRuntime", "TrainingRuntime"):
        spec = vendored(bc.SCHEMAS[bc.TRAINER, kind])["properties"]["spec"]["properties"]
        assert set(spec["podGroupPolicy"]["properties"]) == {"coscheduling", "volcano"}
    trainjob = vendored(bc.SCHEMAS[bc.TRAINER, "TrainJob"])["properties"]["spec"]
    assert trainjob["required"] == ["runtimeRef"]
    assert "podGroupPolicy" not in trainjob["properties"]


def test_lws_restarts_a_group_as_a_unit():
    schema = vendored(bc.SCHEMAS["leaderworkerset.x-k8s.io/v1", "LeaderWorkerSet"])
    template = schema["properties"]["spec"]["properties"]["leaderWorkerTemplate"]["properties"]
    assert "RecreateGroupOnPodRestart" in template["restartPolicy"]["enum"]
    startup = schema["properties"]["spec"]["properties"]["startupPolicy"]["enum"]
    assert startup == ["LeaderCreated", "LeaderReady"]


def test_indexed_job_fields_in_both_versions():
    for version in (PINNED, NEWEST):
        job = definitions(version)["io.k8s.api.batch.v1.JobSpec"]["properties"]
        assert {"backoffLimitPerIndex", "maxFailedIndexes", "podFailurePolicy", "successPolicy",
                "managedBy", "suspend"} <= set(job)  # fmt: skip
        mode = job["completionMode"]["description"]
        assert "batch.kubernetes.io/job-completion-index" in mode
        assert "the Pod hostname takes the form `$(job-name)-$(index)`" in mode
        per_index = job["backoffLimitPerIndex"]["description"]
        assert "It can only be set when Job's completionMode=Indexed" in per_index
        assert "the Pod's restart policy is Never" in per_index
        success = job["successPolicy"]["description"]
        assert "works only for the Indexed Jobs" in success
        assert (
            "cannot be used in combination with restartPolicy=OnFailure"
            in (job["podFailurePolicy"]["description"])
        )


GANG_JOB = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {"name": "gang"},
    "spec": {
        "parallelism": 4,
        "scheduling": {"schedulingPolicy": {"gang": {"minCount": 4}}},
        "template": {
            "spec": {
                "restartPolicy": "Never",
                "containers": [{"name": "trainer", "image": "myregistry/train:1.0.0"}],
            }
        },
    },
}


def test_a_job_can_ask_for_a_gang_only_in_the_newest_version(tmp_path: Path):
    newest = definitions(NEWEST)["io.k8s.api.batch.v1.JobSpec"]["properties"]
    text = newest["scheduling"]["description"]
    assert "This field is alpha-level and requires the WorkloadWithJob feature gate" in text
    assert "the Job defaults to the basic scheduling policy" in text
    policy = definitions(NEWEST)["io.k8s.api.scheduling.v1alpha3.WorkloadPodGroupSchedulingPolicy"]
    assert set(policy["properties"]) == {"basic", "gang"}
    assert "scheduling" not in definitions(PINNED)["io.k8s.api.batch.v1.JobSpec"]["properties"]
    # The same manifest: accepted by the 1.37 schema, an unknown field for 1.35.
    path = tmp_path / "job.yaml"
    path.write_text(yaml.safe_dump(GANG_JOB))
    (doc,) = mc.load(path)[0]
    assert mc.schema_problems(doc, NEWEST) == []
    (problem,) = mc.schema_problems(doc, PINNED)
    assert problem.field == "spec.scheduling" and "unknown field" in problem.message
