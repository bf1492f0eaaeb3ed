"""The Kubernetes pages' version-sensitive facts, read from the schemas the manifests are checked
against: the upstream OpenAPI definitions bundled in kubernetes-validate (the pinned 1.35 and
the newest, 1.37) and the CRD schemas vendored in tests/kubernetes/schemas/.

Each test backs a claim in docs/includes/claims/kubernetes.yml (tests/docs/test_claims.py keeps
them paired). A new Kubernetes, KEDA, VPA or Gateway API release that changes one of these
facts fails its test, and the page that states it must change with it.
"""

from __future__ import annotations

import json
import re

import yaml

from tests.kubernetes import manifest_checks as mc
from tests.kubernetes.test_serving import SOURCES as SERVING_SOURCES

PINNED, NEWEST = "1.35", "1.37"  # what the pages name; mc.VERSIONS must agree
WORKFLOW = mc.ROOT / ".github" / "workflows" / "kubernetes-dry-run.yml"


definitions = mc.schema_definitions


def served(version: str, group: str) -> dict[str, set[str]]:
    """kind -> the API versions of `group` that serve it, in the `version` schema."""
    kinds: dict[str, set[str]] = {}
    for name, definition in definitions(version).items():
        if name.startswith("io.k8s.apimachinery."):  # DeleteOptions, WatchEvent: every group
            continue
        for gvk in definition.get("x-kubernetes-group-version-kind") or []:
            if gvk["group"] == group and not gvk["kind"].endswith("List"):
                kinds.setdefault(gvk["kind"], set()).add(gvk["version"])
    return kinds


def description(version: str, definition: str, field: str | None = None) -> str:
    node = definitions(version)[definition]
    if field is not None:
        node = node["properties"][field]
    return node.get("description", "")


def vendored(name: str) -> dict:
    return json.loads((mc.SCHEMAS / name).read_text())


def test_the_versions_the_pages_name_are_the_checked_ones():
    assert mc.VERSIONS == (PINNED, NEWEST)


# ---------------------------------------------------------------- why.md: GPUs and gangs


def test_dra_kinds_are_served_as_v1():
    for version in (PINNED, NEWEST):
        kinds = served(version, "resource.k8s.io")
        for kind in ("DeviceClass", "ResourceClaim", "ResourceClaimTemplate", "ResourceSlice"):
            assert "v1" in kinds[kind], (version, kind, kinds.get(kind))


def test_dra_selects_devices_with_cel():
    for version in (PINNED, NEWEST):
        defs = definitions(version)
        assert "selectors" in defs["io.k8s.api.resource.v1.DeviceClassSpec"]["properties"]
        assert "selectors" in defs["io.k8s.api.resource.v1.ExactDeviceRequest"]["properties"]
        cel = description(version, "io.k8s.api.resource.v1.CELDeviceSelector", "expression")
        for word in ("CEL expression", "driver", "attributes", "capacity"):
            assert word in cel, (version, word)


def test_a_claim_is_shared_or_made_per_pod_from_a_template():
    for version in (PINNED, NEWEST):
        claim = "io.k8s.api.core.v1.PodResourceClaim"
        by_name = description(version, claim, "resourceClaimName")
        by_template = description(version, claim, "resourceClaimTemplateName")
        assert "ResourceClaim object in the same namespace" in by_name
        assert "create a new ResourceClaim, which will be bound to this pod" in by_template
        assert "When this pod is deleted, the ResourceClaim will also be deleted" in by_template
        reserved = description(version, "io.k8s.api.resource.v1.ResourceClaimStatus", "reservedFor")
        assert re.search(r"at most \d+ such reservations", reserved)  # several consumers


def test_the_pinned_workload_api_is_alpha():
    assert served(PINNED, "scheduling.k8s.io") == {
        "PriorityClass": {"v1"},
        "Workload": {"v1alpha1"},
    }
    defs = definitions(PINNED)
    assert "podGroups" in defs["io.k8s.api.scheduling.v1alpha1.WorkloadSpec"]["properties"]
    gang = defs["io.k8s.api.scheduling.v1alpha1.GangSchedulingPolicy"]
    assert gang["required"] == ["minCount"]
    assert "workloadRef" in defs["io.k8s.api.core.v1.PodSpec"]["properties"]


