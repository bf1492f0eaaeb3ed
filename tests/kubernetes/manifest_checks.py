"""Check Kubernetes manifests the way a reviewer would, with `file:line: field: message` errors.

    python -m tests.kubernetes.manifest_checks examples/kubernetes        # every manifest
    python -m tests.kubernetes.manifest_checks path/to/one.yaml --version 1.37

1. Schema, strict (unknown fields are errors): built-in kinds against the upstream OpenAPI
   schemas bundled in kubernetes-validate; KEDA, VPA, the Gateway API and its inference
   extension against tests/kubernetes/schemas/. A kind with no schema is an error, never a
   warning.
2. Cross-object: Service selectors and StatefulSet serviceName, configMapKeyRef / secretKeyRef /
   claimName / storageClassName references, HPA / KEDA / VPA targets, requests <= limits and
   inside the LimitRange, min <= max replicas, no `:latest` or untagged image, no deprecated
   VPA update mode; device claims (a Pod's ResourceClaim or template, a container's claim, a
   request's DeviceClass); Gateway API references (a Gateway's class, a route's parent
   Gateway and listener, a backend Service and its port, an InferencePool and its Pods).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import itertools
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import jsonschema
import kubernetes_validate
import referencing
import yaml
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = Path(__file__).resolve().parent / "schemas"
# The Kubernetes version the CI cluster runs (kind's node image in
# .github/workflows/kubernetes-dry-run.yml) and the newest one kubernetes-validate knows.
PINNED_VERSION = "1.35"
NEWEST_VERSION = kubernetes_validate.utils.major_minor(kubernetes_validate.latest_version())
VERSIONS = (PINNED_VERSION, NEWEST_VERSION)

CUSTOM_SCHEMAS = {
    ("keda.sh/v1alpha1", "ScaledObject"): "keda.sh-v1alpha1-scaledobject.json",
    (
        "autoscaling.k8s.io/v1",
        "VerticalPodAutoscaler",
    ): "autoscaling.k8s.io-v1-verticalpodautoscaler.json",
    **{
        ("gateway.networking.k8s.io/v1", kind): f"gateway.networking.k8s.io-v1-{kind.lower()}.json"
        for kind in ("GatewayClass", "Gateway", "HTTPRoute")
    },
    ("inference.networking.k8s.io/v1", "InferencePool"): (
        "inference.networking.k8s.io-v1-inferencepool.json"
    ),
}
# The GPU and batch pages' kinds have their schemas and cross-object checks in modules of their
# own beside this one: each exports SCHEMAS {(apiVersion, kind): file} and CHECKS.
EXTENSIONS = ("gpu_checks", "batch_checks", "serving_checks")


@functools.cache
def extensions() -> tuple:
    return tuple(importlib.import_module(f"tests.kubernetes.{name}") for name in EXTENSIONS)


def custom_schemas() -> dict[tuple[str, str], str]:
    """Every custom kind's schema file, this module's and the extensions'."""
    found = dict(CUSTOM_SCHEMAS)
    for module in extensions():
        found.update(module.SCHEMAS)
    return found


# Argo Rollouts' Rollout carries a Pod template like a Deployment (serving/kubernetes.md).
WORKLOADS = {"Deployment", "StatefulSet", "ReplicaSet", "DaemonSet", "Job", "Pod", "Rollout"}
SCALABLE = {("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"), ("apps/v1", "ReplicaSet")}

Path_ = tuple  # a path into a document: keys and list indices


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


@dataclass
class Doc:
    """One YAML document, with the node tree kept so any field maps back to its line."""

    file: str
    data: dict
    node: yaml.Node
    namespace: str = field(init=False)

    def __post_init__(self) -> None:
        self.namespace = (self.data.get("metadata") or {}).get("namespace", "default")

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", ""))

    @property
    def name(self) -> str:
        return str((self.data.get("metadata") or {}).get("name", ""))

    def line(self, path: Path_) -> int:
        """1-based line of the deepest node of `path` that exists (the key's line for a mapping)."""
        node, line = self.node, self.node.start_mark.line + 1
        for step in path:
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if key.value == step:
                        node, line = value, key.start_mark.line + 1
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                if step >= len(node.value):
                    return line
                node = node.value[step]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    def problem(self, path: Path_, message: str) -> Problem:
        return Problem(self.file, self.line(path), dotted(path), message)


