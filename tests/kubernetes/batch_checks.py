"""Schemas and cross-object checks for the batch and gang scheduling manifests (a page of training).

manifest_checks.py loads this module: SCHEMAS maps (apiVersion, kind) to a file in schemas/,
CHECKS are functions from every loaded document to the problems they find.

What a reviewer of a Kueue setup checks, and what the API server cannot (a dangling name is
accepted there; the job just waits in its queue for ever):
- a Job, JobSet, LeaderWorkerSet or TrainJob's `kueue.x-k8s.io/queue-name` label names a
  LocalQueue in its namespace, the LocalQueue a ClusterQueue that admits that namespace, the
  ClusterQueue's flavors exist as ResourceFlavors, and its priority-class label a
  WorkloadPriorityClass;
- a TrainJob's runtimeRef names a ClusterTrainingRuntime or a TrainingRuntime of its namespace;
- a workload's total requests fit its ClusterQueue: within the nominal quota, or only by
  borrowing from the cohort (not a problem: `quota_report` says so), or not at all (a problem:
  Kueue would keep it pending for ever);
- the Job rules the JSON schema cannot express (per-index fields need `Indexed`, a Pod failure
  policy needs `restartPolicy: Never`), an indexed Job's `subdomain` names a headless Service, a
  JobSet's MASTER_ADDR names one of its own Pods, and images are pinned.

    python -m tests.kubernetes.batch_checks examples/kubernetes   # the quota report
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from tests.kubernetes.manifest_checks import Doc, Path_, Problem, index, load, quantity

KUEUE = "kueue.x-k8s.io/v1beta2"
TRAINER = "trainer.kubeflow.org/v1alpha1"
SCHEMAS: dict[tuple[str, str], str] = {
    **{
        (KUEUE, kind): f"kueue.x-k8s.io-v1beta2-{kind.lower()}.json"
        for kind in ("ResourceFlavor", "ClusterQueue", "LocalQueue", "WorkloadPriorityClass")
    },
    ("jobset.x-k8s.io/v1alpha2", "JobSet"): "jobset.x-k8s.io-v1alpha2-jobset.json",
    ("leaderworkerset.x-k8s.io/v1", "LeaderWorkerSet"): (
        "leaderworkerset.x-k8s.io-v1-leaderworkerset.json"
    ),
    **{
        (TRAINER, kind): f"trainer.kubeflow.org-v1alpha1-{kind.lower()}.json"
        for kind in ("ClusterTrainingRuntime", "TrainingRuntime", "TrainJob")
    },
}

QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
PRIORITY_LABEL = "kueue.x-k8s.io/priority-class"
QUEUED = ("Job", "JobSet", "LeaderWorkerSet", "TrainJob")
GPU = "nvidia.com/gpu"


def cluster_object(docs: list[Doc], kind: str, name: str | None) -> Doc | None:
    """A cluster-scoped object (ClusterQueue, ResourceFlavor, ...), whatever namespace it says."""
    return next((d for d in docs if d.kind == kind and d.name == name), None)


def labels_of(doc: Doc) -> dict:
    return (doc.data.get("metadata") or {}).get("labels") or {}


# ---------------------------------------------------------------- what a workload asks for


def pod_requests(spec: dict) -> dict[str, Fraction]:
    """A Pod's requests as Kueue counts them: containers summed, init containers at their
    largest, and a limit standing in for a missing request (requests default to limits)."""

    def of(container: dict) -> dict[str, Fraction]:
        resources = container.get("resources") or {}
        merged = {**(resources.get("limits") or {}), **(resources.get("requests") or {})}
        return {name: quantity(value) for name, value in merged.items()}

    total: dict[str, Fraction] = {}
    for container in spec.get("containers") or []:
        for name, value in of(container).items():
            total[name] = total.get(name, Fraction(0)) + value
    for container in spec.get("initContainers") or []:
        for name, value in of(container).items():
            total[name] = max(total.get(name, Fraction(0)), value)
    return total


def job_pods(job_spec: dict) -> int:
    parallelism = job_spec.get("parallelism", 1)
    return min(parallelism, job_spec.get("completions", parallelism))


def pod_templates(doc: Doc, docs: list[Doc]) -> Iterator[tuple[Path_, dict, int]]:
    """(path to a pod spec, the pod spec, how many Pods of it one workload runs)."""
    spec = doc.data.get("spec") or {}
    if doc.kind == "Job":
        yield (
            ("spec", "template", "spec"),
            (spec.get("template") or {}).get("spec") or {},
            (job_pods(spec)),
        )
    elif doc.kind == "JobSet":
        for i, replicated in enumerate(spec.get("replicatedJobs") or []):
            job_spec = (replicated.get("template") or {}).get("spec") or {}
            pod_spec = (job_spec.get("template") or {}).get("spec") or {}
            path = ("spec", "replicatedJobs", i, "template", "spec", "template", "spec")
            yield path, pod_spec, replicated.get("replicas", 1) * job_pods(job_spec)
    elif doc.kind == "LeaderWorkerSet":
        # Kueue admits a LeaderWorkerSet group by group: one group is one workload.
        template = spec.get("leaderWorkerTemplate") or {}
        size = template.get("size", 1)
        workers = ("spec", "leaderWorkerTemplate", "workerTemplate", "spec")
        if "leaderTemplate" in template:
            leader = ("spec", "leaderWorkerTemplate", "leaderTemplate", "spec")
            yield leader, (template["leaderTemplate"].get("spec") or {}), 1
            yield workers, (template.get("workerTemplate") or {}).get("spec") or {}, size - 1
        else:
            yield workers, (template.get("workerTemplate") or {}).get("spec") or {}, size
    elif doc.kind in ("ClusterTrainingRuntime", "TrainingRuntime"):
        inner = (spec.get("template") or {}).get("spec") or {}
        for i, replicated in enumerate(inner.get("replicatedJobs") or []):
            job_spec = (replicated.get("template") or {}).get("spec") or {}
            path = ("spec", "template", "spec", "replicatedJobs", i, "template", "spec")
            yield (*path, "template", "spec"), (job_spec.get("template") or {}).get("spec") or {}, 1
    elif doc.kind == "TrainJob":
        runtime = runtime_of(doc, docs)
        trainer = spec.get("trainer") or {}
        policy = ((runtime.data.get("spec") or {}).get("mlPolicy") or {}) if runtime else {}
        nodes = trainer.get("numNodes", policy.get("numNodes", 1))
        node = trainer.get("resourcesPerNode")
        if node is not None:
            pod = {"containers": [{"name": "node", "resources": node}]}
            yield ("spec", "trainer", "resourcesPerNode"), pod, nodes
        elif runtime is not None:
            for path, pod_spec, _ in pod_templates(runtime, docs):
                yield path, pod_spec, nodes


def total_requests(doc: Doc, docs: list[Doc]) -> dict[str, Fraction]:
    total: dict[str, Fraction] = {}
    for _, spec, count in pod_templates(doc, docs):
        for name, value in pod_requests(spec).items():
            total[name] = total.get(name, Fraction(0)) + value * count
    return total


def runtime_of(trainjob: Doc, docs: list[Doc]) -> Doc | None:
    ref = (trainjob.data.get("spec") or {}).get("runtimeRef") or {}
    kind = ref.get("kind", "ClusterTrainingRuntime")
    if kind == "TrainingRuntime":
        return index(docs).get(("TrainingRuntime", trainjob.namespace, ref.get("name")))
    return cluster_object(docs, kind, ref.get("name"))


# ---------------------------------------------------------------- queues


def namespace_admitted(cq: Doc, namespace: str, docs: list[Doc]) -> bool:
    """Does the ClusterQueue's namespaceSelector (matchLabels) select this namespace?"""
    selector = (cq.data.get("spec") or {}).get("namespaceSelector")
    if selector is None:
        return True
    wanted = selector.get("matchLabels") or {}
    ns = index(docs).get(("Namespace", "default", namespace))
    labels = {"kubernetes.io/metadata.name": namespace, **(labels_of(ns) if ns else {})}
    return wanted.items() <= labels.items()


