"""Schemas and cross-object checks for docs/serving/kubernetes.md (examples/kubernetes/serving/).

manifest_checks.py loads this module: SCHEMAS maps (apiVersion, kind) to a file in schemas/,
CHECKS are functions from every loaded document to the problems they find. What the checks
model, each from the controller's code at the pinned release (named where it is used):

- KServe (v0.20.0): the deployment mode annotation; what each mode reads (Knative mode reads
  `canaryTrafficPercent` and can scale to zero; Standard mode reads `spec.canary` and, with
  its default HPA, raises `minReplicas: 0` to 1); the webhook's rules for `spec.canary`; the
  runtime a predictor names exists and supports its model format (or one is auto-selected);
- Argo Rollouts (v1.9.1) with the Gateway API plugin (v0.15.0): the stable and canary
  Services and the HTTPRoute exist, and the route sends to both; every analysis a Rollout
  names exists and gets the arguments it needs; a metric can fail; `setMirrorRoute` is not
  used with the Gateway API plugin, whose SetMirrorRoute does nothing;
- the Gateway API: a split's weights sum to 100 (a house rule: weights are relative, and a
  weight that reads as a percentage should be one), a RequestMirror target exists;
- an InferenceObjective's pool exists.

A Rollout carries a Pod template at `spec.template`, as a Deployment does: it joins the
chapter's Pod checks (images, requests, Service selectors): manifest_checks.WORKLOADS lists it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tests.kubernetes import manifest_checks as mc
from tests.kubernetes.manifest_checks import Doc, Problem

SCHEMAS: dict[tuple[str, str], str] = {
    ("serving.kserve.io/v1beta1", "InferenceService"): (
        "serving.kserve.io-v1beta1-inferenceservice.json"
    ),
    ("serving.kserve.io/v1alpha1", "ServingRuntime"): (
        "serving.kserve.io-v1alpha1-servingruntime.json"
    ),
    ("argoproj.io/v1alpha1", "Rollout"): "argoproj.io-v1alpha1-rollout.json",
    ("argoproj.io/v1alpha1", "AnalysisTemplate"): "argoproj.io-v1alpha1-analysistemplate.json",
    ("llm-d.ai/v1alpha2", "InferenceObjective"): "llm-d.ai-v1alpha2-inferenceobjective.json",
}

# kserve/kserve v0.20.0 pkg/constants/constants.go (DeploymentModeType): the two modes, and
# the old names the controller still maps to them.
MODE = "serving.kserve.io/deploymentMode"
MODES = {"Knative", "Standard"}
LEGACY_MODES = {"Serverless": "Knative", "RawDeployment": "Standard"}
AUTOSCALER_CLASS = "serving.kserve.io/autoscalerClass"  # hpa (the default), keda, external, none
# The ClusterServingRuntimes KServe v0.20.0 installs (config/runtimes/): the model formats
# each supports, and whether it is auto-selected for them.
KSERVE_RUNTIMES: dict[str, dict[str, bool]] = {
    "kserve-autogluonserver": {"autogluon": True},
    "kserve-huggingfaceserver": {"huggingface": True},
    "kserve-huggingfaceserver-multinode": {"huggingface": True},
    "kserve-lgbserver": {"lightgbm": True},
    "kserve-mlserver": {"lightgbm": True, "mlflow": True, "sklearn": True, "xgboost": True},
    "kserve-openvino": {"huggingface": True, "onnx": True, "openvino": True, "tensorflow": True},
    "kserve-paddleserver": {"paddle": True},
    "kserve-pmmlserver": {"pmml": True},
    "kserve-predictiveserver": {"lightgbm": False, "sklearn": False, "xgboost": False},
    "kserve-sklearnserver": {"sklearn": True},
    "kserve-tensorflow-serving": {"tensorflow": True},
    "kserve-torchserve": {"pytorch": True},
    "kserve-tritonserver": {
        "onnx": True, "pytorch": False, "tensorflow": True, "tensorrt": True, "triton": True,
    },
    "kserve-vllmserver": {"vLLM": True},
    "kserve-xgbserver": {"xgboost": True},
}  # fmt: skip

GATEWAY_PLUGIN = "argoproj-labs/gatewayAPI"
# argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi v0.15.0 pkg/plugin/types.go
# (GatewayAPITrafficRouting): the keys its configuration may have.
GATEWAY_PLUGIN_KEYS = {
    "httpRoute", "grpcRoute", "tcpRoute", "tlsRoute", "namespace", "httpRoutes", "tcpRoutes",
    "grpcRoutes", "tlsRoutes", "httpRouteSelector", "grpcRouteSelector", "tcpRouteSelector",
    "tlsRouteSelector", "disableInProgressLabel", "inProgressLabelKey", "inProgressLabelValue",
}  # fmt: skip


def spec_of(doc: Doc) -> dict:
    return doc.data.get("spec") or {}


# ---------------------------------------------------------------- KServe


def runtimes(docs: list[Doc], namespace: str) -> dict[str, dict[str, tuple[bool, set]]]:
    """name -> {format: (autoSelect, versions)} for the runtimes a predictor in `namespace`
    may use: its namespace's ServingRuntimes, the chapter's and KServe's ClusterServingRuntimes."""
    found: dict[str, dict[str, tuple[bool, set]]] = {
        name: {f: (auto, set()) for f, auto in formats.items()}
        for name, formats in KSERVE_RUNTIMES.items()
    }
    for doc in docs:
        if doc.kind == "ClusterServingRuntime" or (
            doc.kind == "ServingRuntime" and doc.namespace == namespace
        ):
            formats: dict[str, tuple[bool, set]] = {}
            for fmt in spec_of(doc).get("supportedModelFormats") or []:
                auto, versions = formats.get(fmt.get("name"), (False, set()))
                if "version" in fmt:
                    versions = versions | {str(fmt["version"])}
                formats[fmt.get("name")] = (auto or bool(fmt.get("autoSelect")), versions)
            found[doc.name] = formats
    return found


