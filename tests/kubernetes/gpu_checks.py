"""Schemas and cross-object checks for the GPU pages' manifests.

docs/training/gpu-scheduling.md (examples/kubernetes/gpus/) and gpu-autoscaling.md
(examples/kubernetes/gpu-nodes/).

manifest_checks.py loads this module: SCHEMAS maps (apiVersion, kind) to a file in schemas/,
CHECKS are functions from every loaded document to the problems they find.

The chapter's Node objects are the allocatable source: each is a node as the API server shows
it once GPU Feature Discovery labelled it and the device plugin registered its GPUs
(`status.allocatable`). What the checks model, and what they leave out:

- each folder of examples is its own cluster: a Pod (or a workload's template) that asks for an
  `nvidia.com/...` resource, in a folder that has Node objects, must land on one of them: its
  nodeSelector and required node affinity match the Node's labels, it tolerates the Node's
  NoSchedule/NoExecute taints, and its requests fit the Node's allocatable; its replicas (a
  Job's parallelism) fit the matching Nodes together. The scheduler's other filters (Pods
  already running, pod affinity, topology spread) are left out;
- the GPU Operator's own Pods (ClusterPolicy `daemonsets.tolerations`) tolerate every GPU
  Node's taints, or no driver and no device plugin ever run there;
- the device plugin's configs (the ConfigMap the ClusterPolicy names) validate against the
  schema derived from the plugin's Go types, the config a Node's label selects exists, and the
  Node advertises `nvidia.com/gpu.count` x replicas GPUs;
- mig-manager's config validates against mig-parted's schema, the layout a Node's label selects
  exists, and the Node advertises the slices it makes (mixed strategy: one resource per
  profile; whole GPUs stay `nvidia.com/gpu`);
- a Karpenter NodePool's class exists, its requirement keys pass the CRD's label-domain rule (a
  CEL rule that JSON schema cannot run) and it caps `nvidia.com/gpu`; a ProvisioningRequest
  names a PodTemplate and a class Cluster Autoscaler knows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction

import jsonschema
import yaml

from tests.kubernetes.manifest_checks import (
    SCHEMAS as SCHEMA_DIR,
)
from tests.kubernetes.manifest_checks import (
    Doc,
    Problem,
    dotted,
    pod_specs,
    quantity,
)

SCHEMAS: dict[tuple[str, str], str] = {
    ("nvidia.com/v1", "ClusterPolicy"): "nvidia.com-v1-clusterpolicy.json",
    ("karpenter.sh/v1", "NodePool"): "karpenter.sh-v1-nodepool.json",
    ("karpenter.k8s.aws/v1", "EC2NodeClass"): "karpenter.k8s.aws-v1-ec2nodeclass.json",
    ("autoscaling.x-k8s.io/v1", "ProvisioningRequest"): (
        "autoscaling.x-k8s.io-v1-provisioningrequest.json"
    ),
}
DEVICE_PLUGIN_SCHEMA = "nvidia-device-plugin-config-v1.json"
MIG_PARTED_SCHEMA = "nvidia-mig-parted-config-v1.json"

GPU = "nvidia.com/gpu"
CONFIG_LABEL = "nvidia.com/device-plugin.config"  # k8s-device-plugin cmd/config-manager
MIG_CONFIG_LABEL = "nvidia.com/mig.config"  # gpu-operator controllers/state_manager.go
# The GPU Operator's namespace, where its Helm chart puts the ConfigMaps it reads.
OPERATOR_NAMESPACE = "gpu-operator"
# kubernetes/autoscaler cluster-autoscaler-1.36.1,
# apis/provisioningrequest/autoscaling.x-k8s.io/v1/types.go
PROVISIONING_CLASSES = {
    "check-capacity.autoscaling.x-k8s.io",
    "best-effort-atomic-scale-up.autoscaling.x-k8s.io",
}
# The keys of the karpenter.k8s.aws domain a NodePool may use in requirements: the CEL rule
# "label domain "karpenter.k8s.aws" is restricted" of karpenter.sh_nodepools.yaml in
# aws/karpenter-provider-aws v1.14.1 (from_crd.py drops CEL rules; this one is kept here).
_AWS_NAMES = """
instance-tenancy capacity-reservation-type capacity-reservation-id
capacity-reservation-interruptible ec2nodeclass instance-encryption-in-transit-supported
instance-category instance-hypervisor instance-family instance-generation instance-local-nvme
instance-size instance-cpu instance-cpu-manufacturer instance-cpu-sustained-clock-speed-mhz
instance-memory instance-ebs-bandwidth instance-network-bandwidth instance-gpu-name
instance-gpu-manufacturer instance-gpu-count instance-gpu-memory instance-accelerator-name
instance-accelerator-manufacturer instance-accelerator-count instance-capability-flex
placement-group-id placement-group-partition
"""
KARPENTER_AWS_KEYS = {f"karpenter.k8s.aws/{name}" for name in _AWS_NAMES.split()}


def is_device(resource: str) -> bool:
    return resource.startswith("nvidia.com/")


# ---------------------------------------------------------------- Pods and Nodes


def pod_requests(spec: dict) -> dict[str, Fraction]:
    """What the scheduler counts for a Pod: each container's requests (limits if unset), summed;
    an init container's, if larger (they run one at a time, before the others)."""
    total: dict[str, Fraction] = {}
    for container in spec.get("containers") or []:
        for name, value in effective(container).items():
            total[name] = total.get(name, Fraction(0)) + value
    for container in spec.get("initContainers") or []:
        for name, value in effective(container).items():
            total[name] = max(total.get(name, Fraction(0)), value)
    return total