def test_the_newest_workload_api_is_beta_with_pod_groups():
    kinds = served(NEWEST, "scheduling.k8s.io")
    assert kinds["Workload"] == {"v1alpha3", "v1beta1"}
    assert kinds["PodGroup"] == {"v1alpha3", "v1beta1"}
    defs = definitions(NEWEST)
    for kind in ("Workload", "PodGroup"):
        text = defs[f"io.k8s.api.scheduling.v1beta1.{kind}"]["description"]
        assert "toggled by the GenericWorkload feature gate" in text, kind
    policy = defs["io.k8s.api.scheduling.v1beta1.PodGroupSchedulingPolicy"]["properties"]
    assert set(policy) == {"basic", "gang"}
    assert "minCount" in defs["io.k8s.api.scheduling.v1beta1.GangSchedulingPolicy"]["properties"]
    group = defs["io.k8s.api.core.v1.PodSpec"]["properties"]["schedulingGroup"]
    assert group["$ref"].endswith("io.k8s.api.core.v1.PodSchedulingGroup")
    assert "podGroupName" in defs["io.k8s.api.core.v1.PodSchedulingGroup"]["properties"]


# ---------------------------------------------------------------- autoscaling.md


def test_per_hpa_tolerance_exists_and_its_status():
    rules = "io.k8s.api.autoscaling.v2.HPAScalingRules"
    texts = {v: description(v, rules, "tolerance") for v in (PINNED, NEWEST)}
    for text in texts.values():
        assert "the default cluster-wide tolerance is applied (by default 10%)" in text
    assert "beta field and requires the HPAConfigurableTolerance feature gate" in texts[PINNED]
    assert "feature gate" not in texts[NEWEST]
    for version in (PINNED, NEWEST):
        behavior = definitions(version)["io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerBehavior"]
        assert {"scaleUp", "scaleDown"} <= set(behavior["properties"])


def test_scale_down_waits_300_seconds_by_default():
    for version in (PINNED, NEWEST):
        text = description(
            version, "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerBehavior", "scaleDown"
        )
        assert "with a 300 second stabilization window" in text


def test_in_place_resize_covers_cpu_and_memory():
    for version in (PINNED, NEWEST):
        defs = definitions(version)
        assert "resizePolicy" in defs["io.k8s.api.core.v1.Container"]["properties"]
        policy = "io.k8s.api.core.v1.ContainerResizePolicy"
        assert "Supported values: cpu, memory." in description(version, policy, "resourceName")
        assert "it defaults to NotRequired" in description(version, policy, "restartPolicy")
    assert sorted(mc.RESIZABLE) == ["cpu", "memory"]  # what the chapter's checks enforce


def test_vpa_update_modes():
    schema = vendored("autoscaling.k8s.io-v1-verticalpodautoscaler.json")
    assert "vertical-pod-autoscaler-1.7.1" in schema["$comment"]
    policy = schema["properties"]["spec"]["properties"]["updatePolicy"]["properties"]
    assert policy["updateMode"]["enum"] == [
        "Off",
        "Initial",
        "Recreate",
        "InPlaceOrRecreate",
        "InPlace",
        "Auto",
    ]


