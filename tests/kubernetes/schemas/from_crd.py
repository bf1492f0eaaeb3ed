"""Turn a CRD's openAPIV3Schema into the strict JSON schema the manifest checks use.

Run it again when you bump KEDA, VPA, the Gateway API or its inference extension (the CRD
files are in their release assets / repos; README.md beside this file lists each source):

    python tests/kubernetes/schemas/from_crd.py keda.sh_scaledobjects.yaml v1alpha1 \
        "kedacore/keda v2.20.2 config/crd/bases/keda.sh_scaledobjects.yaml" \
        > tests/kubernetes/schemas/keda.sh-v1alpha1-scaledobject.json

What changes on the way, and why:
- every object with `properties` gets `additionalProperties: false` (unless the CRD says
  `x-kubernetes-preserve-unknown-fields`), so a misspelled field is an error, as in
  `kubectl apply --validate=strict`;
- `x-kubernetes-int-or-string` becomes `anyOf: [integer, string]`, `nullable` a null type;
- descriptions and `status` are dropped (a manifest never sets status);
- CEL rules (`x-kubernetes-validations`) cannot run in JSON schema: manifest_checks.py checks
  the one the chapter needs (minReplicaCount <= maxReplicaCount) itself;
- `metadata` gets the ObjectMeta fields a manifest may set, strictly;
- known scaler parameters are added for the trigger types the chapter uses (EXTRA below),
  because the CRD types trigger metadata as a free map of strings;
- `x-crd` keeps what the CRD says about its versions (served, storage, deprecated) and its
  release annotations (bundle version, channel), so a test can read an API's status from it.
  JSON schema ignores the key. (The KEDA and VPA files predate it.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

OBJECT_META = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string"},
        "generateName": {"type": "string"},
        "namespace": {"type": "string"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
        "finalizers": {"type": "array", "items": {"type": "string"}},
    },
}

# KEDA 2.20's Prometheus scaler parameters (pkg/scalers/prometheus_scaler.go, prometheusMetadata).
PROMETHEUS_PARAMETERS = [
    "serverAddress", "query", "queryParameters", "threshold", "activationThreshold",
    "namespace", "customHeaders", "ignoreNullValues", "unsafeSsl", "awsRegion", "timeout",
    "identityOwner",
]  # fmt: skip
EXTRA = {
    "ScaledObject": {
        "trigger_rules": [
            {
                "if": {"properties": {"type": {"const": "prometheus"}}, "required": ["type"]},
                "then": {
                    "properties": {
                        "metadata": {
                            "required": ["serverAddress", "query", "threshold"],
                            "properties": {
                                name: {"type": "string"} for name in PROMETHEUS_PARAMETERS
                            },
                            "additionalProperties": False,
                        }
                    }
                },
            }
        ]
    }
}

DROP = {"description", "x-kubernetes-validations", "x-kubernetes-list-type",
        "x-kubernetes-list-map-keys", "x-kubernetes-map-type", "default"}  # fmt: skip


def strict(node: dict) -> dict:
    out: dict = {}
    for key, value in node.items():
        if key in DROP:
            continue
        if key == "properties":
            out[key] = {name: strict(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = strict(value)
        elif key in ("anyOf", "allOf", "oneOf"):
            out[key] = [strict(sub) for sub in value]
        elif key.startswith("x-kubernetes-"):
            continue
        else:
            out[key] = value
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out.pop("anyOf", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("nullable"):
        out.pop("nullable")
        if "type" in out:
            out["type"] = [out["type"], "null"]
    if "properties" in out and not node.get("x-kubernetes-preserve-unknown-fields"):
        out.setdefault("additionalProperties", False)
    return out


def convert(crd: dict, version: str, source_note: str) -> dict:
    (served,) = [v for v in crd["spec"]["versions"] if v["name"] == version]
    source = served["schema"]["openAPIV3Schema"]
    group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
    if "spec" in source["properties"]:
        fields, required = {"spec": strict(source["properties"]["spec"])}, ["spec"]
    else:  # a kind whose fields sit at the top, as Kueue's WorkloadPriorityClass (`value`)
        top = ("apiVersion", "kind", "metadata", "status")
        fields = {k: strict(v) for k, v in source["properties"].items() if k not in top}
        required = list(source.get("required", []))
    for rule in EXTRA.get(kind, {}).get("trigger_rules", []):
        fields["spec"]["properties"]["triggers"]["items"].setdefault("allOf", []).append(rule)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{kind} {group}/{version}, strict (generated by from_crd.py)",
        "$comment": f"from {source_note}",
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", *required],
        "additionalProperties": False,
        "properties": {
            "apiVersion": {"const": f"{group}/{version}"},
            "kind": {"const": kind},
            "metadata": OBJECT_META,
            **fields,
        },
        "x-crd": crd_facts(crd),
    }


def crd_facts(crd: dict) -> dict:
    """Each version's status as the CRD declares it, and the release it belongs to."""
    annotations = crd["metadata"].get("annotations") or {}
    return {
        "versions": {
            v["name"]: {
                "served": v.get("served", False),
                "storage": v.get("storage", False),
                "deprecated": v.get("deprecated", False),
            }
            for v in crd["spec"]["versions"]
        },
        "release": {
            key: value
            for key, value in annotations.items()
            if key.endswith(("/bundle-version", "/channel"))
        },
    }


if __name__ == "__main__":
    crd_path, version, source_note = sys.argv[1], sys.argv[2], sys.argv[3]
    (crd,) = [d for d in yaml.safe_load_all(Path(crd_path).read_text()) if d and
              d["kind"] == "CustomResourceDefinition" and not d["metadata"]["name"].endswith(
                  "checkpoints.autoscaling.k8s.io")]  # fmt: skip
    print(json.dumps(convert(crd, version, source_note), indent=1, sort_keys=True))