def effective(container: dict) -> dict[str, Fraction]:
    resources = container.get("resources") or {}
    requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
    return {name: quantity(requests.get(name, limits.get(name))) for name in {*limits, *requests}}


def replicas(doc: Doc) -> int:
    spec = doc.data.get("spec") or {}
    if doc.kind == "Job":
        return int(spec.get("parallelism", 1))
    if doc.kind in ("Deployment", "StatefulSet", "ReplicaSet"):
        return int(spec.get("replicas", 1))
    return 1


def selects(spec: dict, labels: dict) -> bool:
    """nodeSelector and the required node affinity (any term; every expression of a term)."""
    if not (spec.get("nodeSelector") or {}).items() <= labels.items():
        return False
    required = (
        ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
            "requiredDuringSchedulingIgnoredDuringExecution"
        )
        or {}
    ).get("nodeSelectorTerms")
    if not required:
        return True
    return any(
        all(expression_matches(e, labels) for e in term.get("matchExpressions") or [])
        for term in required
    )


def expression_matches(expression: dict, labels: dict) -> bool:
    key, operator = expression.get("key"), expression.get("operator")
    values = expression.get("values") or []
    if operator == "In":
        return labels.get(key) in values
    if operator == "NotIn":  # codespell:ignore
        return labels.get(key) not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    if operator in ("Gt", "Lt") and key in labels:
        number, bound = int(labels[key]), int(values[0])
        return number > bound if operator == "Gt" else number < bound
    return False


def tolerates(tolerations: list, taint: dict) -> bool:
    for toleration in tolerations:
        if toleration.get("effect") not in (None, "", taint.get("effect")):
            continue
        if toleration.get("key") in (None, "") and toleration.get("operator") == "Exists":
            return True
        if toleration.get("key") != taint.get("key"):
            continue
        if toleration.get("operator") == "Exists":
            return True
        if toleration.get("value", "") == taint.get("value", ""):
            return True
    return False


def repelling(node: Doc) -> list[dict]:
    taints = (node.data.get("spec") or {}).get("taints") or []
    return [t for t in taints if t.get("effect") in ("NoSchedule", "NoExecute")]


def taint_text(taint: dict) -> str:
    value = f"={taint['value']}" if taint.get("value") else ""
    return f"{taint.get('key')}{value}:{taint.get('effect')}"


