"""The version-sensitive facts of the reliability pages this chapter wrote
(docs/includes/claims/reliability.yml), each read from the tool or the vendored source."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.observability.promtool import ROOT, run

VENDOR = Path(__file__).parent / "vendor"
GPU_PAGE = ROOT / "docs" / "reliability" / "gpu-observability.md"


def test_a_range_includes_the_sample_at_its_start(promtool: str, tmp_path: Path):
    """promtool's Prometheus: at one sample a minute, `[5m]` holds 6 samples (5 minutes ago
    included), so `[1h]` holds 61 and 60 increases. Prometheus 3 excludes that sample."""
    (tmp_path / "none.rules.yml").write_text("groups: []\n")
    spec = {
        "rule_files": ["none.rules.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [{"series": "x", "values": "0+1x20"}],
                "promql_expr_test": [
                    {
                        "expr": "count_over_time(x[5m])",
                        "eval_time": "10m",
                        "exp_samples": [{"labels": "{}", "value": 6}],
                    }
                ],
            }
        ],
    }
    (tmp_path / "range.test.yml").write_text(yaml.safe_dump(spec))
    done = run(promtool, "test", "rules", "range.test.yml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout


def test_the_nccl_variables_are_pytorchs():
    """Every TORCH_NCCL_* variable the GPU page names is one ProcessGroupNCCL reads, in the
    header of the torch release the training chapter pins."""
    header = (VENDOR / "torch" / "ProcessGroupNCCL.hpp.txt").read_text("utf-8")
    defined = set(re.findall(r"static std::vector<std::string> (TORCH_NCCL_\w+) = \{", header))
    named = set(re.findall(r"\b(TORCH_NCCL_\w+)", GPU_PAGE.read_text("utf-8")))
    assert len(named) >= 5
    assert named <= defined, f"not in ProcessGroupNCCL.hpp: {sorted(named - defined)}"
    # The watchdog's dump needs the flight recorder: the header says so.
    assert "TORCH_NCCL_ENABLE_MONITORING=1 and TORCH_NCCL_TRACE_BUFFER_SIZE > 0" in header


def test_the_vendored_files_are_from_the_pinned_releases():
    readme = (VENDOR / "README.md").read_text("utf-8")
    pins = (ROOT / "pyproject.toml").read_text("utf-8")
    assert '"torch==2.15.0"' in pins and "| `v2.15.0` |" in readme
    assert '"ray[serve]==2.60.0"' in pins and "| `ray-2.60.0` |" in readme