def predictor_runtime_problems(doc: Doc, path: tuple, predictor: dict, known) -> Iterator[Problem]:
    model = predictor.get("model")
    if not model:
        return
    fmt = model.get("modelFormat") or {}
    name, version = fmt.get("name"), fmt.get("version")
    runtime = model.get("runtime")
    if runtime is not None:
        if runtime not in known:
            yield doc.problem(
                (*path, "model", "runtime"),
                f"no ServingRuntime {runtime!r} in namespace {doc.namespace}, nor a "
                "ClusterServingRuntime of that name",
            )
            return
        formats = known[runtime]
        if name not in formats:
            yield doc.problem(
                (*path, "model", "modelFormat", "name"),
                f"runtime {runtime!r} does not support model format {name!r} "
                f"(it supports {sorted(formats)})",
            )
        elif version is not None and formats[name][1] and str(version) not in formats[name][1]:
            yield doc.problem(
                (*path, "model", "modelFormat", "version"),
                f"runtime {runtime!r} supports {name} {sorted(formats[name][1])}, not {version}",
            )
        return
    if not any(formats.get(name, (False, set()))[0] for formats in known.values()):
        yield doc.problem(
            (*path, "model", "modelFormat", "name"),
            f"no runtime is auto-selected for model format {name!r}: name one in model.runtime",
        )


def inference_service_problems(docs: list[Doc]) -> Iterator[Problem]:
    for doc in (d for d in docs if d.kind == "InferenceService"):
        annotations = (doc.data.get("metadata") or {}).get("annotations") or {}
        spec = spec_of(doc)
        predictor = spec.get("predictor") or {}
        known = runtimes(docs, doc.namespace)
        yield from predictor_runtime_problems(doc, ("spec", "predictor"), predictor, known)
        for i, canary in enumerate(spec.get("canary") or []):
            path = ("spec", "canary", i, "predictor")
            yield from predictor_runtime_problems(doc, path, canary.get("predictor") or {}, known)
        mode_path = ("metadata", "annotations", MODE)
        mode = annotations.get(MODE)
        if mode is None:
            yield doc.problem(
                ("metadata", "annotations"),
                f"no {MODE}: the mode then comes from the cluster's inferenceservice-config "
                "ConfigMap; say Knative or Standard",
            )
            continue
        if mode in LEGACY_MODES:
            yield doc.problem(mode_path, f"{mode!r} is the old name: say {LEGACY_MODES[mode]!r}")
            mode = LEGACY_MODES[mode]
        elif mode not in MODES:
            yield doc.problem(mode_path, f"{mode!r} is not a mode (Knative or Standard)")
            continue
        if mode == "Knative" and spec.get("canary"):
            # the webhook: pkg/apis/serving/v1beta1/inference_service_validation.go
            yield doc.problem(
                ("spec", "canary"),
                "canary is only supported in Standard deployment mode (in Knative mode, set "
                "predictor.canaryTrafficPercent)",
            )
        if mode == "Standard":
            yield from standard_mode_problems(doc, annotations, spec, predictor)