def queue_of(doc: Doc, docs: list[Doc]) -> Doc | None:
    """The ClusterQueue a workload's queue-name label leads to, or None."""
    local = index(docs).get(("LocalQueue", doc.namespace, labels_of(doc).get(QUEUE_LABEL)))
    if local is None:
        return None
    return cluster_object(docs, "ClusterQueue", (local.data.get("spec") or {}).get("clusterQueue"))


def queue_problems(docs: list[Doc]) -> Iterator[Problem]:
    objects = index(docs)
    label_path = ("metadata", "labels")
    for doc in docs:
        labels = labels_of(doc)
        if doc.kind in QUEUED and QUEUE_LABEL in labels:
            name = labels[QUEUE_LABEL]
            local = objects.get(("LocalQueue", doc.namespace, name))
            if local is None:
                queues = sorted(d.name for d in docs if d.kind == "LocalQueue" and
                                d.namespace == doc.namespace)  # fmt: skip
                yield doc.problem(
                    (*label_path, QUEUE_LABEL),
                    f"no LocalQueue {name!r} in namespace {doc.namespace} (it has {queues})",
                )
            else:
                cq = queue_of(doc, docs)
                if cq is not None and not namespace_admitted(cq, doc.namespace, docs):
                    yield doc.problem(
                        (*label_path, QUEUE_LABEL),
                        f"LocalQueue {name!r} points to ClusterQueue {cq.name!r}, whose "
                        f"namespaceSelector ({cq.file}) does not select namespace {doc.namespace}",
                    )
        if doc.kind in QUEUED and PRIORITY_LABEL in labels:
            name = labels[PRIORITY_LABEL]
            if cluster_object(docs, "WorkloadPriorityClass", name) is None:
                yield doc.problem(
                    (*label_path, PRIORITY_LABEL), f"no WorkloadPriorityClass {name!r}"
                )
        if doc.kind == "LocalQueue":
            target = (doc.data.get("spec") or {}).get("clusterQueue")
            if cluster_object(docs, "ClusterQueue", target) is None:
                yield doc.problem(("spec", "clusterQueue"), f"no ClusterQueue {target!r}")
        if doc.kind == "ClusterQueue":
            groups = (doc.data.get("spec") or {}).get("resourceGroups") or []
            for g, group in enumerate(groups):
                covered = set(group.get("coveredResources") or [])
                for f, flavor in enumerate(group.get("flavors") or []):
                    path = ("spec", "resourceGroups", g, "flavors", f)
                    if cluster_object(docs, "ResourceFlavor", flavor.get("name")) is None:
                        yield doc.problem(
                            (*path, "name"), f"no ResourceFlavor {flavor.get('name')!r}"
                        )
                    for r, resource in enumerate(flavor.get("resources") or []):
                        if resource.get("name") not in covered:
                            yield doc.problem(
                                (*path, "resources", r, "name"),
                                f"{resource.get('name')!r} is not in coveredResources "
                                f"{sorted(covered)}",
                            )


