"""Every manifest of the chapter: yamllint, strict schemas for two Kubernetes versions (KEDA, VPA
and the Gateway API against our own schemas), cross-object checks, and the negative cases each
failing with `file:line: field: message`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.kubernetes import manifest_checks as mc
from tests.kubernetes.conftest import edit
from tests.support.outputs import PageOutput

ROOT = mc.ROOT
EXAMPLES = ROOT / "examples" / "kubernetes"
MANIFESTS = mc.manifest_files([EXAMPLES])
IDS = [str(p.relative_to(EXAMPLES)) for p in MANIFESTS]
PAGES = [
    *sorted((ROOT / "docs" / "kubernetes").glob("*.md")),
    *sorted((ROOT / "docs" / "training").glob("*.md")),
    *sorted((ROOT / "docs" / "serving").glob("*.md")),
    ROOT / "docs" / "cheat-sheet.md",
]
# The folders of the GPUs and training part and of the serving part; tests/kubernetes/
# test_gpus.py, test_batch.py and test_serving.py count their manifests.
TRAINING_FOLDERS = ("gpus", "gpu-nodes", "batch", "serving")


def test_the_chapter_has_its_manifests():
    # 14 from the draft, the PVC the first Pod mounts, the StorageClass the fast-ssd claim needs,
    # the team-a Namespace, and the three Deployments the autoscalers target; five for the
    # Gateway API (the Gateway, two routes, an InferencePool, and the canary's Services and
    # Deployment).
    chapter = [i for i in IDS if i.split("/")[0] not in TRAINING_FOLDERS]
    assert len(chapter) == 25, chapter


def test_yamllint_strict():
    yamllint = shutil.which("yamllint", path=str(Path(sys.executable).parent))
    assert yamllint, "yamllint is part of the kubernetes dependency group"
    targets = [str(EXAMPLES), str(ROOT / ".github" / "workflows" / "kubernetes-dry-run.yml")]
    config = str(ROOT / ".yamllint.yaml")
    result = subprocess.run(
        [yamllint, "--strict", "-f", "parsable", "-c", config, *targets],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("version", mc.VERSIONS)
@pytest.mark.parametrize("path", MANIFESTS, ids=IDS)
def test_schema_strict(path: Path, version: str):
    docs, problems = mc.load(path)
    assert not problems
    assert docs, f"{path} has no document"
    for doc in docs:
        problems += mc.schema_problems(doc, version)
    assert not problems, "\n".join(map(str, problems))


def test_validates_against_the_versions_the_page_names():
    assert mc.VERSIONS == ("1.35", "1.37")


def test_cross_object_checks():
    docs = [doc for path in MANIFESTS for doc in mc.load(path)[0]]
    problems = mc.cross_object_problems(docs)
    assert not problems, "\n".join(map(str, problems))


def test_every_manifest_and_script_is_shown_on_a_page():
    shown = "\n".join(page.read_text() for page in PAGES if page.exists())
    files = sorted(
        p for p in EXAMPLES.rglob("*") if p.is_file() and p.suffix in (".yaml", ".sh", ".py")
    )
    missing = [str(p.relative_to(ROOT)) for p in files if f'"{p.relative_to(ROOT)}' not in shown]
    assert not missing, f"not included by any page: {missing}"


def test_mongodb_statefulset_starts_a_replica_set():
    (service, statefulset) = yaml.safe_load_all(
        (EXAMPLES / "core-objects" / "statefulset-mongodb.yaml").read_text()
    )
    assert service["spec"]["clusterIP"] == "None"
    command = statefulset["spec"]["template"]["spec"]["containers"][0]["command"]
    assert command[:3] == ["mongod", "--replSet", "rs0"], command
    assert "--bind_ip_all" in command  # mongod listens on localhost only otherwise


# ---------------------------------------------------------------- negative cases

NEGATIVE = {
    "misspelled field": (
        "core-objects/pod-inference.yaml",
        "    image: myregistry/sentiment:1.0.0",
        "    imagePullPolicyy: Always\n    image: myregistry/sentiment:1.0.0",
        "examples/kubernetes/core-objects/pod-inference.yaml:13: spec.containers[0]"
        ".imagePullPolicyy: unknown field 'imagePullPolicyy' (Kubernetes 1.35)",
    ),
    "wrong type": (
        "core-objects/statefulset-mongodb.yaml",
        "  replicas: 3",
        '  replicas: "3"',
        "examples/kubernetes/core-objects/statefulset-mongodb.yaml:24: spec.replicas: "
        "'3' is not of type 'integer', 'null' (Kubernetes 1.35)",
    ),
    "missing required field": (
        "autoscaling/deployment-training-worker.yaml",
        "      - name: worker\n        image",
        "      - image",
        "examples/kubernetes/autoscaling/deployment-training-worker.yaml:17: "
        "spec.template.spec.containers[0].name: missing required field (Kubernetes 1.35)",
    ),
    "dangling configMapKeyRef key": (
        "core-objects/pod-config-consumer.yaml",
        "key: batch_size",
        "key: batch-size",
        "examples/kubernetes/core-objects/pod-config-consumer.yaml:25: "
        "spec.containers[0].env[2].valueFrom.configMapKeyRef.key: ConfigMap 'ml-config' "
        "(examples/kubernetes/core-objects/configmap.yaml) has no key 'batch-size'",
    ),
    "dangling claimName": (
        "storage/pod-with-pvc.yaml",
        "claimName: fast-data",
        "claimName: fast-dta",
        "examples/kubernetes/storage/pod-with-pvc.yaml:16: "
        "spec.volumes[0].persistentVolumeClaim.claimName: no PersistentVolumeClaim 'fast-dta'",
    ),
    "dangling secretKeyRef": (
        "core-objects/pod-config-consumer.yaml",
        "name: api-credentials",
        "name: api-credential",
        "examples/kubernetes/core-objects/pod-config-consumer.yaml:19: "
        "spec.containers[0].env[1].valueFrom.secretKeyRef.name: no Secret 'api-credential'",
    ),
    "HPA target that does not exist": (
        "autoscaling/hpa-cpu.yaml",
        "name: inference-server",
        "name: inference-svc",
        "examples/kubernetes/autoscaling/hpa-cpu.yaml:10: spec.scaleTargetRef.name: "
        "no Deployment 'inference-svc' in the chapter",
    ),
    "HPA on CPU with no CPU request": (
        "autoscaling/deployment-inference-server.yaml",
        '            memory: "512Mi"\n            cpu: "250m"',
        '            memory: "512Mi"',
        "examples/kubernetes/autoscaling/hpa-cpu.yaml:16: spec.metrics[0].resource.name: "
        "Deployment 'inference-server' container 'inference-engine'",
    ),
    "Service selecting no Pod": (
        "networking/service-loadbalancer.yaml",
        "  selector:\n    app: sentiment-model",
        "  selector:\n    app: sentiment",
        "examples/kubernetes/networking/service-loadbalancer.yaml:8: spec.selector: "
        "selects {'app': 'sentiment'}, but no Pod",
    ),
    "request above limit": (
        "core-objects/pod-inference.yaml",
        'cpu: "250m"',
        'cpu: "750m"',
        "examples/kubernetes/core-objects/pod-inference.yaml:19: "
        "spec.containers[0].resources.requests.cpu: request 750m > limit 500m",
    ),
    # A LimitRange binds its own namespace only: the Deployment moves into team-a's.
    "limit above the LimitRange max": (
        "autoscaling/deployment-gpu-inference.yaml",
        ('cpu: "4"', "  name: gpu-inference\nspec:"),
        ('cpu: "6"', "  name: gpu-inference\n  namespace: team-a\nspec:"),
        "examples/kubernetes/autoscaling/deployment-gpu-inference.yaml:27: "
        "spec.template.spec.containers[0].resources.limits.cpu: "
        "limit 6 > max 4 in namespace team-a",
    ),
    "the draft's :latest tag": (
        "core-objects/pod-init-container.yaml",
        "curlimages/curl:8.11.1",
        "curlimages/curl:latest",
        "examples/kubernetes/core-objects/pod-init-container.yaml:9: "
        "spec.initContainers[0].image: 'curlimages/curl:latest' floats",
    ),
    "the draft's KEDA metricName": (
        "autoscaling/keda-scaledobject.yaml",
        "      threshold: '5'",
        "      metricName: queue_depth\n      threshold: '5'",
        "examples/kubernetes/autoscaling/keda-scaledobject.yaml:24: "
        "spec.triggers[0].metadata.metricName: unknown field 'metricName'",
    ),
    "misspelled KEDA field": (
        "autoscaling/keda-scaledobject.yaml",
        "maxReplicaCount: 10",
        "maxReplicasCount: 10",
        "examples/kubernetes/autoscaling/keda-scaledobject.yaml:14: "
        "spec.maxReplicasCount: unknown field 'maxReplicasCount'",
    ),
    "KEDA min above max": (
        "autoscaling/keda-scaledobject.yaml",
        "minReplicaCount: 1 ",
        "minReplicaCount: 11 ",
        "examples/kubernetes/autoscaling/keda-scaledobject.yaml:13: spec.minReplicaCount: "
        "minReplicaCount 11 > maxReplicaCount 10",
    ),
    "the draft's VPA updateMode Auto": (
        "autoscaling/vpa.yaml",
        'updateMode: "InPlaceOrRecreate"',
        'updateMode: "Auto"',
        "examples/kubernetes/autoscaling/vpa.yaml:16: spec.updatePolicy.updateMode: "
        "'Auto' is deprecated since VPA 1.5",
    ),
    "VPA update mode that does not exist": (
        "autoscaling/vpa.yaml",
        'updateMode: "InPlaceOrRecreate"',
        'updateMode: "InPlaceOnly"',
        "examples/kubernetes/autoscaling/vpa.yaml:16: spec.updatePolicy.updateMode: "
        "'InPlaceOnly' is not one of",
    ),
    "resizePolicy for a resource in-place resize does not cover": (
        "autoscaling/deployment-training-worker.yaml",
        "      - resourceName: memory",
        "      - resourceName: memory\n          restartPolicy: RestartContainer\n"
        "        - resourceName: nvidia.com/gpu",
        "examples/kubernetes/autoscaling/deployment-training-worker.yaml:32: "
        "spec.template.spec.containers[0].resizePolicy[2].resourceName: "
        "'nvidia.com/gpu' cannot be resized in place",
    ),
    "HPA tolerance as a percentage string": (
        "autoscaling/hpa-cpu.yaml",
        "tolerance: 0.05",
        'tolerance: "5%"',
        "examples/kubernetes/autoscaling/hpa-cpu.yaml:24: spec.behavior.scaleUp.tolerance: "
        "'5%' is not a quantity >= 0",
    ),
    "HPA tolerance in the wrong place": (
        "autoscaling/hpa-cpu.yaml",
        "  behavior:\n",
        "  tolerance: 0.05\n  behavior:\n",
        "examples/kubernetes/autoscaling/hpa-cpu.yaml:20: spec.tolerance: "
        "unknown field 'tolerance' (Kubernetes 1.35)",
    ),
    "Pod naming a claim template that does not exist": (
        "gpus/job-training.yaml",
        "resourceClaimTemplateName: one-large-gpu",
        "resourceClaimTemplateName: one-gpu",
        "examples/kubernetes/gpus/job-training.yaml:16: "
        "spec.template.spec.resourceClaims[0].resourceClaimTemplateName: "
        "no ResourceClaimTemplate 'one-gpu' in namespace default",
    ),
    "container using a claim its Pod does not list": (
        "gpus/resourceclaim-shared.yaml",
        "          - name: gpu\n",
        "          - name: gpus\n",
        "examples/kubernetes/gpus/resourceclaim-shared.yaml:43: "
        "spec.template.spec.containers[0].resources.claims[0].name: "
        "the Pod has no resourceClaims entry 'gpus'",
    ),
    "claim template naming a DeviceClass that does not exist": (
        "gpus/resourceclaimtemplate.yaml",
        "deviceClassName: gpu-large",
        "deviceClassName: gpu-larg",
        "examples/kubernetes/gpus/resourceclaimtemplate.yaml:13: "
        "spec.spec.devices.requests[0].exactly.deviceClassName: no DeviceClass 'gpu-larg'",
    ),
    "device request in the beta shape": (
        "gpus/resourceclaim-shared.yaml",
        "      exactly:\n        deviceClassName: gpu-large",
        "      deviceClassName: gpu-large",
        "examples/kubernetes/gpus/resourceclaim-shared.yaml:12: "
        "spec.devices.requests[0].deviceClassName: unknown field 'deviceClassName' "
        "(Kubernetes 1.35)",
    ),
    "Gateway naming a class that does not exist": (
        "networking/gateway.yaml",
        "gatewayClassName: envoy",
        "gatewayClassName: envoy-gateway",
        "examples/kubernetes/networking/gateway.yaml:16: spec.gatewayClassName: "
        "no GatewayClass 'envoy-gateway' in the chapter",
    ),
    "route attached to a listener the Gateway lacks": (
        "networking/httproute-canary.yaml",
        "sectionName: http",
        "sectionName: https",
        "examples/kubernetes/networking/httproute-canary.yaml:10: spec.parentRefs[0].sectionName: "
        "Gateway 'ml-gateway' has no listener 'https'",
    ),
    "route backend on a port the Service does not have": (
        "networking/httproute-canary.yaml",
        "    - name: sentiment-v1  # services-by-version.yaml\n      port: 8080",
        "    - name: sentiment-v1  # services-by-version.yaml\n      port: 80",
        "examples/kubernetes/networking/httproute-canary.yaml:30: "
        "spec.rules[1].backendRefs[0].port: Service 'sentiment-v1'",
    ),
    "a field HTTPRoute does not have": (
        "networking/httproute-canary.yaml",
        "      weight: 90",
        "      weights: 90",
        "examples/kubernetes/networking/httproute-canary.yaml:31: "
        "spec.rules[1].backendRefs[0].weights: unknown field 'weights'",
    ),
    "InferencePool selecting no Pod": (
        "networking/inferencepool.yaml",
        "app: gpu-inference",
        "app: llm-inference",
        "examples/kubernetes/networking/inferencepool.yaml:11: spec.selector.matchLabels: "
        "selects {'app': 'llm-inference'}, but no Pod",
    ),
    "InferencePool on a port the Pods do not open": (
        "networking/inferencepool.yaml",
        "  - number: 8080",
        "  - number: 8000",
        "examples/kubernetes/networking/inferencepool.yaml:14: spec.targetPorts[0].number: "
        "no container of the selected Pods listens on 8000",
    ),
    "route to an InferencePool that does not exist": (
        "networking/inferencepool.yaml",
        "      name: llm-pool\n",
        "      name: llm-pools\n",
        "examples/kubernetes/networking/inferencepool.yaml:37: spec.rules[0].backendRefs[0].name: "
        "no InferencePool 'llm-pools' in namespace default",
    ),
    "VPA wrong type": (
        "autoscaling/vpa.yaml",
        "containerName: '*'",
        "containerName: 7",
        "examples/kubernetes/autoscaling/vpa.yaml:19: "
        "spec.resourcePolicy.containerPolicies[0].containerName: 7 is not of type 'string'",
    ),
    "custom resource without a schema": (
        "autoscaling/keda-scaledobject.yaml",
        "kind: ScaledObject",
        "kind: ScaledJob",
        "examples/kubernetes/autoscaling/keda-scaledobject.yaml:5: kind: no schema for "
        "ScaledJob keda.sh/v1alpha1 in Kubernetes 1.35",
    ),
}


@pytest.fixture
def chapter_copy(examples_copy) -> Path:
    return examples_copy(EXAMPLES)[0]


@pytest.mark.parametrize("case", NEGATIVE, ids=list(NEGATIVE))
def test_negative_case_names_file_line_and_field(case: str, chapter_copy: Path):
    relative, old, new, expected = NEGATIVE[case]
    edit(chapter_copy / relative, old, new)
    problems = [str(p) for p in mc.check([chapter_copy])]
    assert any(p.startswith(expected) for p in problems), "\n".join(problems)


def test_command_line_fails_with_the_message(tmp_path: Path):
    bad = tmp_path / "pod.yaml"
    bad.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containerz: []\n")
    result = subprocess.run(
        [sys.executable, "-m", "tests.kubernetes.manifest_checks", str(bad), "--version", "1.35"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 1
    assert (
        f"{bad}:6: spec.containerz: unknown field 'containerz' (Kubernetes 1.35)" in result.stdout
    )
    assert f"{bad}:5: spec.containers: missing required field (Kubernetes 1.35)" in result.stdout


def test_yaml_syntax_error_names_the_line(tmp_path: Path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [x\n")
    problems = mc.check([bad])
    assert problems and problems[0].line >= 4 and problems[0].field == "(yaml)", problems


# The edits whose check output a page shows: (the file, the edit, the output file).
@pytest.mark.parametrize(
    ("relative", "old", "new", "output"),
    [
        (
            "autoscaling/deployment-gpu-inference.yaml",
            ('cpu: "4"', "  name: gpu-inference\nspec:"),
            ('cpu: "6"', "  name: gpu-inference\n  namespace: team-a\nspec:"),
            "examples/kubernetes/multi-tenancy/limitrange.cpu-limit-6.out.txt",
        ),
        (
            "networking/service-loadbalancer.yaml",
            "  selector:\n    app: sentiment-model",
            "  selector:\n    app: sentiment",
            "examples/kubernetes/networking/service-loadbalancer.wrong-selector.out.txt",
        ),
    ],
    ids=["multi-tenancy.md", "networking.md"],
)
def test_messages_quoted_on_pages_are_real(
    relative, old, new, output, chapter_copy: Path, page_output: PageOutput
):
    edit(chapter_copy / relative, old, new)
    # What `python -m tests.kubernetes.manifest_checks examples/kubernetes` prints on stdout.
    problems = [str(p) for p in mc.check([chapter_copy])]
    assert problems, f"the edit of {relative} broke no check"
    page_output(output, "\n".join(problems))