def standard_mode_problems(doc: Doc, annotations, spec, predictor) -> Iterator[Problem]:
    if "canaryTrafficPercent" in predictor:
        # Only the Knative reconciler reads it (reconcilers/knative/ksvc_reconciler.go).
        yield doc.problem(
            ("spec", "predictor", "canaryTrafficPercent"),
            "Standard mode ignores canaryTrafficPercent (only Knative mode reads it): "
            "use spec.canary",
        )
    klass = annotations.get(AUTOSCALER_CLASS, "hpa")
    if predictor.get("minReplicas") == 0 and klass == "hpa":
        # reconcilers/hpa/hpa_reconciler.go: minReplicas < 1 becomes 1.
        yield doc.problem(
            ("spec", "predictor", "minReplicas"),
            "0, but Standard mode's HPA raises it to 1: scale-to-zero needs Knative mode or "
            f"{AUTOSCALER_CLASS}: keda",
        )
    stable_min = predictor.get("minReplicas", 1)
    names: set[str] = set()
    total = 0
    for i, canary in enumerate(spec.get("canary") or []):
        path = ("spec", "canary", i)
        body = canary.get("predictor") or {}
        name = body.get("name")
        if not name:
            yield doc.problem((*path, "predictor"), "a canary's predictor needs a name")
        elif name in names or name == predictor.get("name"):
            yield doc.problem((*path, "predictor", "name"), f"{name!r} is already used")
        names.add(name)
        total += canary.get("trafficPercent", 0)
        for key in ("maxReplicas", "scaleTarget", "scaleMetric", "autoScaling"):
            if key in body:
                yield doc.problem(
                    (*path, "predictor", key), "a canary runs fixed replicas: no autoscaling"
                )
        if body.get("minReplicas", 0) > stable_min:
            yield doc.problem(
                (*path, "predictor", "minReplicas"),
                f"{body['minReplicas']} > the stable predictor's minReplicas {stable_min}",
            )
    if total > 100:
        yield doc.problem(("spec", "canary"), f"canary trafficPercent values sum to {total} > 100")


# ---------------------------------------------------------------- Argo Rollouts


def analysis_refs(canary: dict) -> Iterator[tuple[tuple, dict]]:
    """(path, analysis block) of the background analysis and of each analysis step."""
    base = ("spec", "strategy", "canary")
    if canary.get("analysis"):
        yield (*base, "analysis"), canary["analysis"]
    for i, step in enumerate(canary.get("steps") or []):
        if "analysis" in step:
            yield (*base, "steps", i, "analysis"), step["analysis"]


def rollout_problems(docs: list[Doc]) -> Iterator[Problem]:
    objects = mc.index(docs)
    for doc in (d for d in docs if d.kind == "Rollout"):
        spec = spec_of(doc)
        canary = (spec.get("strategy") or {}).get("canary")
        if canary is None:
            continue
        base = ("spec", "strategy", "canary")
        services = {}
        for key in ("stableService", "canaryService"):
            name = canary.get(key)
            if name is not None and ("Service", doc.namespace, name) not in objects:
                yield doc.problem((*base, key), f"no Service {name!r} in namespace {doc.namespace}")
            services[key] = name
        plugins = (canary.get("trafficRouting") or {}).get("plugins") or {}
        if GATEWAY_PLUGIN in plugins:
            yield from gateway_plugin_problems(doc, plugins[GATEWAY_PLUGIN], services, objects)
            for i, step in enumerate(canary.get("steps") or []):
                if "setMirrorRoute" in step:
                    yield doc.problem(
                        (*base, "steps", i, "setMirrorRoute"),
                        f"the {GATEWAY_PLUGIN} plugin (v0.15.0) does nothing for setMirrorRoute: "
                        "mirror with an HTTPRoute RequestMirror filter",
                    )
        for path, analysis in analysis_refs(canary):
            yield from analysis_problems(doc, path, analysis, objects)
        steps = canary.get("steps") or []
        starting = (canary.get("analysis") or {}).get("startingStep")
        if starting is not None and starting > len(steps):
            yield doc.problem(
                (*base, "analysis", "startingStep"),
                f"{starting}, but the Rollout has {len(steps)} steps",
            )


def gateway_plugin_problems(doc: Doc, config, services, objects) -> Iterator[Problem]:
    path = ("spec", "strategy", "canary", "trafficRouting", "plugins", GATEWAY_PLUGIN)
    for key in config:
        if key not in GATEWAY_PLUGIN_KEYS:
            yield doc.problem(
                (*path, key), f"unknown field {key!r} for the {GATEWAY_PLUGIN} plugin"
            )
    namespace = config.get("namespace", doc.namespace)
    names = [(("httpRoute",), config["httpRoute"])] if "httpRoute" in config else []
    names += [(("httpRoutes", i, "name"), r.get("name")) for i, r in
              enumerate(config.get("httpRoutes") or [])]  # fmt: skip
    for steps, name in names:
        route = objects.get(("HTTPRoute", namespace, name))
        if route is None:
            yield doc.problem((*path, *steps), f"no HTTPRoute {name!r} in namespace {namespace}")
            continue
        wanted = {s for s in services.values() if s}
        if not any(
            wanted <= {b.get("name") for b in rule.get("backendRefs") or []}
            for rule in spec_of(route).get("rules") or []
        ):
            yield doc.problem(
                (*path, *steps),
                f"HTTPRoute {name!r} ({route.file}) has no rule that sends to both "
                f"{sorted(wanted)}: the plugin has no weights to set",
            )