def runtime_problems(docs: list[Doc]) -> Iterator[Problem]:
    for doc in docs:
        if doc.kind != "TrainJob":
            continue
        ref = (doc.data.get("spec") or {}).get("runtimeRef") or {}
        if runtime_of(doc, docs) is None:
            kind = ref.get("kind", "ClusterTrainingRuntime")
            where = f" in namespace {doc.namespace}" if kind == "TrainingRuntime" else ""
            yield doc.problem(
                ("spec", "runtimeRef", "name"), f"no {kind} {ref.get('name')!r}{where}"
            )


# ---------------------------------------------------------------- quota


@dataclass
class Fit:
    """How one workload's requests sit in its ClusterQueue's flavor."""

    workload: Doc
    queue: Doc
    flavor: str
    requests: dict[str, Fraction]
    nominal: dict[str, Fraction]
    borrow: dict[str, Fraction]  # what the workload must borrow, per resource
    can_borrow: dict[str, Fraction]  # at most: the borrowing limit, or what the cohort lends
    uncovered: list[str]

    @property
    def fits(self) -> bool:
        return not self.uncovered and all(
            self.borrow[r] <= self.can_borrow[r] for r in self.requests
        )

    @property
    def borrows(self) -> bool:
        return any(self.borrow.values())


def lendable(cq: Doc) -> dict[tuple[str, str], Fraction]:
    """(flavor, resource) -> what this ClusterQueue lends its cohort: lendingLimit, or all."""
    out = {}
    for group in (cq.data.get("spec") or {}).get("resourceGroups") or []:
        for flavor in group.get("flavors") or []:
            for resource in flavor.get("resources") or []:
                limit = resource.get("lendingLimit", resource.get("nominalQuota"))
                out[flavor["name"], resource["name"]] = quantity(limit)
    return out


