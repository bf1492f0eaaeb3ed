"""docs/reliability/gpu-observability.md and examples/observability/rules/gpu.rules.yml
against dcgm-exporter's own files (vendored from release 4.5.3-4.8.2): every metric name is
real, "on"/"off" in the page's table is what the default CSV does, and the GPU alerts only
read metrics a stock install exports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.observability.promtool import ROOT, RULES

PAGE = ROOT / "docs" / "reliability" / "gpu-observability.md"
DCGM = Path(__file__).parent / "vendor" / "dcgm-exporter"


def default_counters() -> dict[str, bool]:
    """Every field of default-counters.csv: True when enabled, False when commented out."""
    fields: dict[str, bool] = {}
    for line in (DCGM / "default-counters.csv").read_text("utf-8").splitlines():
        found = re.match(r"\s*(#\s*)?(DCGM_\w+)\s*,", line)
        if found:
            fields[found.group(2)] = found.group(1) is None
    return fields


def page_table() -> dict[str, str]:
    """`| `DCGM_...` | what | on/off |` rows of the page."""
    rows = re.findall(r"^\| `(DCGM_\w+)` \| [^|]+ \| (on|off) \|$", PAGE.read_text(), re.M)
    return dict(rows)


def test_the_csv_is_the_one_the_page_names():
    fields = default_counters()
    assert len(fields) > 40  # the whole file, comments included
    assert fields["DCGM_FI_DEV_GPU_UTIL"] and not fields["DCGM_FI_PROF_SM_ACTIVE"]


def test_every_dcgm_name_on_the_page_exists():
    fields = default_counters()
    text = re.sub(r"DCGM_\w*_\*", "", PAGE.read_text("utf-8"))  # a family: DCGM_FI_PROF_*
    named = set(re.findall(r"\b(DCGM_(?:FI|EXP)_\w+)", text))
    assert len(named) >= 15
    assert not named - fields.keys(), (
        f"not in default-counters.csv: {sorted(named - fields.keys())}"
    )


@pytest.mark.parametrize("name,default", sorted(page_table().items()))
def test_the_tables_default_column_is_the_csvs(name: str, default: str):
    enabled = default_counters()[name]
    assert default == ("on" if enabled else "off"), (
        f"{name}: the page says {default!r}, default-counters.csv has it "
        f"{'enabled' if enabled else 'commented out'}"
    )


def test_the_table_covers_what_the_issue_asks():
    wanted = {
        "DCGM_FI_DEV_GPU_UTIL",  # utilisation
        "DCGM_FI_PROF_SM_ACTIVE",  # SM activity
        "DCGM_FI_DEV_FB_USED",  # memory used
        "DCGM_FI_DEV_XID_ERRORS",  # XID errors
        "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",  # ECC
        "DCGM_EXP_CLOCK_EVENTS_COUNT",  # throttling
    }
    assert wanted <= page_table().keys()


def test_the_gpu_rules_read_only_enabled_metrics():
    fields = default_counters()
    used = set(re.findall(r"\b(DCGM_\w+)", (RULES / "gpu.rules.yml").read_text("utf-8")))
    assert used
    off = sorted(n for n in used if not fields.get(n, False))
    assert not off, f"gpu.rules.yml reads metrics a stock dcgm-exporter does not export: {off}"


def test_the_clock_event_reasons_are_the_collectors():
    source = (DCGM / "clock_events_collector.go.txt").read_text("utf-8")
    labels = set(re.findall(r'DCGM_CLOCKS_THROTTLE_REASON_\w+:\s+"(\w+)"', source))
    assert 'metricValueLabels["clock_event"]' in source
    text = PAGE.read_text("utf-8")
    named = re.search(r"`clock_event` label, such as\s+(.+?)<!--", text, re.S).group(1)
    reasons = set(re.findall(r"`(\w+)`", named))
    assert reasons and reasons <= labels, sorted(reasons - labels)