def analysis_problems(doc: Doc, path: tuple, analysis: dict, objects) -> Iterator[Problem]:
    given = {arg.get("name") for arg in analysis.get("args") or []}
    for i, ref in enumerate(analysis.get("templates") or []):
        kind = "ClusterAnalysisTemplate" if ref.get("clusterScope") else "AnalysisTemplate"
        namespace = "default" if ref.get("clusterScope") else doc.namespace
        name = ref.get("templateName")
        template = objects.get((kind, namespace, name))
        if template is None:
            where = "the cluster" if ref.get("clusterScope") else f"namespace {doc.namespace}"
            yield doc.problem(
                (*path, "templates", i, "templateName"), f"no {kind} {name!r} in {where}"
            )
            continue
        for arg in spec_of(template).get("args") or []:
            needs = "value" not in arg and "valueFrom" not in arg
            if needs and arg.get("name") not in given:
                yield doc.problem(
                    (*path, "templates", i, "templateName"),
                    f"{kind} {name!r} ({template.file}) needs the argument {arg.get('name')!r}, "
                    f"which this analysis does not pass (it passes {sorted(given)})",
                )


def analysis_template_problems(docs: list[Doc]) -> Iterator[Problem]:
    for doc in (d for d in docs if d.kind in ("AnalysisTemplate", "ClusterAnalysisTemplate")):
        spec = spec_of(doc)
        declared = {arg.get("name") for arg in spec.get("args") or []}
        for i, metric in enumerate(spec.get("metrics") or []):
            path = ("spec", "metrics", i)
            if "failureCondition" not in metric and "successCondition" not in metric:
                yield doc.problem(
                    (*path, "name"),
                    f"metric {metric.get('name')!r} has no failureCondition or "
                    "successCondition: it can never fail the analysis",
                )
            for provider, body in (metric.get("provider") or {}).items():
                text = str(body)
                for used in sorted(set(re.findall(r"\{\{\s*args\.([\w-]+)\s*\}\}", text))):
                    if used not in declared:
                        yield doc.problem(
                            (*path, "provider", provider),
                            f"uses {{{{args.{used}}}}}, but spec.args declares {sorted(declared)}",
                        )


# ---------------------------------------------------------------- Gateway API, inference


def route_problems(docs: list[Doc]) -> Iterator[Problem]:
    objects = mc.index(docs)
    for doc in (d for d in docs if d.kind == "HTTPRoute"):
        for r, rule in enumerate(spec_of(doc).get("rules") or []):
            backends = rule.get("backendRefs") or []
            if len(backends) > 1:
                weights = [b.get("weight", 1) for b in backends]
                if sum(weights) != 100:
                    last = backends[-1]
                    share = 100 * weights[-1] / sum(weights) if sum(weights) else 0
                    yield doc.problem(
                        ("spec", "rules", r, "backendRefs"),
                        f"weights sum to {sum(weights)}, not 100: they are relative, so "
                        f"{last.get('name')!r} (weight {weights[-1]}) gets {share:.1f}% "
                        "of the requests",
                    )
            for f, filter_ in enumerate(rule.get("filters") or []):
                mirror = filter_.get("requestMirror")
                if mirror and "backendRef" in mirror:
                    path = ("spec", "rules", r, "filters", f, "requestMirror", "backendRef")
                    yield from mc.backend_problems(doc, path, mirror["backendRef"], objects)


def objective_problems(docs: list[Doc]) -> Iterator[Problem]:
    objects = mc.index(docs)
    for doc in (d for d in docs if d.kind == "InferenceObjective"):
        ref = spec_of(doc).get("poolRef") or {}
        kind = ref.get("kind", "InferencePool")
        if (kind, doc.namespace, ref.get("name")) not in objects:
            yield doc.problem(
                ("spec", "poolRef", "name"),
                f"no {kind} {ref.get('name')!r} in namespace {doc.namespace}",
            )


CHECKS = (
    inference_service_problems,
    rollout_problems,
    analysis_template_problems,
    route_problems,
    objective_problems,
)