def fits(doc: Doc, cq: Doc, docs: list[Doc]) -> Fit:
    """The workload on the flavor that suits it best (Kueue tries flavors in order), quota only:
    what the other workloads use is the model's business (examples/kubernetes/batch/quota.py)."""
    requests = total_requests(doc, docs)
    spec = cq.data.get("spec") or {}
    cohort = spec.get("cohortName")
    peers = [d for d in docs if d.kind == "ClusterQueue" and d is not cq and cohort and
             (d.data.get("spec") or {}).get("cohortName") == cohort]  # fmt: skip
    best: Fit | None = None
    for group in spec.get("resourceGroups") or []:
        covered = set(group.get("coveredResources") or [])
        if not covered & set(requests):
            continue
        for flavor in group.get("flavors") or []:
            nominal, borrow, can = {}, {}, {}
            for resource in flavor.get("resources") or []:
                name = resource["name"]
                if name not in requests:
                    continue
                nominal[name] = quantity(resource["nominalQuota"])
                borrow[name] = max(Fraction(0), requests[name] - nominal[name])
                lent = sum(
                    (lendable(p).get((flavor["name"], name), Fraction(0)) for p in peers),
                    Fraction(0),
                )
                limit = resource.get("borrowingLimit")
                can[name] = min(lent, quantity(limit)) if limit is not None else lent
            fit = Fit(doc, cq, flavor["name"], requests, nominal, borrow, can,
                      uncovered=sorted(set(requests) - set(nominal)))  # fmt: skip
            if fit.fits and not fit.borrows:
                return fit
            if best is None or (fit.fits and not best.fits):
                best = fit
    if best is None:
        return Fit(doc, cq, "-", requests, {}, {}, {}, uncovered=sorted(requests))
    return best


def workloads(docs: list[Doc]) -> Iterator[tuple[Doc, Doc]]:
    for doc in docs:
        if doc.kind in QUEUED and QUEUE_LABEL in labels_of(doc):
            cq = queue_of(doc, docs)
            if cq is not None:
                yield doc, cq


def quota_problems(docs: list[Doc]) -> Iterator[Problem]:
    for doc, cq in workloads(docs):
        fit = fits(doc, cq, docs)
        where = ("metadata", "labels", QUEUE_LABEL)
        if fit.uncovered:
            yield doc.problem(
                where,
                f"requests {fit.uncovered}, which ClusterQueue {cq.name!r} ({cq.file}) does not "
                "cover: Kueue can never admit it",
            )
            continue
        over = [
            name
            for name in sorted(fit.requests, key=lambda r: (r != GPU, r))
            if fit.borrow[name] > fit.can_borrow[name]
        ]
        if over:
            name, also = over[0], f" (and {', '.join(over[1:])})" if over[1:] else ""
            yield doc.problem(
                where,
                f"never admitted: {name} {show(name, fit.requests[name])} > "
                f"{show(name, fit.nominal[name])} + {show(name, fit.can_borrow[name])} "
                f"borrowable in ClusterQueue {cq.name!r}{also}",
            )


def show(resource: str, value: Fraction) -> str:
    if resource == "memory" and value % 2**30 == 0:
        return f"{value // 2**30}Gi"
    return str(value)


def quota_report(docs: list[Doc]) -> list[str]:
    """One entry per queued workload: fits the nominal quota, needs borrowing, or cannot fit."""
    lines = []
    for doc, cq in workloads(docs):
        fit = fits(doc, cq, docs)
        verdict = (
            "cannot fit" if not fit.fits else "needs borrowing" if fit.borrows else "fits nominal"
        )
        lines.append(f"{doc.namespace}/{doc.name} ({doc.kind}) in {cq.name}: {verdict}")
        if fit.uncovered:
            lines.append(f"  not covered: {', '.join(fit.uncovered)}")
            continue
        for name in sorted(fit.requests, key=lambda r: (r != GPU, r)):
            used = f"{show(name, fit.requests[name])} of {show(name, fit.nominal[name])}"
            extra = ""
            if fit.borrow[name]:
                extra = (
                    f", borrows {show(name, fit.borrow[name])} "
                    f"(up to {show(name, fit.can_borrow[name])})"
                )
            lines.append(f"  {name:<15} {used}{extra}")
    return lines


# ---------------------------------------------------------------- Jobs, JobSets, images

PER_INDEX = ("backoffLimitPerIndex", "maxFailedIndexes", "successPolicy")


def job_specs(doc: Doc) -> Iterator[tuple[Path_, dict]]:
    spec = doc.data.get("spec") or {}
    if doc.kind == "Job":
        yield ("spec",), spec
    elif doc.kind == "JobSet":
        for i, replicated in enumerate(spec.get("replicatedJobs") or []):
            yield (
                ("spec", "replicatedJobs", i, "template", "spec"),
                ((replicated.get("template") or {}).get("spec") or {}),
            )


