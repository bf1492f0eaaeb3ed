"""The GPU pages' manifests and calculator (docs/training/gpu-scheduling.md, gpu-autoscaling.md).

Strict schemas (Kubernetes 1.35 and 1.37; the GPU Operator, Karpenter and Cluster Autoscaler
CRDs of pinned releases; the device plugin's and mig-parted's config files), the cross-object
checks of gpu_checks.py with a negative case each, the cold-start calculator, and the facts
the pages claim (docs/includes/claims/training.yml).
"""

from __future__ import annotations

import json
import re
import runpy
import textwrap
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.kubernetes import gpu_checks as gc
from tests.kubernetes import manifest_checks as mc
from tests.kubernetes.conftest import edit
from tests.kubernetes.test_claims import definitions
from tests.support.examples import run_example
from tests.support.outputs import PageOutput

EXAMPLES = mc.ROOT / "examples" / "kubernetes"
FOLDERS = [EXAMPLES / "gpus", EXAMPLES / "gpu-nodes"]
CALCULATOR = EXAMPLES / "gpu-nodes" / "cold_start.py"


def test_the_gpu_folders_have_their_manifests():
    names: dict[str, list[str]] = {f.name: [] for f in FOLDERS}
    for path in mc.manifest_files(FOLDERS):
        names[path.parent.name].append(path.name)
    # Four DRA files from the Kubernetes chapter, then the GPU Operator's ClusterPolicy, the
    # device plugin's and mig-manager's ConfigMaps, four Nodes (one per pool) and the three
    # workloads that land on them.
    assert len(names["gpus"]) == 4 + 3 + 4 + 3, sorted(names["gpus"])
    # The EC2NodeClass, two NodePools, the ProvisioningRequest with its PodTemplate.
    assert len(names["gpu-nodes"]) == 4, sorted(names["gpu-nodes"])
    kinds = sorted(d.kind for p in mc.manifest_files(FOLDERS) for d in mc.load(p)[0])
    assert kinds.count("Node") == 4 and kinds.count("NodePool") == 2, kinds


def test_the_gpu_manifests_pass_every_check():
    problems = mc.check(FOLDERS)
    assert not problems, "\n".join(map(str, problems))


def test_every_custom_kind_has_its_vendored_schema():
    for (api_version, kind), name in gc.SCHEMAS.items():
        schema = json.loads((mc.SCHEMAS / name).read_text())
        assert schema["properties"]["apiVersion"]["const"] == api_version
        assert schema["properties"]["kind"]["const"] == kind
        assert schema["additionalProperties"] is False


# ---------------------------------------------------------------- the configs a ConfigMap carries


def embedded_configs(relative: str) -> dict[str, dict]:
    (config_map,) = yaml.safe_load_all((EXAMPLES / relative).read_text())
    return {key: yaml.safe_load(text) for key, text in config_map["data"].items()}


def schema(name: str) -> dict:
    return json.loads((mc.SCHEMAS / name).read_text())


def test_device_plugin_configs_validate_and_share_as_the_page_says():
    configs = embedded_configs("gpus/device-plugin-config.yaml")
    validator = jsonschema.Draft202012Validator(schema(gc.DEVICE_PLUGIN_SCHEMA))
    for key, config in configs.items():
        assert not list(validator.iter_errors(config)), key
    assert sorted(configs) == ["mps-4", "time-sliced-4", "whole"]
    assert gc.replicas_in(configs["whole"], gc.GPU) == (1, "none")
    assert gc.replicas_in(configs["time-sliced-4"], gc.GPU) == (4, "time-slicing")
    assert gc.replicas_in(configs["mps-4"], gc.GPU) == (4, "mps")


@pytest.mark.parametrize(
    ("config", "error"),
    [
        ({"version": "v1", "sharing": {"time-slicing": {}}}, "'time-slicing' was unexpected"),
        (
            {"sharing": {"timeSlicing": {"resources": [{"name": "gpu", "replicas": 1}]}}},
            "1 is less than the minimum of 2",
        ),
        ({"sharing": {"timeSlicing": {}}}, "'resources' is a required property"),
        ({"version": "v2"}, "'v1' was expected"),
        ({"flags": {"migStrategy": "all"}}, "'all' is not one of"),
    ],
    ids=["misspelled key", "one replica", "no resources", "unknown version", "mig strategy"],
)
def test_device_plugin_schema_rejects(config, error):
    validator = jsonschema.Draft202012Validator(schema(gc.DEVICE_PLUGIN_SCHEMA))
    messages = [e.message for e in validator.iter_errors(config)]
    assert any(error in m for m in messages), messages