def test_custom_resource_schemas_come_from_these_releases():
    sources = {
        "keda.sh-v1alpha1-scaledobject.json": "kedacore/keda v2.20.2 ",
        "autoscaling.k8s.io-v1-verticalpodautoscaler.json": "vertical-pod-autoscaler-1.7.1 ",
        "gateway.networking.k8s.io-v1-gateway.json": "kubernetes-sigs/gateway-api v1.6.1 ",
        "gateway.networking.k8s.io-v1-gatewayclass.json": "kubernetes-sigs/gateway-api v1.6.1 ",
        "gateway.networking.k8s.io-v1-httproute.json": "kubernetes-sigs/gateway-api v1.6.1 ",
        "inference.networking.k8s.io-v1-inferencepool.json": (
            "kubernetes-sigs/gateway-api-inference-extension v1.6.0 "
        ),
        "nvidia.com-v1-clusterpolicy.json": "NVIDIA/gpu-operator v26.7.0 ",
        "karpenter.sh-v1-nodepool.json": "aws/karpenter-provider-aws v1.14.1 ",
        "karpenter.k8s.aws-v1-ec2nodeclass.json": "aws/karpenter-provider-aws v1.14.1 ",
        "autoscaling.x-k8s.io-v1-provisioningrequest.json": (
            "kubernetes/autoscaler cluster-autoscaler-1.36.1 "
        ),
        **{
            f"kueue.x-k8s.io-v1beta2-{kind}.json": "kubernetes-sigs/kueue v0.19.2 "
            for kind in ("resourceflavor", "clusterqueue", "localqueue", "workloadpriorityclass")
        },
        "jobset.x-k8s.io-v1alpha2-jobset.json": "kubernetes-sigs/jobset v0.12.0 ",
        "leaderworkerset.x-k8s.io-v1-leaderworkerset.json": "kubernetes-sigs/lws v0.10.0 ",
        **{
            f"trainer.kubeflow.org-v1alpha1-{kind}.json": "kubeflow/trainer v2.3.0 "
            for kind in ("clustertrainingruntime", "trainingruntime", "trainjob")
        },
        **SERVING_SOURCES,
    }
    assert set(sources) == set(mc.custom_schemas().values())
    for name, source in sources.items():
        assert source in vendored(name)["$comment"], name
    env = yaml.safe_load(WORKFLOW.read_text())["jobs"]["dry-run"]["env"]
    # The dry run installs the same releases of the CRDs the manifests are validated against.
    assert (env["KEDA_VERSION"], env["VPA_VERSION"]) == ("2.20.2", "1.7.1")
    assert (env["GATEWAY_API_VERSION"], env["INFERENCE_EXTENSION_VERSION"]) == ("1.6.1", "1.6.0")
    installs = {
        "GPU_OPERATOR_VERSION": "NVIDIA/gpu-operator v{}",
        "KARPENTER_VERSION": "aws/karpenter-provider-aws v{}",
        "CLUSTER_AUTOSCALER_VERSION": "kubernetes/autoscaler cluster-autoscaler-{}",
        "KUEUE_VERSION": "kubernetes-sigs/kueue v{}",
        "JOBSET_VERSION": "kubernetes-sigs/jobset v{}",
        "LWS_VERSION": "kubernetes-sigs/lws v{}",
        "TRAINER_VERSION": "kubeflow/trainer v{}",
        "KSERVE_VERSION": "kserve/kserve v{}",
        "ARGO_ROLLOUTS_VERSION": "argoproj/argo-rollouts v{}",
        "LLM_D_ROUTER_VERSION": "llm-d/llm-d-router v{}",
    }
    for variable, release in installs.items():
        assert release.format(env[variable]) + " " in sources.values(), variable


def test_the_dry_run_cluster_runs_the_pinned_version():
    workflow = WORKFLOW.read_text()
    assert re.search(r"node_image: kindest/node:v1\.35\.\d+@sha256:", workflow)
    assert mc.PINNED_VERSION == PINNED


# ---------------------------------------------------------------- multi-tenancy.md


def test_requests_default_to_limits():
    for version in (PINNED, NEWEST):
        text = description(version, "io.k8s.api.core.v1.ResourceRequirements", "requests")
        assert "If Requests is omitted for a container, it defaults to Limits" in text


# ---------------------------------------------------------------- networking.md


def test_service_type_defaults_to_cluster_ip():
    for version in (PINNED, NEWEST):
        text = description(version, "io.k8s.api.core.v1.ServiceSpec", "type")
        assert text.startswith("type determines how the Service is exposed. Defaults to ClusterIP.")


def test_ingress_is_still_served():
    for version in (PINNED, NEWEST):
        kinds = served(version, "networking.k8s.io")
        assert kinds["Ingress"] == {"v1"} and kinds["IngressClass"] == {"v1"}


def test_gateway_api_standard_channel_is_v1():
    for kind in ("gatewayclass", "gateway", "httproute"):
        crd = vendored(f"gateway.networking.k8s.io-v1-{kind}.json")["x-crd"]
        assert crd["release"] == {
            "gateway.networking.k8s.io/bundle-version": "v1.6.1",
            "gateway.networking.k8s.io/channel": "standard",
        }
        assert crd["versions"]["v1"] == {"served": True, "storage": True, "deprecated": False}
        assert crd["versions"]["v1beta1"]["served"] and not crd["versions"]["v1beta1"]["storage"]


def test_inference_pool_is_v1():
    crd = vendored("inference.networking.k8s.io-v1-inferencepool.json")["x-crd"]
    assert crd["release"] == {"inference.networking.k8s.io/bundle-version": "v1.6.0"}
    assert crd["versions"] == {"v1": {"served": True, "storage": True, "deprecated": False}}