def job_problems(docs: list[Doc]) -> Iterator[Problem]:
    objects = index(docs)
    for doc in docs:
        for path, spec in job_specs(doc):
            pod = (spec.get("template") or {}).get("spec") or {}
            pod_path = (*path, "template", "spec")
            for name in PER_INDEX:
                if name in spec and spec.get("completionMode") != "Indexed":
                    yield doc.problem(
                        (*path, name), f"{name} works only with completionMode: Indexed"
                    )
            needs_never = [n for n in ("podFailurePolicy", "backoffLimitPerIndex") if n in spec]
            if needs_never and pod.get("restartPolicy") != "Never":
                yield doc.problem(
                    (*pod_path, "restartPolicy"),
                    f"{' and '.join(needs_never)} need restartPolicy: Never "
                    f"(it is {pod.get('restartPolicy')!r})",
                )
            subdomain = pod.get("subdomain")
            if doc.kind == "Job" and subdomain is not None:
                service = objects.get(("Service", doc.namespace, subdomain))
                if service is None or (service.data.get("spec") or {}).get("clusterIP") != "None":
                    yield doc.problem(
                        (*pod_path, "subdomain"),
                        f"no headless Service {subdomain!r} in namespace {doc.namespace}: the "
                        "indexed Pods get no DNS names",
                    )
        if doc.kind == "JobSet":
            yield from rendezvous_problems(doc)


def jobset_hosts(doc: Doc) -> set[str]:
    """Every Pod host name a JobSet creates: <jobset>-<job>-<job index>-<pod index>.<subdomain>."""
    spec = doc.data.get("spec") or {}
    subdomain = (spec.get("network") or {}).get("subdomain", doc.name)
    hosts = set()
    for replicated in spec.get("replicatedJobs") or []:
        job_spec = (replicated.get("template") or {}).get("spec") or {}
        for j in range(replicated.get("replicas", 1)):
            for p in range(job_pods(job_spec)):
                hosts.add(f"{doc.name}-{replicated.get('name')}-{j}-{p}.{subdomain}")
    return hosts


def rendezvous_problems(doc: Doc) -> Iterator[Problem]:
    spec = doc.data.get("spec") or {}
    dns = (spec.get("network") or {}).get("enableDNSHostnames") is True
    hosts = jobset_hosts(doc)
    for path, pod, _ in pod_templates(doc, []):
        for c, container in enumerate(pod.get("containers") or []):
            for e, env in enumerate(container.get("env") or []):
                if env.get("name") != "MASTER_ADDR" or "value" not in env:
                    continue
                where = (*path, "containers", c, "env", e, "value")
                if not dns:
                    yield doc.problem(
                        where, "MASTER_ADDR names a Pod, but network.enableDNSHostnames is not true"
                    )
                elif env["value"] not in hosts:
                    yield doc.problem(
                        where,
                        f"{env['value']!r} is no Pod of this JobSet (the first is "
                        f"{sorted(hosts)[0]!r})",
                    )


def image_problems(docs: list[Doc]) -> Iterator[Problem]:
    """The chapter's rule for the batch kinds' templates (manifest_checks knows only Pods and the
    built-in workloads): no `:latest`, no untagged image."""
    images: list[tuple[Doc, Path_, str]] = []
    for doc in docs:
        if doc.kind in ("JobSet", "LeaderWorkerSet", "ClusterTrainingRuntime", "TrainingRuntime"):
            for path, pod, _ in pod_templates(doc, docs):
                for group in ("initContainers", "containers"):
                    for i, container in enumerate(pod.get(group) or []):
                        images.append((doc, (*path, group, i, "image"), container.get("image")))
        if doc.kind == "TrainJob":
            image = ((doc.data.get("spec") or {}).get("trainer") or {}).get("image")
            if image is not None:
                images.append((doc, ("spec", "trainer", "image"), image))
    for doc, path, image in images:
        last = str(image or "").rsplit("/", 1)[-1]
        if "@" not in last and (":" not in last or last.endswith(":latest")):
            yield doc.problem(path, f"{image!r} floats (no tag or :latest): pin a version")


CHECKS: tuple[Callable[[list[Doc]], Iterator[Problem]], ...] = (
    queue_problems,
    runtime_problems,
    quota_problems,
    job_problems,
    image_problems,
)


def main(argv: list[str] | None = None) -> int:
    from tests.kubernetes.manifest_checks import manifest_files

    paths = [Path(p) for p in (argv if argv is not None else sys.argv[1:])]
    docs = [doc for path in manifest_files(paths) for doc in load(path)[0]]
    print("\n".join(quota_report(docs)))
    return 0


if __name__ == "__main__":
    from tests.kubernetes.batch_checks import main as batch_main

    sys.exit(batch_main())