def test_mig_layouts_validate_and_make_the_slices_the_node_advertises():
    (config,) = embedded_configs("gpus/mig-config.yaml").values()
    validator = jsonschema.Draft202012Validator(schema(gc.MIG_PARTED_SCHEMA))
    assert not list(validator.iter_errors(config))
    half = config["mig-configs"]["half-3g.40gb"]
    slices = sum(len(i["devices"]) * i.get("mig-devices", {}).get("3g.40gb", 0) for i in half)
    assert slices == 8
    bad = {"version": "v1", "mig-configs": {"x": [{"devices": "all", "mig-enabled": True}]}}
    assert any("'mig-devices' is a required property" in e.message
               for e in validator.iter_errors(bad))  # fmt: skip


def test_a_time_sliced_node_advertises_gpus_times_replicas():
    docs = [d for p in mc.manifest_files([EXAMPLES / "gpus"]) for d in mc.load(p)[0]]
    (node,) = [d for d in docs if d.kind == "Node" and d.name == "gpu-l4-shared-0"]
    labels = node.data["metadata"]["labels"]
    assert labels[gc.CONFIG_LABEL] == "time-sliced-4"
    assert gc.allocatable(node)[gc.GPU] == Fraction(4) == int(labels["nvidia.com/gpu.count"]) * 4


# ---------------------------------------------------------------- negative cases

