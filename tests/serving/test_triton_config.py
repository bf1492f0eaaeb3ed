"""Triton's model configuration on docs/serving/kubernetes.md, parsed as Triton parses it.

examples/kubernetes/serving/triton/<model>/config.pbtxt is read with protobuf's text format
into tritonclient's generated `ModelConfig` message (the same model_config.proto the server is
built from), so a misspelled field fails with the file and line. Then the rules the message
type cannot express: preferred batch sizes fit max_batch_size, dynamic batching needs a
batch dimension, the name matches the folder, and the InferenceService that serves the
repository has the devices the instance groups ask for.
"""

from __future__ import annotations

import importlib.metadata
import re
import textwrap
from pathlib import Path

import pytest
import yaml
from google.protobuf import text_format
from tritonclient.grpc import model_config_pb2

from tests.support.outputs import PageOutput

ROOT = Path(__file__).resolve().parents[2]
SERVING = ROOT / "examples" / "kubernetes" / "serving"
REPOSITORY = SERVING / "triton"  # the files behind inferenceservice-tickets.yaml's storageUri
CONFIG = REPOSITORY / "tickets" / "config.pbtxt"


class ConfigError(ValueError):
    """`file:line: field: message`, as the manifest checks report."""


def parse(path: Path, text: str | None = None) -> model_config_pb2.ModelConfig:
    name = path.relative_to(ROOT)
    try:
        return text_format.Parse(
            path.read_text() if text is None else text, model_config_pb2.ModelConfig()
        )
    except text_format.ParseError as error:
        # "23:3 : 'the line': message" or "23:3 : message": keep the message
        message = re.sub(r"^'.*?': ", "", str(error).split(" : ", 1)[-1])
        lines = (path.read_text() if text is None else text).splitlines()
        key = re.match(r"\s*(\w+)", lines[error.GetLine() - 1]) if error.GetLine() else None
        where = key.group(1) if key else "(text)"
        raise ConfigError(f"{name}:{error.GetLine()}: {where}: {message}") from None