def dotted(path: Iterable) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "(document)"


def relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def load(path: Path) -> tuple[list[Doc], list[Problem]]:
    name = relative(path)
    loader = yaml.SafeLoader(path.read_text())
    docs: list[Doc] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            data = loader.construct_document(node)
            if data is None:
                continue
            if not isinstance(data, dict):
                line = node.start_mark.line + 1
                return docs, [Problem(name, line, "(document)", "a manifest must be a mapping")]
            docs.append(Doc(name, data, node))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        return docs, [Problem(name, line, "(yaml)", f"{error.problem or error}")]
    finally:
        loader.dispose()
    return docs, []


def manifest_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files += sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
    return files


# ---------------------------------------------------------------- 1. schemas


def schema_errors(doc: Doc, schema: dict, registry=None) -> Iterator[Problem]:
    kwargs = {"registry": registry} if registry is not None else {}
    validator = jsonschema.Draft202012Validator(schema, **kwargs)
    for error in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.path))):
        yield from explain(doc, error)


def explain(doc: Doc, error: jsonschema.ValidationError) -> Iterator[Problem]:
    """Point at the offending field itself: the unknown key, the missing key's parent."""
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = set(error.schema.get("properties", {}))
        patterns = error.schema.get("patternProperties", {})
        for key in error.instance:
            if key not in known and not any(re.search(p, key) for p in patterns):
                yield doc.problem((*path, key), f"unknown field {key!r}")
        return
    if error.validator == "required":
        missing = re.match(r"'([^']+)' is a required property", error.message)
        name = missing.group(1) if missing else "?"
        yield Problem(doc.file, doc.line(path), dotted((*path, name)), "missing required field")
        return
    if error.validator in ("anyOf", "oneOf") and error.context:
        # "not valid under any of the given schemas": the type error says more.
        best = jsonschema.exceptions.best_match(error.context)
        yield doc.problem(path, best.message)
        return
    yield doc.problem(path, error.message)


_custom_cache: dict[str, dict] = {}


def custom_schema(name: str) -> dict:
    if name not in _custom_cache:
        _custom_cache[name] = json.loads((SCHEMAS / name).read_text())
    return _custom_cache[name]


def schema_problems(doc: Doc, version: str) -> list[Problem]:
    api_version, kind = doc.data.get("apiVersion"), doc.data.get("kind")
    if not api_version or not kind:
        missing = "apiVersion" if not api_version else "kind"
        return [doc.problem((missing,), "missing required field")]
    schemas = custom_schemas()
    if (api_version, kind) in schemas:
        return list(schema_errors(doc, custom_schema(schemas[api_version, kind])))
    validator = core_validator(version, api_version, kind)
    if validator is None:
        return [
            doc.problem(
                ("kind",),
                f"no schema for {kind} {api_version} in Kubernetes {version} (a typo in "
                "apiVersion/kind, a removed API, or a custom resource without a schema in "
                "tests/kubernetes/schemas/)",
            )
        ]
    errors = sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.path)))
    return [
        Problem(p.file, p.line, p.field, f"{p.message} (Kubernetes {version})")
        for error in errors
        for p in explain(doc, error)
    ]


@functools.cache
def schema_definitions(version: str) -> dict:
    """The strict OpenAPI definitions kubernetes-validate bundles for `version` ("1.35")."""
    utils = kubernetes_validate.utils
    (release,) = {v for v in utils.all_versions() if utils.major_minor(v) == version}
    folder = f"kubernetes-json-schema/v{release}-local-strict"
    return utils.schema_contents(f"{folder}/_definitions.json", version)["$defs"]


@functools.cache
def core_validator(version: str, api_version: str, kind: str):
    """kubernetes-validate's strict schema for this kind, as a validator reporting every error.

    Same files and lookup as `kubernetes_validate.validate(..., strict=True)`, which stops at the
    first error; kept in a cache because the definitions file is large.
    """
    utils = kubernetes_validate.utils
    known = [v for v in utils.all_versions() if Version(utils.major_minor(v)) <= Version(version)]
    if not known or Version(version) > Version(utils.major_minor(utils.latest_version())):
        raise ValueError(
            f"kubernetes-validate {kubernetes_validate.__version__} does not know {version}"
        )
    folder = f"kubernetes-json-schema/v{known[-1]}-local-strict"
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = utils.schema_contents(f"{folder}/{kind.lower()}-{group_version}.json", version)
    except FileNotFoundError:
        return None
    definitions = utils.schema_contents(f"{folder}/_definitions.json", version)
    registry = referencing.Resource.from_contents(definitions) @ (
        referencing.Resource.from_contents(schema) @ referencing.Registry()
    )
    return jsonschema.Draft202012Validator(schema, registry=registry)