def allocatable(node: Doc) -> dict[str, Fraction]:
    status = node.data.get("status") or {}
    return {name: quantity(value) for name, value in (status.get("allocatable") or {}).items()}


def gpu_pool_problems(docs: list[Doc]) -> Iterator[Problem]:
    """Every Pod that asks for an NVIDIA device lands on a Node of the chapter, and fits it."""
    clusters: dict[str, list[Doc]] = {}
    for node in (d for d in docs if d.kind == "Node"):
        clusters.setdefault(folder(node), []).append(node)
    for doc in docs:
        nodes = clusters.get(folder(doc))
        if not nodes:
            continue  # a folder without Nodes describes no cluster to place Pods on
        for spath, spec, _ in pod_specs(doc):
            wanted = pod_requests(spec)
            devices = sorted(name for name in wanted if is_device(name) and wanted[name] > 0)
            if not devices:
                continue
            yield from placement_problems(doc, spath, spec, wanted, devices, nodes)


def folder(doc: Doc) -> str:
    return doc.file.rsplit("/", 1)[0] if "/" in doc.file else ""


def placement_problems(doc, spath, spec, wanted, devices, nodes) -> Iterator[Problem]:
    selected = [
        n for n in nodes if selects(spec, (n.data.get("metadata") or {}).get("labels") or {})
    ]
    where = ("nodeSelector",) if spec.get("nodeSelector") else ("affinity",)
    if not selected:
        yield doc.problem(
            (*spath, *where) if spec.get("nodeSelector") or spec.get("affinity") else spath,
            f"asks for {', '.join(devices)} but selects no Node of the chapter "
            f"(they are {sorted(n.name for n in nodes)})",
        )
        return
    tolerations = spec.get("tolerations") or []
    reasons: list[Problem] = []
    fitting: list[Doc] = []
    for node in selected:
        untolerated = [t for t in repelling(node) if not tolerates(tolerations, t)]
        if untolerated:
            reasons.append(
                doc.problem(
                    (*spath, "tolerations"),
                    f"does not tolerate the taint {taint_text(untolerated[0])} of Node "
                    f"{node.name!r} ({node.file})",
                )
            )
            continue
        free = allocatable(node)
        short = [name for name in sorted(wanted) if wanted[name] > free.get(name, Fraction(0))]
        if short:
            name = short[0]
            reasons.append(
                doc.problem(
                    resource_path(spath, spec, name),
                    f"asks for {fmt(wanted[name])} {name} per Pod but Node {node.name!r} "
                    f"({node.file}) has {fmt(free.get(name, Fraction(0)))} allocatable",
                )
            )
            continue
        fitting.append(node)
    if not fitting:
        yield from reasons
        return
    count = replicas(doc)
    for name in devices:
        pods_per_node = [int(allocatable(n).get(name, 0) // wanted[name]) for n in fitting]
        if count > sum(pods_per_node):
            yield doc.problem(
                ("spec", "parallelism" if doc.kind == "Job" else "replicas"),
                f"{count} Pods x {fmt(wanted[name])} {name} do not fit the "
                f"{sum(pods_per_node)} Pod(s) the selected Nodes "
                f"{sorted(n.name for n in fitting)} hold: the rest stay Pending",
            )


def resource_path(spath, spec, name) -> tuple:
    for c, container in enumerate(spec.get("containers") or []):
        resources = container.get("resources") or {}
        for kind in ("requests", "limits"):
            if name in (resources.get(kind) or {}):
                return (*spath, "containers", c, "resources", kind, name)
    return spath


def fmt(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(float(value))


def operator_toleration_problems(docs: list[Doc]) -> Iterator[Problem]:
    """The GPU Operator's DaemonSets tolerate every taint of every GPU Node."""
    gpu_nodes = [n for n in docs if n.kind == "Node" and any(map(is_device, allocatable(n)))]
    for policy in (d for d in docs if d.kind == "ClusterPolicy"):
        daemonsets = (policy.data.get("spec") or {}).get("daemonsets") or {}
        tolerations = daemonsets.get("tolerations") or []
        for node in gpu_nodes:
            for taint in repelling(node):
                if not tolerates(tolerations, taint):
                    yield policy.problem(
                        ("spec", "daemonsets", "tolerations"),
                        f"the operator's Pods do not tolerate the taint {taint_text(taint)} "
                        f"of Node {node.name!r} ({node.file}): no driver, no device plugin, "
                        "no GPUs there",
                    )


# ---------------------------------------------------------------- device plugin and MIG configs


def config_map(docs: list[Doc], name: str) -> Doc | None:
    for doc in docs:
        if doc.kind == "ConfigMap" and doc.name == name and doc.namespace == OPERATOR_NAMESPACE:
            return doc
    return None


@dataclass
class Embedded:
    """A config file carried in a ConfigMap value, its lines counted in the ConfigMap's file."""

    holder: Doc
    key: str
    data: object
    node: yaml.Node | None
    offset: int  # the file line (0-based) of the value's first line

    def line(self, path: tuple) -> int:
        if self.node is None:
            return self.offset + 1
        return Doc(self.holder.file, {}, self.node).line(path) + self.offset

    def problem(self, path: tuple, message: str) -> Problem:
        return Problem(
            self.holder.file, self.line(path), f"data.{self.key}: {dotted(path)}", message
        )


def embedded(doc: Doc, key: str) -> tuple[Embedded, list[Problem]]:
    """A ConfigMap value parsed as YAML (a `|` block starts on the line after its key)."""
    value_node = next(
        value
        for k, data in doc.node.value
        if k.value == "data"
        for name, value in data.value
        if name.value == key
    )
    offset = value_node.start_mark.line + (1 if value_node.style in ("|", ">") else 0)
    text = doc.data["data"][key]
    try:
        node, data = yaml.compose(text), yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = offset + (mark.line if mark else 0) + 1
        problem = Problem(doc.file, line, f"data.{key}", str(error.problem))
        return Embedded(doc, key, None, None, offset), [problem]
    return Embedded(doc, key, data, node, offset), []


def config_schema_problems(doc: Doc, key: str, schema_name: str) -> tuple[Embedded, list]:
    """Validate one embedded config; problems name the ConfigMap's file and line."""
    config, problems = embedded(doc, key)
    if problems:
        return config, problems
    if not isinstance(config.data, dict):
        return config, [config.problem((), "the config must be a mapping")]
    schema = json.loads((SCHEMA_DIR / schema_name).read_text())
    validator = jsonschema.Draft202012Validator(schema)
    for error in sorted(validator.iter_errors(config.data), key=lambda e: list(map(str, e.path))):
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties":
            known = set(error.schema.get("properties", {}))
            for name in error.instance:
                if name not in known:
                    problems.append(config.problem((*path, name), f"unknown field {name!r}"))
            continue
        message = error.message
        if error.context:
            message = jsonschema.exceptions.best_match(error.context).message
        problems.append(config.problem(path, message))
    return config, problems


def replicas_in(config: dict, resource: str) -> tuple[int, str]:
    """(replicas, strategy) the device plugin applies to `resource` under this config."""
    sharing = config.get("sharing") or {}
    for strategy, label in (("mps", "mps"), ("timeSlicing", "time-slicing")):
        for item in (sharing.get(strategy) or {}).get("resources") or []:
            if item.get("name") == resource:
                return int(item["replicas"]), label
    return 1, "none"


def device_config_problems(docs: list[Doc]) -> Iterator[Problem]:
    for policy in (d for d in docs if d.kind == "ClusterPolicy"):
        spec = policy.data.get("spec") or {}
        strategy = (spec.get("mig") or {}).get("strategy")
        yield from plugin_config_problems(docs, policy, spec, strategy)
        yield from mig_config_problems(docs, policy, spec)


def referenced_config_map(docs, policy: Doc, component: str, name: str):
    """The ConfigMap a ClusterPolicy component's `config.name` names, or the problem saying it
    is missing."""
    holder = config_map(docs, name)
    if holder is not None:
        return holder, None
    return None, policy.problem(
        ("spec", component, "config", "name"),
        f"no ConfigMap {name!r} in namespace {OPERATOR_NAMESPACE}",
    )


def plugin_config_problems(docs, policy: Doc, spec: dict, strategy) -> Iterator[Problem]:
    ref = (spec.get("devicePlugin") or {}).get("config") or {}
    if not ref.get("name"):
        return
    holder, missing = referenced_config_map(docs, policy, "devicePlugin", ref["name"])
    if holder is None:
        yield missing
        return
    configs: dict[str, dict] = {}
    for key in holder.data.get("data") or {}:
        config, problems = config_schema_problems(holder, key, DEVICE_PLUGIN_SCHEMA)
        yield from problems
        if problems:
            continue
        configs[key] = config.data
        mig = (config.data.get("flags") or {}).get("migStrategy")
        if strategy and mig and mig != strategy:
            yield config.problem(
                ("flags", "migStrategy"),
                f"{mig!r}, but the ClusterPolicy {policy.name!r} says {strategy!r}: one "
                "strategy per cluster, or GFD's labels and the plugin's resources disagree",
            )
    keys = set(holder.data.get("data") or {})
    default = ref.get("default")
    if default is not None and default not in keys:
        yield policy.problem(
            ("spec", "devicePlugin", "config", "default"),
            f"ConfigMap {holder.name!r} ({holder.file}) has no key {default!r}; "
            f"it has {sorted(keys)}",
        )
    for node in (d for d in docs if d.kind == "Node"):
        labels = (node.data.get("metadata") or {}).get("labels") or {}
        if GPU + ".count" not in labels:
            continue
        key = labels.get(CONFIG_LABEL, default)
        if key not in keys:
            yield node.problem(
                ("metadata", "labels", CONFIG_LABEL),
                f"selects config {key!r}, but ConfigMap {holder.name!r} ({holder.file}) has "
                f"only {sorted(keys)}",
            )
            continue
        if key not in configs:
            continue  # its own schema problems are reported above
        count, (times, how) = int(labels[GPU + ".count"]), replicas_in(configs[key], GPU)
        advertised = allocatable(node).get(GPU, Fraction(0))
        if advertised != count * times:
            yield node.problem(
                ("status", "allocatable", GPU),
                f"{fmt(advertised)}, but config {key!r} ({holder.file}) makes {count} GPU(s) x "
                f"{times} replica(s) = {count * times}",
            )
        for label, value in ((GPU + ".replicas", str(times)), (GPU + ".sharing-strategy", how)):
            if label in labels and labels[label] != value:
                yield node.problem(
                    ("metadata", "labels", label),
                    f"{labels[label]!r}, but config {key!r} gives {value!r}",
                )


def mig_config_problems(docs, policy: Doc, spec: dict) -> Iterator[Problem]:
    manager = spec.get("migManager") or {}
    ref = manager.get("config") or {}
    if not manager.get("enabled") or not ref.get("name"):
        return
    holder, missing = referenced_config_map(docs, policy, "migManager", ref["name"])
    if holder is None:
        yield missing
        return
    layouts: dict[str, list] = {}
    for key in holder.data.get("data") or {}:
        config, problems = config_schema_problems(holder, key, MIG_PARTED_SCHEMA)
        yield from problems
        if not problems:
            layouts.update(config.data.get("mig-configs") or {})
    default = ref.get("default")
    if default is not None and layouts and default not in layouts:
        yield policy.problem(
            ("spec", "migManager", "config", "default"),
            f"no MIG layout {default!r} in ConfigMap {holder.name!r} ({holder.file})",
        )
    strategy = (spec.get("mig") or {}).get("strategy")
    for node in (d for d in docs if d.kind == "Node"):
        labels = (node.data.get("metadata") or {}).get("labels") or {}
        name = labels.get(MIG_CONFIG_LABEL)
        if name is None:
            continue
        if name not in layouts:
            yield node.problem(
                ("metadata", "labels", MIG_CONFIG_LABEL),
                f"asks for MIG layout {name!r}, but ConfigMap {holder.name!r} "
                f"({holder.file}) has {sorted(layouts)}",
            )
            continue
        if strategy != "mixed":
            continue  # single: every slice is nvidia.com/gpu, counted by the plugin's labels
        expected: dict[str, int] = {}
        for item in layouts[name]:
            devices = item["devices"]
            if devices == "all":
                continue  # how many GPUs "all" is, the Node does not say
            if item.get("mig-enabled"):
                for profile, per_gpu in (item.get("mig-devices") or {}).items():
                    key = f"nvidia.com/mig-{profile}"
                    expected[key] = expected.get(key, 0) + per_gpu * len(devices)
            else:
                expected[GPU] = expected.get(GPU, 0) + len(devices)
        advertised = allocatable(node)
        for resource, count in sorted(expected.items()):
            if advertised.get(resource, Fraction(0)) != count:
                yield node.problem(
                    ("status", "allocatable", resource),
                    f"{fmt(advertised.get(resource, Fraction(0)))}, but layout {name!r} "
                    f"({holder.file}) makes {count}",
                )


# ---------------------------------------------------------------- node autoscaling


def autoscaling_problems(docs: list[Doc]) -> Iterator[Problem]:
    classes = {d.name for d in docs if d.kind == "EC2NodeClass"}
    templates = {(d.namespace, d.name) for d in docs if d.kind == "PodTemplate"}
    for doc in docs:
        spec = doc.data.get("spec") or {}
        if doc.kind == "NodePool":
            node_spec = (spec.get("template") or {}).get("spec") or {}
            ref = node_spec.get("nodeClassRef") or {}
            path = ("spec", "template", "spec", "nodeClassRef")
            if ref.get("kind") == "EC2NodeClass" and ref.get("name") not in classes:
                yield doc.problem((*path, "name"), f"no EC2NodeClass {ref.get('name')!r}")
            for i, requirement in enumerate(node_spec.get("requirements") or []):
                key = str(requirement.get("key", ""))
                domain = key.split("/", 1)[0] if "/" in key else ""
                if domain.endswith("karpenter.k8s.aws") and key not in KARPENTER_AWS_KEYS:
                    yield doc.problem(
                        ("spec", "template", "spec", "requirements", i, "key"),
                        f"label domain 'karpenter.k8s.aws' is restricted: {key!r} is not "
                        "one of its well-known labels (the CRD's CEL rule rejects it)",
                    )
            gpu_pool = any(is_device(t.get("key", "")) for t in node_spec.get("taints") or [])
            if gpu_pool and GPU not in (spec.get("limits") or {}):
                yield doc.problem(
                    ("spec", "limits"),
                    f"a GPU NodePool without a limit on {GPU}: one runaway Job can buy "
                    "GPUs without end",
                )
        if doc.kind == "ProvisioningRequest":
            if spec.get("provisioningClassName") not in PROVISIONING_CLASSES:
                yield doc.problem(
                    ("spec", "provisioningClassName"),
                    f"{spec.get('provisioningClassName')!r} is not a class Cluster Autoscaler "
                    f"knows ({sorted(PROVISIONING_CLASSES)})",
                )
            for i, pod_set in enumerate(spec.get("podSets") or []):
                name = (pod_set.get("podTemplateRef") or {}).get("name")
                if (doc.namespace, name) not in templates:
                    yield doc.problem(
                        ("spec", "podSets", i, "podTemplateRef", "name"),
                        f"no PodTemplate {name!r} in namespace {doc.namespace}",
                    )


CHECKS: tuple[Callable[[list[Doc]], Iterator[Problem]], ...] = (
    gpu_pool_problems,
    operator_toleration_problems,
    device_config_problems,
    autoscaling_problems,
)