NEGATIVE = {
    "GPU Pod without the pool's toleration": (
        "gpus/job-whole-gpus.yaml",
        "      - key: nvidia.com/gpu\n",
        "      - key: nvidia.com/gpus\n",
        "examples/kubernetes/gpus/job-whole-gpus.yaml:15: spec.template.spec.tolerations: "
        "does not tolerate the taint nvidia.com/gpu=present:NoSchedule of Node 'gpu-h100-0'",
    ),
    "nodeSelector that selects no Node": (
        "gpus/job-whole-gpus.yaml",
        "gpu-pool: training",
        "gpu-pool: train",
        "examples/kubernetes/gpus/job-whole-gpus.yaml:13: spec.template.spec.nodeSelector: "
        "asks for nvidia.com/gpu but selects no Node of the chapter",
    ),
    "more GPUs than the node has": (
        "gpus/job-whole-gpus.yaml",
        "nvidia.com/gpu: 8",
        "nvidia.com/gpu: 16",
        "examples/kubernetes/gpus/job-whole-gpus.yaml:28: "
        "spec.template.spec.containers[0].resources.limits.nvidia.com/gpu: asks for 16 "
        "nvidia.com/gpu per Pod but Node 'gpu-h100-0' (examples/kubernetes/gpus/"
        "node-training.yaml) has 8 allocatable",
    ),
    "more CPU than the node has": (
        "gpus/job-whole-gpus.yaml",
        'cpu: "180"',
        'cpu: "200"',
        "examples/kubernetes/gpus/job-whole-gpus.yaml:24: "
        "spec.template.spec.containers[0].resources.requests.cpu: asks for 200 cpu per Pod",
    ),
    "more replicas than time-sliced GPUs": (
        "gpus/deployment-shared-gpu.yaml",
        "replicas: 4",
        "replicas: 5",
        "examples/kubernetes/gpus/deployment-shared-gpu.yaml:9: spec.replicas: 5 Pods x 1 "
        "nvidia.com/gpu do not fit the 4 Pod(s)",
    ),
    "time-slicing config with fewer replicas than the node advertises": (
        "gpus/device-plugin-config.yaml",
        "          replicas: 4\n  # MPS",
        "          replicas: 2\n  # MPS",
        "examples/kubernetes/gpus/node-shared.yaml:31: status.allocatable.nvidia.com/gpu: 4, "
        "but config 'time-sliced-4' (examples/kubernetes/gpus/device-plugin-config.yaml) "
        "makes 1 GPU(s) x 2 replica(s) = 2",
    ),
    "misspelled sharing key in the device plugin's config": (
        "gpus/device-plugin-config.yaml",
        "      timeSlicing:",
        "      time-slicing:",
        "examples/kubernetes/gpus/device-plugin-config.yaml:22: data.time-sliced-4: "
        "sharing.time-slicing: unknown field 'time-slicing'",
    ),
    "one replica": (
        "gpus/device-plugin-config.yaml",
        "          replicas: 4\n  # MPS",
        "          replicas: 1\n  # MPS",
        "examples/kubernetes/gpus/device-plugin-config.yaml:25: data.time-sliced-4: "
        "sharing.timeSlicing.resources[0].replicas: 1 is less than the minimum of 2",
    ),
    "a config's MIG strategy against the ClusterPolicy's": (
        "gpus/device-plugin-config.yaml",
        "  whole: |\n    version: v1\n    flags:\n      migStrategy: mixed",
        "  whole: |\n    version: v1\n    flags:\n      migStrategy: single",
        "examples/kubernetes/gpus/device-plugin-config.yaml:14: data.whole: flags.migStrategy: "
        "'single', but the ClusterPolicy 'cluster-policy' says 'mixed'",
    ),
    "node label naming a config that does not exist": (
        "gpus/node-shared.yaml",
        "device-plugin.config: time-sliced-4",
        "device-plugin.config: time-sliced-8",
        "examples/kubernetes/gpus/node-shared.yaml:12: "
        "metadata.labels.nvidia.com/device-plugin.config: selects config 'time-sliced-8'",
    ),
    "ClusterPolicy naming a ConfigMap that does not exist": (
        "gpus/clusterpolicy.yaml",
        "name: device-plugin-config ",
        "name: device-plugin-configs ",
        "examples/kubernetes/gpus/clusterpolicy.yaml:25: spec.devicePlugin.config.name: "
        "no ConfigMap 'device-plugin-configs' in namespace gpu-operator",
    ),
    "operator Pods that cannot reach the tainted nodes": (
        "gpus/clusterpolicy.yaml",
        "    - key: nvidia.com/gpu\n",
        "    - key: nvidia.com/gpus\n",
        "examples/kubernetes/gpus/clusterpolicy.yaml:14: spec.daemonsets.tolerations: the "
        "operator's Pods do not tolerate the taint nvidia.com/gpu=present:NoSchedule",
    ),
    "misspelled ClusterPolicy field": (
        "gpus/clusterpolicy.yaml",
        "  migManager:",
        "  migManger:",
        "examples/kubernetes/gpus/clusterpolicy.yaml:37: spec.migManger: unknown field 'migManger'",
    ),
    "MIG strategy the operator does not know": (
        "gpus/clusterpolicy.yaml",
        "strategy: mixed",
        "strategy: mix",
        "examples/kubernetes/gpus/clusterpolicy.yaml:36: spec.mig.strategy: "
        "'mix' is not one of ['none', 'single', 'mixed']",
    ),
    "MIG layout that does not make the slices the node advertises": (
        "gpus/mig-config.yaml",
        "3g.40gb: 2",
        "3g.40gb: 1",
        "examples/kubernetes/gpus/node-mig.yaml:29: status.allocatable.nvidia.com/mig-3g.40gb: "
        "8, but layout 'half-3g.40gb'",
    ),
    "misspelled mig-parted key": (
        "gpus/mig-config.yaml",
        "        mig-devices:",
        "        mig-device:",
        "examples/kubernetes/gpus/mig-config.yaml:23: data.config.yaml: "
        "mig-configs.half-3g.40gb[1].mig-device: unknown field 'mig-device'",
    ),
    "node asking for a MIG layout that does not exist": (
        "gpus/node-mig.yaml",
        "mig.config: half-3g.40gb",
        "mig.config: all-3g.40gb",
        "examples/kubernetes/gpus/node-mig.yaml:11: metadata.labels.nvidia.com/mig.config: "
        "asks for MIG layout 'all-3g.40gb'",
    ),
    "NodePool naming a class that does not exist": (
        "gpu-nodes/nodepool-gpu-spot.yaml",
        "        name: gpu\n",
        "        name: gpus\n",
        "examples/kubernetes/gpu-nodes/nodepool-gpu-spot.yaml:17: "
        "spec.template.spec.nodeClassRef.name: no EC2NodeClass 'gpus'",
    ),
    "Karpenter requirement on a label that does not exist": (
        "gpu-nodes/nodepool-gpu-on-demand.yaml",
        "key: karpenter.k8s.aws/instance-gpu-count",
        "key: karpenter.k8s.aws/gpu-count",
        "examples/kubernetes/gpu-nodes/nodepool-gpu-on-demand.yaml:24: "
        "spec.template.spec.requirements[2].key: label domain 'karpenter.k8s.aws' is restricted",
    ),
    "the v1beta1 consolidation policy name": (
        "gpu-nodes/nodepool-gpu-spot.yaml",
        "consolidationPolicy: WhenEmptyOrUnderutilized",
        "consolidationPolicy: WhenUnderutilized",
        "examples/kubernetes/gpu-nodes/nodepool-gpu-spot.yaml:41: "
        "spec.disruption.consolidationPolicy: 'WhenUnderutilized' is not one of",
    ),
    "GPU NodePool without a GPU limit": (
        "gpu-nodes/nodepool-gpu-spot.yaml",
        'nvidia.com/gpu: "32"',
        'cpu: "1000"',
        "examples/kubernetes/gpu-nodes/nodepool-gpu-spot.yaml:37: spec.limits: "
        "a GPU NodePool without a limit on nvidia.com/gpu",
    ),
    "disruption budget as a sentence": (
        "gpu-nodes/nodepool-gpu-spot.yaml",
        'nodes: "20%"',
        'nodes: "20 percent"',
        "examples/kubernetes/gpu-nodes/nodepool-gpu-spot.yaml:44: "
        "spec.disruption.budgets[0].nodes: '20 percent' does not match",
    ),
    "misspelled EC2NodeClass field": (
        "gpu-nodes/ec2nodeclass-gpu.yaml",
        "instanceStorePolicy: RAID0",
        "instanceStorePolicies: RAID0",
        "examples/kubernetes/gpu-nodes/ec2nodeclass-gpu.yaml:22: spec.instanceStorePolicies: "
        "unknown field 'instanceStorePolicies'",
    ),
    "ProvisioningRequest naming a PodTemplate that does not exist": (
        "gpu-nodes/provisioningrequest.yaml",
        "name: finetune-worker  #",
        "name: finetune-workers  #",
        "examples/kubernetes/gpu-nodes/provisioningrequest.yaml:32: "
        "spec.podSets[0].podTemplateRef.name: no PodTemplate 'finetune-workers'",
    ),
    "ProvisioningRequest class Cluster Autoscaler does not know": (
        "gpu-nodes/provisioningrequest.yaml",
        "provisioningClassName: best-effort-atomic-scale-up",
        "provisioningClassName: atomic-scale-up",
        "examples/kubernetes/gpu-nodes/provisioningrequest.yaml:28: spec.provisioningClassName: "
        "'atomic-scale-up.autoscaling.x-k8s.io' is not a class Cluster Autoscaler knows",
    ),
}


