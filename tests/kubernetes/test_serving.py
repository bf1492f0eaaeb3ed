"""Manifests of docs/serving/kubernetes.md and rollouts.md (examples/kubernetes/serving/).

Strict schemas (Kubernetes 1.35 and 1.37; KServe, Argo Rollouts, the Gateway API and its
inference extension, llm-d's InferenceObjective, each at a pinned release), the cross-object
checks of serving_checks.py with negative cases that name file, line and field, and the facts
the page claims (docs/includes/claims/serving.yml), read from the vendored schemas.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import yaml

from tests.kubernetes import manifest_checks as mc
from tests.kubernetes import serving_checks as sc
from tests.kubernetes.conftest import edit
from tests.support.outputs import PageOutput

EXAMPLES = mc.ROOT / "examples" / "kubernetes"
FOLDER = EXAMPLES / "serving"
# The folder's Gateway runs on the platform's GatewayClass, defined in networking/.
FOLDERS = [FOLDER, EXAMPLES / "networking"]
WORKFLOW = mc.ROOT / ".github" / "workflows" / "kubernetes-dry-run.yml"


def kinds() -> list[str]:
    return sorted(d.kind for p in mc.manifest_files([FOLDER]) for d in mc.load(p)[0])


def test_the_serving_folder_has_its_manifests():
    found = kinds()
    # KServe: two runtimes, two InferenceServices. Rollouts: the Rollout, its analysis, its
    # three Services, its route, the shadow Deployment. Inference extension: the vLLM
    # Deployment, its pool, route and two objectives. Plus the Namespace and the Gateway.
    assert found.count("ServingRuntime") == 2 and found.count("InferenceService") == 2, found
    assert found.count("Rollout") == 1 and found.count("AnalysisTemplate") == 1, found
    assert found.count("InferenceObjective") == 2 and found.count("InferencePool") == 1, found
    assert found.count("HTTPRoute") == 2 and found.count("Service") == 3, found
    assert len(found) == 18, found
    assert len(mc.manifest_files([FOLDER])) == 12


def test_the_serving_manifests_pass_every_check():
    problems = serving(mc.check(FOLDERS))
    assert not problems, "\n".join(problems)


def test_the_rollout_joins_the_pod_checks():
    """A Rollout's template gets the chapter's Pod checks: a floating image is caught."""
    (rollout,) = [d for d in mc.load(FOLDER / "rollout-ranker.yaml")[0]]
    assert [path for path, _ in mc.containers(rollout)] == [
        ("spec", "template", "spec", "containers", 0)
    ]
    rollout.data["spec"]["template"]["spec"]["containers"][0]["image"] = "ranker:latest"
    assert any("floats" in p.message for p in mc.image_problems([rollout]))


def test_every_custom_kind_has_its_vendored_schema():
    for (api_version, kind), name in sc.SCHEMAS.items():
        schema = vendored(name)
        assert schema["properties"]["apiVersion"]["const"] == api_version
        assert schema["properties"]["kind"]["const"] == kind
        assert schema["additionalProperties"] is False


# ---------------------------------------------------------------- negative cases

NEGATIVE = {
    "misspelled InferenceService field": (
        "inferenceservice-tickets.yaml",
        "canaryTrafficPercent: 10",
        "canaryTrafficPercentage: 10",
        "examples/kubernetes/serving/inferenceservice-tickets.yaml:17: "
        "spec.predictor.canaryTrafficPercentage: unknown field 'canaryTrafficPercentage'",
    ),
    "scale to zero in Standard mode": (
        "inferenceservice-assistant.yaml",
        "minReplicas: 2  #",
        "minReplicas: 0  #",
        "examples/kubernetes/serving/inferenceservice-assistant.yaml:14: "
        "spec.predictor.minReplicas: 0, but Standard mode's HPA raises it to 1",
    ),
    "canaryTrafficPercent in Standard mode": (
        "inferenceservice-assistant.yaml",
        "    name: base\n",
        "    name: base\n    canaryTrafficPercent: 10\n",
        "examples/kubernetes/serving/inferenceservice-assistant.yaml:14: "
        "spec.predictor.canaryTrafficPercent: Standard mode ignores canaryTrafficPercent",
    ),
    "spec.canary in Knative mode": (
        "inferenceservice-assistant.yaml",
        "deploymentMode: Standard",
        "deploymentMode: Knative",
        "examples/kubernetes/serving/inferenceservice-assistant.yaml:25: spec.canary: "
        "canary is only supported in Standard deployment mode",
    ),
    "the old name of a mode": (
        "inferenceservice-tickets.yaml",
        "deploymentMode: Knative",
        "deploymentMode: Serverless",
        "examples/kubernetes/serving/inferenceservice-tickets.yaml:10: "
        "metadata.annotations.serving.kserve.io/deploymentMode: 'Serverless' is the old name",
    ),
    "canary above 100%": (
        "inferenceservice-assistant.yaml",
        "trafficPercent: 10",
        "trafficPercent: 110",
        "examples/kubernetes/serving/inferenceservice-assistant.yaml:26: "
        "spec.canary[0].trafficPercent: 110 is greater than the maximum of 100",
    ),
    "runtime that does not serve the format": (
        "inferenceservice-tickets.yaml",
        "name: onnx",
        "name: tensorflow",
        "examples/kubernetes/serving/inferenceservice-tickets.yaml:20: "
        "spec.predictor.model.modelFormat.name: runtime 'triton' does not support model "
        "format 'tensorflow'",
    ),
    "runtime that does not exist": (
        "inferenceservice-tickets.yaml",
        "runtime: triton",
        "runtime: triton-server",
        "examples/kubernetes/serving/inferenceservice-tickets.yaml:21: "
        "spec.predictor.model.runtime: no ServingRuntime 'triton-server' in namespace models",
    ),
    "split weights that do not sum to 100": (
        "httproute-ranker.yaml",
        "weight: 0",
        "weight: 20",
        "examples/kubernetes/serving/httproute-ranker.yaml:18: spec.rules[0].backendRefs: "
        "weights sum to 120, not 100: they are relative, so 'ranker-canary' (weight 20) gets "
        "16.7% of the requests",
    ),
    "backendRef to a Service not in the folder": (
        "httproute-ranker.yaml",
        "- name: ranker-canary",
        "- name: ranker-canry",
        "examples/kubernetes/serving/httproute-ranker.yaml:22: spec.rules[0].backendRefs[1].name: "
        "no Service 'ranker-canry' in namespace models",
    ),
    "mirror to a Service not in the folder": (
        "httproute-ranker.yaml",
        "name: ranker-shadow",
        "name: ranker-shadows",
        "examples/kubernetes/serving/httproute-ranker.yaml:29: "
        "spec.rules[0].filters[0].requestMirror.backendRef.name: no Service 'ranker-shadows'",
    ),
    "mirror percentage over 100": (
        "httproute-ranker.yaml",
        "percent: 20",
        "percent: 120",
        "examples/kubernetes/serving/httproute-ranker.yaml:31: "
        "spec.rules[0].filters[0].requestMirror.percent: 120 is greater than the maximum",
    ),
    "AnalysisTemplate referenced but missing": (
        "analysistemplate-error-rate.yaml",
        "  name: error-rate\n  namespace",
        "  name: errors\n  namespace",
        "examples/kubernetes/serving/rollout-ranker.yaml:43: "
        "spec.strategy.canary.analysis.templates[0].templateName: no AnalysisTemplate "
        "'error-rate' in namespace models",
    ),
    "a Rollout step that names an unknown analysis": (
        "rollout-ranker.yaml",
        "      - setWeight: 60\n",
        "      - setWeight: 60\n      - analysis:\n          templates:\n"
        "          - templateName: latency\n",
        "examples/kubernetes/serving/rollout-ranker.yaml:56: "
        "spec.strategy.canary.steps[5].analysis.templates[0].templateName: no AnalysisTemplate "
        "'latency' in namespace models",
    ),
    "an argument the analysis needs and does not get": (
        "rollout-ranker.yaml",
        "        - name: service\n          value: ranker-canary\n",
        "        - name: svc\n          value: ranker-canary\n",
        "examples/kubernetes/serving/rollout-ranker.yaml:43: "
        "spec.strategy.canary.analysis.templates[0].templateName: AnalysisTemplate 'error-rate' "
        "(examples/kubernetes/serving/analysistemplate-error-rate.yaml) needs the argument "
        "'service'",
    ),
    "a metric that cannot fail": (
        "analysistemplate-error-rate.yaml",
        "    failureCondition: result[0] > 0.01\n",
        "",
        "examples/kubernetes/serving/analysistemplate-error-rate.yaml:12: spec.metrics[0].name: "
        "metric 'error-rate' has no failureCondition or successCondition",
    ),
    "misspelled Prometheus field": (
        "analysistemplate-error-rate.yaml",
        "        query: |",
        "        queries: |",
        "examples/kubernetes/serving/analysistemplate-error-rate.yaml:19: "
        "spec.metrics[0].provider.prometheus.queries: unknown field 'queries'",
    ),
    "misspelled Rollout field": (
        "rollout-ranker.yaml",
        "canaryService: ranker-canary",
        "canaryServce: ranker-canary",
        "examples/kubernetes/serving/rollout-ranker.yaml:35: "
        "spec.strategy.canary.canaryServce: unknown field 'canaryServce'",
    ),
    "Rollout whose selector misses its template": (
        "rollout-ranker.yaml",
        "    matchLabels:\n      app: ranker\n",
        "    matchLabels:\n      app: ranker-v2\n",
        "examples/kubernetes/serving/rollout-ranker.yaml:13: spec.selector.matchLabels: "
        "{'app': 'ranker-v2'} does not match the template's labels",
    ),
    "Rollout whose canary Service does not exist": (
        "rollout-ranker.yaml",
        "canaryService: ranker-canary",
        "canaryService: ranker-new",
        "examples/kubernetes/serving/rollout-ranker.yaml:35: "
        "spec.strategy.canary.canaryService: no Service 'ranker-new' in namespace models",
    ),
    "route that does not send to the canary Service": (
        "httproute-ranker.yaml",
        "    - name: ranker-canary\n      port: 8080\n      weight: 0\n",
        "",
        "examples/kubernetes/serving/rollout-ranker.yaml:39: "
        "spec.strategy.canary.trafficRouting.plugins.argoproj-labs/gatewayAPI.httpRoute: "
        "HTTPRoute 'ranker'",
    ),
    "setMirrorRoute with the Gateway API plugin": (
        "rollout-ranker.yaml",
        "      steps:\n",
        "      steps:\n      - setMirrorRoute:\n          name: shadow\n          percentage: 20\n",
        "examples/kubernetes/serving/rollout-ranker.yaml:49: "
        "spec.strategy.canary.steps[0].setMirrorRoute: the argoproj-labs/gatewayAPI plugin "
        "(v0.15.0) does nothing for setMirrorRoute",
    ),
    "InferenceObjective for a pool that does not exist": (
        "inferencepool-chat.yaml",
        "  priority: 10\n  poolRef:\n    name: chat",
        "  priority: 10\n  poolRef:\n    name: chat-pool",
        "examples/kubernetes/serving/inferencepool-chat.yaml:51: spec.poolRef.name: "
        "no InferencePool 'chat-pool' in namespace models",
    ),
    "InferencePool port no replica listens on": (
        "inferencepool-chat.yaml",
        "  - number: 8000",
        "  - number: 8080",
        "examples/kubernetes/serving/inferencepool-chat.yaml:16: spec.targetPorts[0].number: "
        "no container of the selected Pods listens on 8080",
    ),
}


@pytest.fixture
def serving_copy(examples_copy) -> list[Path]:
    return examples_copy(*FOLDERS)


def edited(copies: list[Path], relative: str, old: str, new: str) -> list[str]:
    edit(copies[0] / relative, old, new)
    # The custom kinds' schemas do not depend on the Kubernetes version: check one.
    return serving(mc.check(copies, (mc.PINNED_VERSION,)))


def serving(problems: list[mc.Problem]) -> list[str]:
    """This folder's problems (networking/'s Services select Pods of folders not copied)."""
    return [str(p) for p in problems if p.file.startswith("examples/kubernetes/serving/")]


@pytest.mark.parametrize("case", NEGATIVE, ids=list(NEGATIVE))
def test_negative_case_names_file_line_and_field(case: str, serving_copy: list[Path]):
    relative, old, new, expected = NEGATIVE[case]
    problems = edited(serving_copy, relative, old, new)
    assert any(p.startswith(expected) for p in problems), "\n".join(problems)


QUOTED = {
    "analysis": (
        "AnalysisTemplate referenced but missing",
        "examples/kubernetes/serving/rollout-ranker.missing-analysis.out.txt",
    ),
    "weights": (
        "split weights that do not sum to 100",
        "examples/kubernetes/serving/httproute-ranker.weights.out.txt",
    ),
    "zero": (
        "scale to zero in Standard mode",
        "examples/kubernetes/serving/inferenceservice-assistant.min-replicas-0.out.txt",
    ),
}


@pytest.mark.parametrize("key", QUOTED)
def test_messages_quoted_on_the_page_are_real(key, serving_copy, page_output: PageOutput):
    case, output = QUOTED[key]
    relative, old, new, _ = NEGATIVE[case]
    problems = edited(serving_copy, relative, old, new)
    assert problems, f"the edit of {relative} broke no check"
    # Wrapped at 80 columns for a phone: the message, word for word.
    wrapped = [
        textwrap.fill(p, 80, subsequent_indent="  ", break_on_hyphens=False) for p in problems
    ]
    page_output(output, "\n".join(wrapped))


# ---------------------------------------------------------------- claims (serving.yml)


def vendored(name: str) -> dict:
    return json.loads((mc.SCHEMAS / name).read_text())


SOURCES = {
    "serving.kserve.io-v1beta1-inferenceservice.json": "kserve/kserve v0.20.0 ",
    "serving.kserve.io-v1alpha1-servingruntime.json": "kserve/kserve v0.20.0 ",
    "argoproj.io-v1alpha1-rollout.json": "argoproj/argo-rollouts v1.9.1 ",
    "argoproj.io-v1alpha1-analysistemplate.json": "argoproj/argo-rollouts v1.9.1 ",
    "llm-d.ai-v1alpha2-inferenceobjective.json": "llm-d/llm-d-router v0.10.0 ",
}


def test_serving_schemas_come_from_these_releases():
    assert set(SOURCES) == set(sc.SCHEMAS.values())
    for name, source in SOURCES.items():
        assert vendored(name)["$comment"].startswith(f"from {source}"), name
    # The dry run installs the same releases of the CRDs the manifests are validated against.
    env = yaml.safe_load(WORKFLOW.read_text())["jobs"]["dry-run"]["env"]
    installs = {
        "KSERVE_VERSION": "kserve/kserve v{} ",
        "ARGO_ROLLOUTS_VERSION": "argoproj/argo-rollouts v{} ",
        "LLM_D_ROUTER_VERSION": "llm-d/llm-d-router v{} ",
    }
    for variable, release in installs.items():
        assert release.format(env[variable]) in SOURCES.values(), variable
    workflow = WORKFLOW.read_text()
    assert "kubectl apply -f examples/kubernetes/serving/namespace.yaml" in workflow


def only_version(name: str) -> dict[str, dict]:
    return vendored(name)["x-crd"]["versions"]


def test_kserve_inference_service_is_v1beta1_and_runtimes_v1alpha1():
    assert only_version("serving.kserve.io-v1beta1-inferenceservice.json") == {
        "v1beta1": {"served": True, "storage": True, "deprecated": False}
    }
    assert only_version("serving.kserve.io-v1alpha1-servingruntime.json") == {
        "v1alpha1": {"served": True, "storage": True, "deprecated": False}
    }


def test_kserve_has_both_canary_fields():
    spec = vendored("serving.kserve.io-v1beta1-inferenceservice.json")["properties"]["spec"]
    predictor = spec["properties"]["predictor"]["properties"]
    assert predictor["canaryTrafficPercent"]["type"] == "integer"
    assert predictor["minReplicas"]["type"] == "integer"
    canary = spec["properties"]["canary"]["items"]
    assert canary["required"] == ["predictor", "trafficPercent"]
    assert (canary["properties"]["trafficPercent"]["minimum"],
            canary["properties"]["trafficPercent"]["maximum"]) == (0, 100)  # fmt: skip
    # and the modes the checks know are the controller's
    assert {"Knative", "Standard"} == sc.MODES
    assert sc.LEGACY_MODES == {"Serverless": "Knative", "RawDeployment": "Standard"}


def test_rollouts_are_v1alpha1_with_mirror_steps_and_failure_limits():
    for name in ("argoproj.io-v1alpha1-rollout.json", "argoproj.io-v1alpha1-analysistemplate.json"):
        assert only_version(name) == {
            "v1alpha1": {"served": True, "storage": True, "deprecated": False}
        }
    canary = vendored("argoproj.io-v1alpha1-rollout.json")["properties"]["spec"]["properties"][
        "strategy"
    ]["properties"]["canary"]["properties"]
    steps = canary["steps"]["items"]["properties"]
    assert {"setWeight", "pause", "analysis", "setMirrorRoute", "setHeaderRoute"} <= set(steps)
    assert canary["trafficRouting"]["properties"]["plugins"] == {"type": "object"}
    metric = vendored("argoproj.io-v1alpha1-analysistemplate.json")["properties"]["spec"][
        "properties"
    ]["metrics"]["items"]["properties"]
    assert {"failureCondition", "failureLimit", "successCondition", "interval"} <= set(metric)
    assert "prometheus" in metric["provider"]["properties"]


def test_httproute_mirror_takes_a_percentage_in_the_standard_channel():
    schema = vendored("gateway.networking.k8s.io-v1-httproute.json")
    assert schema["x-crd"]["release"]["gateway.networking.k8s.io/channel"] == "standard"
    rule = schema["properties"]["spec"]["properties"]["rules"]["items"]["properties"]
    mirror = rule["filters"]["items"]["properties"]["requestMirror"]
    assert {"backendRef", "percent", "fraction"} == set(mirror["properties"])
    assert (mirror["properties"]["percent"]["minimum"],
            mirror["properties"]["percent"]["maximum"]) == (0, 100)  # fmt: skip
    assert "RequestMirror" in rule["filters"]["items"]["properties"]["type"]["enum"]


def test_inference_pool_is_v1_and_objective_is_llm_d_v1alpha2():
    pool = vendored("inference.networking.k8s.io-v1-inferencepool.json")
    assert pool["properties"]["apiVersion"]["const"] == "inference.networking.k8s.io/v1"
    assert pool["x-crd"]["release"] == {"inference.networking.k8s.io/bundle-version": "v1.6.0"}
    objective = vendored("llm-d.ai-v1alpha2-inferenceobjective.json")
    assert objective["properties"]["apiVersion"]["const"] == "llm-d.ai/v1alpha2"
    assert objective["x-crd"]["versions"] == {
        "v1alpha2": {"served": True, "storage": True, "deprecated": False}
    }
    spec = objective["properties"]["spec"]
    assert spec["required"] == ["poolRef"] and set(spec["properties"]) == {"poolRef", "priority"}