def line_of(text: str, field: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*{field}\b", line):
            return number
    return 1


def problems(path: Path, text: str | None = None) -> list[str]:
    """What Triton would reject or silently do differently, for one config.pbtxt."""
    text = path.read_text() if text is None else text
    config = parse(path, text)
    name = path.relative_to(ROOT)
    found = []

    def problem(field: str, message: str) -> None:
        found.append(f"{name}:{line_of(text, field.split('.')[-1])}: {field}: {message}")

    if config.name and config.name != path.parent.name:
        problem("name", f"{config.name!r}, but the folder is {path.parent.name!r}")
    batching = config.HasField("dynamic_batching")
    if batching and config.max_batch_size <= 0:
        problem(
            "dynamic_batching",
            "needs max_batch_size > 0 (0 means the model takes no batch dimension)",
        )
    preferred = list(config.dynamic_batching.preferred_batch_size)
    for size in preferred:
        if config.max_batch_size > 0 and not 0 < size <= config.max_batch_size:
            problem(
                "dynamic_batching.preferred_batch_size",
                f"{size} is over max_batch_size {config.max_batch_size}: a batch that size "
                "can never form",
            )
    if preferred != sorted(set(preferred)):
        problem("dynamic_batching.preferred_batch_size", f"{preferred}: list each size once")
    for tensor in (*config.input, *config.output):
        if config.max_batch_size > 0 and tensor.dims and tensor.dims[0] == config.max_batch_size:
            problem(
                "dims",
                f"{tensor.name!r} starts with {tensor.dims[0]} = max_batch_size: dims leave the "
                "batch dimension out, Triton adds it",
            )
    for group in config.instance_group:
        if group.count < 1:
            problem("instance_group.count", f"{group.count}: at least one instance")
    return found


def gpus_asked_by_the_service() -> int:
    """nvidia.com/gpu in the limits of the InferenceService that serves this repository."""
    service = yaml.safe_load((SERVING / "inferenceservice-tickets.yaml").read_text())
    model = service["spec"]["predictor"]["model"]
    return int(model.get("resources", {}).get("limits", {}).get("nvidia.com/gpu", 0))


# ---------------------------------------------------------------- the page's config


def test_the_config_parses_into_triton_model_config():
    config = parse(CONFIG)
    assert config.name == "tickets" and config.backend == "onnxruntime"
    assert config.max_batch_size == 32
    batching = config.dynamic_batching
    assert list(batching.preferred_batch_size) == [8, 16, 32]
    assert batching.max_queue_delay_microseconds == 2000
    (group,) = config.instance_group
    assert group.count == 2 and group.kind == model_config_pb2.ModelInstanceGroup.KIND_GPU
    assert [tuple(t.dims) for t in config.input] == [(256,)]
    assert problems(CONFIG) == []


def test_every_config_in_the_repository_passes():
    configs = sorted(REPOSITORY.rglob("config.pbtxt"))
    assert configs == [CONFIG]
    for path in configs:
        assert problems(path) == [], path


def test_gpu_instances_have_a_gpu_to_run_on():
    kinds = {group.kind for group in parse(CONFIG).instance_group}
    assert kinds == {model_config_pb2.ModelInstanceGroup.KIND_GPU}
    assert gpus_asked_by_the_service() >= 1


# ---------------------------------------------------------------- negative cases

NEGATIVE = {
    "misspelled field": (
        "  preferred_batch_size:",
        "  prefered_batch_size:",
        "examples/kubernetes/serving/triton/tickets/config.pbtxt:21: prefered_batch_size: "
        'Message type "inference.ModelDynamicBatching" has no field named '
        '"prefered_batch_size".',
    ),
    "preferred batch over the maximum": (
        "[ 8, 16, 32 ]",
        "[ 8, 16, 64 ]",
        "examples/kubernetes/serving/triton/tickets/config.pbtxt:21: "
        "dynamic_batching.preferred_batch_size: 64 is over max_batch_size 32",
    ),
    "dynamic batching without a batch dimension": (
        "max_batch_size: 32",
        "max_batch_size: 0",
        "examples/kubernetes/serving/triton/tickets/config.pbtxt:20: dynamic_batching: "
        "needs max_batch_size > 0",
    ),
    "the batch dimension written into dims": (
        "dims: [ 256 ]",
        "dims: [ 32, 256 ]",
        "examples/kubernetes/serving/triton/tickets/config.pbtxt:10: dims: 'input_ids' starts "
        "with 32 = max_batch_size",
    ),
    "a name that is not the folder's": (
        'name: "tickets"',
        'name: "ticket"',
        "examples/kubernetes/serving/triton/tickets/config.pbtxt:3: name: 'ticket', but the "
        "folder is 'tickets'",
    ),
    "an unknown instance kind": (
        "kind: KIND_GPU",
        "kind: GPU",
        "examples/kubernetes/serving/triton/tickets/config.pbtxt:29: kind: Enum type "
        '"inference.ModelInstanceGroup.Kind" has no value named GPU.',
    ),
}


def edited_problems(old: str, new: str) -> list[str]:
    text = CONFIG.read_text()
    assert text.count(old) == 1, old
    try:
        return problems(CONFIG, text.replace(old, new))
    except ConfigError as error:
        return [str(error)]


@pytest.mark.parametrize("case", NEGATIVE, ids=list(NEGATIVE))
def test_negative_case_names_file_line_and_field(case: str):
    old, new, expected = NEGATIVE[case]
    found = edited_problems(old, new)
    assert any(p.startswith(expected) for p in found), "\n".join(found)


@pytest.mark.parametrize(
    ("case", "output"),
    [
        (
            "misspelled field",
            "examples/kubernetes/serving/triton/tickets/config.misspelled.out.txt",
        ),
        (
            "preferred batch over the maximum",
            "examples/kubernetes/serving/triton/tickets/config.preferred-too-big.out.txt",
        ),
    ],
)
def test_messages_quoted_on_the_page_are_real(case, output, page_output: PageOutput):
    old, new, _ = NEGATIVE[case]
    found = edited_problems(old, new)
    assert found
    wrapped = [textwrap.fill(p, 80, subsequent_indent="  ", break_on_hyphens=False) for p in found]
    page_output(output, "\n".join(wrapped))


# ---------------------------------------------------------------- claims (serving.yml)


def test_model_config_has_the_dynamic_batching_fields():
    """What docs/serving/kubernetes.md says the config can set, read from the generated proto."""
    assert importlib.metadata.version("tritonclient") == "2.73.0"  # the version the page names
    batching = set(model_config_pb2.ModelDynamicBatching.DESCRIPTOR.fields_by_name)
    assert {
        "preferred_batch_size",
        "max_queue_delay_microseconds",
        "preserve_ordering",
        "priority_levels",
    } <= batching
    assert model_config_pb2.ModelInstanceGroup.Kind.keys() == [
        "KIND_AUTO",
        "KIND_GPU",
        "KIND_CPU",
        "KIND_MODEL",
    ]
    assert "max_batch_size" in model_config_pb2.ModelConfig.DESCRIPTOR.fields_by_name