@pytest.fixture
def gpu_copy(examples_copy) -> list[Path]:
    return examples_copy(*FOLDERS)


def edited(copies: list[Path], relative: str, old: str, new: str) -> list[str]:
    edit(copies[0].parent / relative, old, new)
    return [str(p) for p in mc.check(copies)]


@pytest.mark.parametrize("case", NEGATIVE, ids=list(NEGATIVE))
def test_negative_case_names_file_line_and_field(case: str, gpu_copy: list[Path]):
    relative, old, new, expected = NEGATIVE[case]
    problems = edited(gpu_copy, relative, old, new)
    assert any(p.startswith(expected) for p in problems), "\n".join(problems)


@pytest.mark.parametrize(
    ("relative", "old", "new", "output"),
    [
        (
            "gpus/job-whole-gpus.yaml",
            "      - key: nvidia.com/gpu\n",
            "      - key: nvidia.com/gpus\n",
            "examples/kubernetes/gpus/job-whole-gpus.wrong-toleration.out.txt",
        ),
        (
            "gpus/device-plugin-config.yaml",
            "      timeSlicing:",
            "      time-slicing:",
            "examples/kubernetes/gpus/device-plugin-config.misspelled.out.txt",
        ),
    ],
    ids=["toleration", "time-slicing key"],
)
def test_messages_quoted_on_the_page_are_real(
    relative, old, new, output, gpu_copy: list[Path], page_output: PageOutput
):
    problems = edited(gpu_copy, relative, old, new)
    assert problems, f"the edit of {relative} broke no check"
    # Wrapped at 80 columns for a phone: the message, word for word.
    wrapped = [textwrap.fill(p, 80, subsequent_indent="  ") for p in problems]
    page_output(output, "\n".join(wrapped))


# ---------------------------------------------------------------- the cold-start calculator