# ---------------------------------------------------------------- 2. cross-object

SUFFIXES = {"m": Fraction(1, 1000), "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
            "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}  # fmt: skip


def quantity(value) -> Fraction:
    match = re.fullmatch(r"([0-9.]+)([a-zA-Z]*)", str(value))
    if not match or (match.group(2) and match.group(2) not in SUFFIXES):
        raise ValueError(f"not a quantity: {value!r}")
    return Fraction(match.group(1)) * SUFFIXES.get(match.group(2), 1)


def pod_specs(doc: Doc) -> Iterator[tuple[Path_, dict, dict]]:
    """(path to the pod spec, pod spec, pod labels) of a Pod or a workload's template."""
    data = doc.data
    if doc.kind == "Pod":
        yield ("spec",), data.get("spec") or {}, (data.get("metadata") or {}).get("labels") or {}
    elif doc.kind in WORKLOADS:
        template = (data.get("spec") or {}).get("template") or {}
        labels = (template.get("metadata") or {}).get("labels") or {}
        yield ("spec", "template", "spec"), template.get("spec") or {}, labels


def containers(doc: Doc) -> Iterator[tuple[Path_, dict]]:
    for path, spec, _ in pod_specs(doc):
        for group in ("initContainers", "containers"):
            for index, container in enumerate(spec.get(group) or []):
                yield (*path, group, index), container


def index(docs: list[Doc]) -> dict[tuple[str, str, str], Doc]:
    return {(d.kind, d.namespace, d.name): d for d in docs}


def reference_problems(docs: list[Doc]) -> Iterator[Problem]:
    objects = index(docs)

    def keyed(doc: Doc, path: Path_, kind: str, ref: dict) -> Iterator[Problem]:
        target = objects.get((kind, doc.namespace, ref.get("name")))
        if target is None:
            yield doc.problem((*path, "name"), f"no {kind} {ref.get('name')!r} in the chapter")
            return
        keys = set(target.data.get("data") or {}) | set(target.data.get("stringData") or {})
        if ref.get("key") not in keys:
            yield doc.problem(
                (*path, "key"),
                f"{kind} {target.name!r} ({target.file}) has no key {ref.get('key')!r}; "
                f"it has {sorted(keys)}",
            )

    for doc in docs:
        for cpath, container in containers(doc):
            for i, env in enumerate(container.get("env") or []):
                source = env.get("valueFrom") or {}
                for ref_name, kind in (
                    ("configMapKeyRef", "ConfigMap"),
                    ("secretKeyRef", "Secret"),
                ):
                    if ref_name in source:
                        path = (*cpath, "env", i, "valueFrom", ref_name)
                        yield from keyed(doc, path, kind, source[ref_name])
        for spath, spec, _ in pod_specs(doc):
            for i, volume in enumerate(spec.get("volumes") or []):
                vpath = (*spath, "volumes", i)
                if "persistentVolumeClaim" in volume:
                    claim = volume["persistentVolumeClaim"].get("claimName")
                    if ("PersistentVolumeClaim", doc.namespace, claim) not in objects:
                        yield doc.problem(
                            (*vpath, "persistentVolumeClaim", "claimName"),
                            f"no PersistentVolumeClaim {claim!r} in the chapter",
                        )
                if "configMap" in volume:
                    name = volume["configMap"].get("name")
                    if ("ConfigMap", doc.namespace, name) not in objects:
                        yield doc.problem(
                            (*vpath, "configMap", "name"), f"no ConfigMap {name!r} in the chapter"
                        )
                if "secret" in volume:
                    name = volume["secret"].get("secretName")
                    if ("Secret", doc.namespace, name) not in objects:
                        yield doc.problem(
                            (*vpath, "secret", "secretName"), f"no Secret {name!r} in the chapter"
                        )
        if doc.kind == "PersistentVolumeClaim":
            klass = (doc.data.get("spec") or {}).get("storageClassName")
            # StorageClasses are cluster-scoped: any namespace's claim may use one.
            if klass and klass not in {d.name for d in docs if d.kind == "StorageClass"}:
                yield doc.problem(
                    ("spec", "storageClassName"), f"no StorageClass {klass!r} in the chapter"
                )


def service_problems(docs: list[Doc]) -> Iterator[Problem]:
    templates = [(d, labels) for d in docs for _, _, labels in pod_specs(d)]
    for doc in docs:
        if doc.kind == "Service":
            selector = (doc.data.get("spec") or {}).get("selector") or {}
            matches = [
                d
                for d, labels in templates
                if d.namespace == doc.namespace and selector.items() <= labels.items()
            ]
            if selector and not matches:
                yield doc.problem(
                    ("spec", "selector"),
                    f"selects {selector}, but no Pod or Pod template in the chapter has them",
                )
        if doc.kind in ("Deployment", "StatefulSet", "ReplicaSet", "Rollout"):
            spec = doc.data.get("spec") or {}
            wanted = (spec.get("selector") or {}).get("matchLabels") or {}
            labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
            if not wanted.items() <= labels.items():
                yield doc.problem(
                    ("spec", "selector", "matchLabels"),
                    f"{wanted} does not match the template's labels {labels}",
                )
        if doc.kind == "StatefulSet":
            service = (doc.data.get("spec") or {}).get("serviceName")
            target = index(docs).get(("Service", doc.namespace, service))
            if service and target is None:
                yield doc.problem(("spec", "serviceName"), f"no Service {service!r} in the chapter")
            elif target and (target.data.get("spec") or {}).get("clusterIP") != "None":
                yield doc.problem(
                    ("spec", "serviceName"),
                    f"Service {service!r} is not headless (clusterIP: None): Pods get no DNS names",
                )


def target_problems(docs: list[Doc]) -> Iterator[Problem]:
    objects = index(docs)
    refs = {
        "HorizontalPodAutoscaler": ("spec", "scaleTargetRef"),
        "ScaledObject": ("spec", "scaleTargetRef"),
        "VerticalPodAutoscaler": ("spec", "targetRef"),
    }
    for doc in docs:
        if doc.kind not in refs:
            continue
        path = refs[doc.kind]
        ref = (doc.data.get("spec") or {}).get(path[-1]) or {}
        kind = ref.get("kind", "Deployment")  # KEDA's default
        api_version = ref.get("apiVersion", "apps/v1")
        if (api_version, kind) not in SCALABLE:
            yield doc.problem((*path, "kind"), f"{api_version} {kind} has no /scale subresource")
            continue
        target = objects.get((kind, doc.namespace, ref.get("name")))
        if target is None:
            yield doc.problem((*path, "name"), f"no {kind} {ref.get('name')!r} in the chapter")
            continue
        if doc.kind == "HorizontalPodAutoscaler":
            yield from hpa_request_problems(doc, target)
    for doc in docs:
        spec = doc.data.get("spec") or {}
        for low, high in (("minReplicas", "maxReplicas"), ("minReplicaCount", "maxReplicaCount")):
            if low in spec and high in spec and spec[low] > spec[high]:
                yield doc.problem(("spec", low), f"{low} {spec[low]} > {high} {spec[high]}")
        if doc.kind == "HorizontalPodAutoscaler":
            yield from tolerance_problems(doc, ("spec", "behavior"), spec.get("behavior") or {})
        if doc.kind == "ScaledObject":
            behavior = (
                (spec.get("advanced") or {}).get("horizontalPodAutoscalerConfig") or {}
            ).get("behavior") or {}
            path = ("spec", "advanced", "horizontalPodAutoscalerConfig", "behavior")
            yield from tolerance_problems(doc, path, behavior)
        mode = (spec.get("updatePolicy") or {}).get("updateMode")
        if doc.kind == "VerticalPodAutoscaler" and mode == "Auto":
            yield doc.problem(
                ("spec", "updatePolicy", "updateMode"),
                "'Auto' is deprecated since VPA 1.5 (it means 'Recreate'): say 'Recreate', "
                "'InPlaceOrRecreate', 'Initial' or 'Off'",
            )


def tolerance_problems(doc: Doc, path: Path_, behavior: dict) -> Iterator[Problem]:
    """A per-HPA tolerance is a Quantity >= 0 (0.05 for 5%); the schema allows any string."""
    for direction in ("scaleUp", "scaleDown"):
        value = (behavior.get(direction) or {}).get("tolerance")
        if value is None:
            continue
        try:
            quantity(value)
        except ValueError:
            yield doc.problem(
                (*path, direction, "tolerance"),
                f"{value!r} is not a quantity >= 0: write a fraction such as 0.05 for 5%",
            )


def hpa_request_problems(hpa: Doc, target: Doc) -> Iterator[Problem]:
    """A Utilization target is a percentage of requests: every container needs that request."""
    for i, metric in enumerate(hpa.data["spec"].get("metrics") or []):
        resource = metric.get("resource") or {}
        if metric.get("type") == "Resource" and resource.get("target", {}).get("type") == (
            "Utilization"
        ):
            name = resource.get("name")
            for cpath, container in containers(target):
                if cpath[-2] == "initContainers":
                    continue
                if name not in ((container.get("resources") or {}).get("requests") or {}):
                    yield hpa.problem(
                        ("spec", "metrics", i, "resource", "name"),
                        f"{target.kind} {target.name!r} container {container.get('name')!r} "
                        f"({target.file}) has no requests.{name}: the HPA cannot compute "
                        "utilization",
                    )


# In-place resize covers these resources only (ContainerResizePolicy.resourceName: "Supported
# values: cpu, memory." in the 1.35 and 1.37 schemas; tests/kubernetes/test_claims.py reads it).
RESIZABLE = {"cpu", "memory"}


def resource_problems(docs: list[Doc]) -> Iterator[Problem]:
    limit_ranges = [d for d in docs if d.kind == "LimitRange"]
    for doc in docs:
        for cpath, container in containers(doc):
            for i, policy in enumerate(container.get("resizePolicy") or []):
                if policy.get("resourceName") not in RESIZABLE:
                    yield doc.problem(
                        (*cpath, "resizePolicy", i, "resourceName"),
                        f"{policy.get('resourceName')!r} cannot be resized in place "
                        f"(only {sorted(RESIZABLE)})",
                    )
            resources = container.get("resources") or {}
            requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
            for name in set(requests) & set(limits):
                if quantity(requests[name]) > quantity(limits[name]):
                    yield doc.problem(
                        (*cpath, "resources", "requests", name),
                        f"request {requests[name]} > limit {limits[name]}",
                    )
            # A LimitRange constrains its own namespace only.
            for lr in (lr for lr in limit_ranges if lr.namespace == doc.namespace):
                yield from limit_range_problems(doc, cpath, requests, limits, lr)
        if doc.kind == "LimitRange":
            for i, item in enumerate(doc.data["spec"]["limits"]):
                order = ("min", "defaultRequest", "default", "max")
                for name in ("cpu", "memory"):
                    present = [(k, item[k][name]) for k in order if name in (item.get(k) or {})]
                    for (k1, v1), (k2, v2) in itertools.pairwise(present):
                        if quantity(v1) > quantity(v2):
                            yield doc.problem(
                                ("spec", "limits", i, k2, name), f"{k1} {v1} > {k2} {v2}"
                            )


def limit_range_problems(doc, cpath, requests, limits, lr: Doc) -> Iterator[Problem]:
    """Would this container be admitted in the LimitRange's namespace? Defaults applied first."""
    for item in lr.data["spec"]["limits"]:
        if item.get("type") != "Container":
            continue
        for name in ("cpu", "memory"):
            limit = limits.get(name, (item.get("default") or {}).get(name))
            request = requests.get(
                name, limits.get(name, (item.get("defaultRequest") or {}).get(name))
            )
            low, high = (item.get("min") or {}).get(name), (item.get("max") or {}).get(name)
            where = f"in namespace {lr.namespace} (LimitRange {lr.name!r}, {lr.file})"
            if low is not None and request is not None and quantity(request) < quantity(low):
                yield doc.problem(
                    (*cpath, "resources", "requests", name),
                    f"request {request} < min {low} {where}",
                )
            if high is not None and limit is not None and quantity(limit) > quantity(high):
                yield doc.problem(
                    (*cpath, "resources", "limits", name), f"limit {limit} > max {high} {where}"
                )
            if request is not None and limit is not None and quantity(request) > quantity(limit):
                yield doc.problem(
                    (*cpath, "resources", "requests", name),
                    f"request {request} > limit {limit} once defaults apply {where}",
                )


def image_problems(docs: list[Doc]) -> Iterator[Problem]:
    for doc in docs:
        for cpath, container in containers(doc):
            image = str(container.get("image", ""))
            if not image:
                yield doc.problem((*cpath, "name"), "no image: a Pod's container needs one")
                continue
            last = image.rsplit("/", 1)[-1]
            if "@" in last:
                continue
            if ":" not in last or last.endswith(":latest"):
                yield doc.problem(
                    (*cpath, "image"),
                    f"{image!r} floats (no tag or :latest): pin a version so a restart runs "
                    "the same code",
                )


def device_claim_problems(docs: list[Doc]) -> Iterator[Problem]:
    """A Pod's claims exist, its containers use only those, and each request's class exists."""
    objects = index(docs)
    classes = {d.name for d in docs if d.kind == "DeviceClass"}
    for doc in docs:
        for spath, spec, _ in pod_specs(doc):
            claims = spec.get("resourceClaims") or []
            for i, claim in enumerate(claims):
                for field_, kind in (
                    ("resourceClaimName", "ResourceClaim"),
                    ("resourceClaimTemplateName", "ResourceClaimTemplate"),
                ):
                    name = claim.get(field_)
                    if name is not None and (kind, doc.namespace, name) not in objects:
                        yield doc.problem(
                            (*spath, "resourceClaims", i, field_),
                            f"no {kind} {name!r} in namespace {doc.namespace}",
                        )
            names = {claim.get("name") for claim in claims}
            for group in ("initContainers", "containers"):
                for c, container in enumerate(spec.get(group) or []):
                    used = (container.get("resources") or {}).get("claims") or []
                    for j, ref in enumerate(used):
                        if ref.get("name") not in names:
                            yield doc.problem(
                                (*spath, group, c, "resources", "claims", j, "name"),
                                f"the Pod has no resourceClaims entry {ref.get('name')!r} "
                                f"(it has {sorted(n for n in names if n)})",
                            )
        if doc.kind in ("ResourceClaim", "ResourceClaimTemplate"):
            path = ("spec",) if doc.kind == "ResourceClaim" else ("spec", "spec")
            claim_spec = doc.data
            for step in path:
                claim_spec = claim_spec.get(step) or {}
            for r, request in enumerate((claim_spec.get("devices") or {}).get("requests") or []):
                options = [(("exactly",), request["exactly"])] if "exactly" in request else []
                options += [
                    (("firstAvailable", k), sub)
                    for k, sub in enumerate(request.get("firstAvailable") or [])
                ]
                for steps, body in options:
                    if body.get("deviceClassName") not in classes:
                        yield doc.problem(
                            (*path, "devices", "requests", r, *steps, "deviceClassName"),
                            f"no DeviceClass {body.get('deviceClassName')!r} in the chapter",
                        )


def gateway_problems(docs: list[Doc]) -> Iterator[Problem]:
    """Gateway -> class, route -> Gateway and listener, route -> backend; a pool selects Pods.

    Not checked: an InferencePool's endpointPickerRef, a Service the picker's Helm chart
    installs, not the chapter.
    """
    objects = index(docs)
    templates = [(d, labels, spec) for d in docs for _, spec, labels in pod_specs(d)]
    classes = {d.name for d in docs if d.kind == "GatewayClass"}
    for doc in docs:
        spec = doc.data.get("spec") or {}
        if doc.kind == "Gateway" and spec.get("gatewayClassName") not in classes:
            yield doc.problem(
                ("spec", "gatewayClassName"),
                f"no GatewayClass {spec.get('gatewayClassName')!r} in the chapter",
            )
        if doc.kind == "HTTPRoute":
            for i, parent in enumerate(spec.get("parentRefs") or []):
                namespace = parent.get("namespace", doc.namespace)
                gateway = objects.get(("Gateway", namespace, parent.get("name")))
                if parent.get("kind", "Gateway") != "Gateway":
                    continue
                if gateway is None:
                    yield doc.problem(
                        ("spec", "parentRefs", i, "name"),
                        f"no Gateway {parent.get('name')!r} in namespace {namespace}",
                    )
                    continue
                listeners = {
                    listener.get("name")
                    for listener in (gateway.data.get("spec") or {}).get("listeners") or []
                }
                section = parent.get("sectionName")
                if section is not None and section not in listeners:
                    yield doc.problem(
                        ("spec", "parentRefs", i, "sectionName"),
                        f"Gateway {gateway.name!r} has no listener {section!r} "
                        f"(it has {sorted(listeners)})",
                    )
            for r, rule in enumerate(spec.get("rules") or []):
                for b, backend in enumerate(rule.get("backendRefs") or []):
                    yield from backend_problems(
                        doc, ("spec", "rules", r, "backendRefs", b), backend, objects
                    )
        if doc.kind == "InferencePool":
            selector = (spec.get("selector") or {}).get("matchLabels") or {}
            matched = [
                pod_spec
                for d, labels, pod_spec in templates
                if d.namespace == doc.namespace and selector.items() <= labels.items()
            ]
            if not matched:
                yield doc.problem(
                    ("spec", "selector", "matchLabels"),
                    f"selects {selector}, but no Pod or Pod template in the chapter has them",
                )
                continue
            ports = {
                port.get("containerPort")
                for pod_spec in matched
                for container in pod_spec.get("containers") or []
                for port in container.get("ports") or []
            }
            for t, target in enumerate(spec.get("targetPorts") or []):
                if target.get("number") not in ports:
                    yield doc.problem(
                        ("spec", "targetPorts", t, "number"),
                        f"no container of the selected Pods listens on {target.get('number')} "
                        f"(they declare {sorted(p for p in ports if p)})",
                    )


def backend_problems(route: Doc, path: Path_, backend: dict, objects) -> Iterator[Problem]:
    group, kind = backend.get("group", ""), backend.get("kind", "Service")
    namespace = backend.get("namespace", route.namespace)
    name = backend.get("name")
    if (group, kind) == ("", "Service"):
        service = objects.get(("Service", namespace, name))
        if service is None:
            yield route.problem((*path, "name"), f"no Service {name!r} in namespace {namespace}")
            return
        ports = {p.get("port") for p in (service.data.get("spec") or {}).get("ports") or []}
        if backend.get("port") not in ports:
            yield route.problem(
                (*path, "port"),
                f"Service {name!r} ({service.file}) has no port {backend.get('port')}; "
                f"it has {sorted(ports)}",
            )
    elif (group, kind) == ("inference.networking.k8s.io", "InferencePool"):
        if ("InferencePool", namespace, name) not in objects:
            yield route.problem(
                (*path, "name"), f"no InferencePool {name!r} in namespace {namespace}"
            )
    else:
        yield route.problem((*path, "kind"), f"the checks know no backend {group}/{kind}")


def cross_object_problems(docs: list[Doc]) -> list[Problem]:
    checks = (reference_problems, service_problems, target_problems, resource_problems,
              device_claim_problems, gateway_problems, image_problems)  # fmt: skip
    checks += tuple(check for module in extensions() for check in module.CHECKS)
    return sorted({p for check in checks for p in check(docs)})


def check(paths: Iterable[Path], versions: Iterable[str] = VERSIONS) -> list[Problem]:
    docs: list[Doc] = []
    problems: set[Problem] = set()
    for path in manifest_files(paths):
        loaded, errors = load(path)
        docs += loaded
        problems.update(errors)
    for version in versions:
        for doc in docs:
            problems.update(schema_problems(doc, version))
    problems.update(cross_object_problems(docs))
    return sorted(problems)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--version", action="append", help=f"default: {' and '.join(VERSIONS)}")
    args = parser.parse_args(argv)
    problems = check(args.paths, args.version or VERSIONS)
    for problem in problems:
        print(problem)
    count = len(manifest_files(args.paths))
    print(f"{count} files, {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    # The extensions import this module by its name: run that copy, not a second __main__ one.
    from tests.kubernetes.manifest_checks import main as checks_main

    sys.exit(checks_main())