def test_cold_start_calculator(page_output: PageOutput):
    calc = runpy.run_path(str(CALCULATOR))  # the functions, without running __main__
    stages = calc["stages"]
    cold, baked, nvme, warm = calc["SCENARIOS"]
    assert stages(cold) == {"node": 120, "driver": 240, "image": 100.0, "weights": 280.0}
    # Each next start removes one cost and keeps the rest.
    assert stages(baked)["image"] == 0 and baked.weights_gb == cold.weights_gb
    assert stages(nvme)["weights"] == pytest.approx(140 / 3)
    assert stages(warm)["node"] == stages(warm)["driver"] == 0
    totals = [sum(stages(s).values()) for s in calc["SCENARIOS"]]
    assert totals == sorted(totals, reverse=True)
    printed = run_example(CALCULATOR).stdout
    shown = [float(t) for t in re.findall(r"total\s+(\d+) s", printed)]
    assert shown == [round(t) for t in totals]
    assert "image + weights: 51% of it" in printed  # (100 + 280) / 740
    assert "15.9x faster than the cold start" in printed  # 740 / 46.7
    assert all(len(line) <= 80 for line in printed.splitlines())
    page_output("examples/kubernetes/gpu-nodes/cold_start.out.txt", printed)


# ---------------------------------------------------------------- claims (training.yml)


def vendored(name: str) -> dict:
    return json.loads((mc.SCHEMAS / name).read_text())


def test_gpu_schemas_come_from_these_releases():
    sources = {
        "nvidia.com-v1-clusterpolicy.json": "NVIDIA/gpu-operator v26.7.0 ",
        "karpenter.sh-v1-nodepool.json": "aws/karpenter-provider-aws v1.14.1 ",
        "karpenter.k8s.aws-v1-ec2nodeclass.json": "aws/karpenter-provider-aws v1.14.1 ",
        "autoscaling.x-k8s.io-v1-provisioningrequest.json": (
            "kubernetes/autoscaler cluster-autoscaler-1.36.1 "
        ),
        gc.DEVICE_PLUGIN_SCHEMA: "NVIDIA/k8s-device-plugin v0.20.0 ",
        gc.MIG_PARTED_SCHEMA: "NVIDIA/mig-parted v0.15.0 ",
    }
    assert set(sources) - {gc.DEVICE_PLUGIN_SCHEMA, gc.MIG_PARTED_SCHEMA} == set(
        gc.SCHEMAS.values()
    )
    for name, source in sources.items():
        assert source in vendored(name)["$comment"], name


def test_gpu_operator_mig_strategies():
    spec = vendored("nvidia.com-v1-clusterpolicy.json")["properties"]["spec"]["properties"]
    assert spec["mig"]["properties"]["strategy"]["enum"] == ["none", "single", "mixed"]
    assert {"driver", "toolkit", "devicePlugin", "gfd", "dcgmExporter", "migManager",
            "validator"} <= set(spec)  # fmt: skip


def test_device_class_extended_resource_name_left_alpha_after_1_35():
    text = {
        v: definitions(v)["io.k8s.api.resource.v1.DeviceClassSpec"]["properties"][
            "extendedResourceName"
        ]["description"]
        for v in mc.VERSIONS
    }
    assert "can be used to satisfy a pod's extended resource requests" in text["1.35"]
    assert "This is an alpha field." in text["1.35"]
    assert "alpha" not in text["1.37"]


def test_karpenter_nodepool_and_ec2nodeclass_are_v1():
    for name in ("karpenter.sh-v1-nodepool.json", "karpenter.k8s.aws-v1-ec2nodeclass.json"):
        assert vendored(name)["x-crd"]["versions"] == {
            "v1": {"served": True, "storage": True, "deprecated": False}
        }


def test_karpenter_consolidation_policies_and_budget_reasons():
    disruption = vendored("karpenter.sh-v1-nodepool.json")["properties"]["spec"]["properties"][
        "disruption"
    ]
    policy = disruption["properties"]["consolidationPolicy"]["enum"]
    assert policy == ["WhenEmpty", "WhenEmptyOrUnderutilized", "Balanced"]
    assert disruption["required"] == ["consolidateAfter"]
    budget = disruption["properties"]["budgets"]["items"]["properties"]
    assert budget["reasons"]["items"]["enum"] == ["Underutilized", "Empty", "Drifted"]


def test_provisioning_request_is_v1_and_v1beta1_deprecated():
    versions = vendored("autoscaling.x-k8s.io-v1-provisioningrequest.json")["x-crd"]["versions"]
    assert versions["v1"] == {"served": True, "storage": True, "deprecated": False}
    assert versions["v1beta1"]["deprecated"] is True
