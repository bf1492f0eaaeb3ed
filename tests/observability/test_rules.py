"""The recording rules of examples/observability/rules/: promtool accepts them, rejects a
broken copy naming the file, the group and the rule, and computes the RED figures the
unit-test file expects; every metric they read is one the guide's servers export."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from tests.observability.promtool import (
    INSTALL,
    ROOT,
    RULES,
    UNIT_TESTS,
    PromtoolMissing,
    find_promtool,
    run,
)

RULE_FILES = sorted(RULES.glob("*.rules.yml"))
SERVER = ROOT / "examples" / "serving" / "server.py"
VENDOR = Path(__file__).parent / "vendor"


def test_without_promtool_the_error_names_the_package_to_install(tmp_path: Path):
    with pytest.raises(PromtoolMissing) as caught:
        find_promtool(path=str(tmp_path))  # an empty folder as PATH
    assert str(caught.value) == INSTALL
    assert "apt-get install prometheus" in INSTALL


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=lambda p: p.name)
def test_promtool_accepts_the_rule_file(promtool: str, rule_file: Path):
    rules = [r for g in yaml.safe_load(rule_file.read_text("utf-8"))["groups"] for r in g["rules"]]
    done = run(promtool, "check", "rules", rule_file)
    assert done.returncode == 0, f"promtool check rules {rule_file}:\n{done.stdout}"
    assert f"SUCCESS: {len(rules)} rules found" in done.stdout


def test_a_broken_expression_is_rejected_naming_file_group_and_rule(
    promtool, tmp_path, page_output
):
    text = (RULES / "slo-availability.rules.yml").read_text("utf-8")
    good = "sum by (job) (rate(llm_requests_total[30m]))"
    assert good in text
    broken = tmp_path / "slo-availability.rules.yml"
    broken.write_text(text.replace(good, good[:-1], 1), "utf-8")  # a parenthesis lost
    done = run(promtool, "check", "rules", broken)
    assert done.returncode == 1
    assert f"{broken}: " in done.stdout  # the file, then line:column
    assert 'group "llm-slo-availability"' in done.stdout
    assert '"job:slo_availability_errors:ratio_rate30m"' in done.stdout
    assert "unclosed left parenthesis" in done.stdout
    report = done.stdout.replace(f"{tmp_path}/", "")  # the page shows the file's name
    lines = [w for line in report.splitlines() for w in textwrap.wrap(line, 44) or [""]]
    page_output("examples/observability/check-broken.out.txt", "\n".join(lines))


def test_a_misspelt_field_is_rejected_naming_file_and_line(promtool, tmp_path):
    text = (RULES / "red.rules.yml").read_text("utf-8")
    broken = tmp_path / "red.rules.yml"
    broken.write_text(text.replace("- record:", "- recrod:", 1), "utf-8")
    done = run(promtool, "check", "rules", broken)
    assert done.returncode == 1
    line = text.splitlines().index(next(x for x in text.splitlines() if "- record:" in x)) + 1
    assert f"{broken}: yaml: unmarshal errors:" in done.stdout
    assert f"line {line}: field recrod not found" in done.stdout


def test_the_red_rules_compute_what_the_unit_test_expects(promtool: str):
    done = run(promtool, "test", "rules", "red.test.yml", cwd=UNIT_TESTS)
    assert done.returncode == 0, done.stdout
    assert "SUCCESS" in done.stdout


def test_a_wrong_quantile_fails_the_red_unit_test(promtool: str, tmp_path: Path):
    """histogram_quantile(0.95, ...) under the p99's name: the unit test notices."""
    text = (RULES / "red.rules.yml").read_text("utf-8")
    p99 = "histogram_quantile(0.99, sum by (job, le) (\n            rate(llm_time_to_first"
    assert p99 in text
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "red.rules.yml").write_text(
        text.replace(p99, p99.replace("0.99", "0.95"))
    )
    (tmp_path / "tests").mkdir()
    shutil.copy(UNIT_TESTS / "red.test.yml", tmp_path / "tests")
    done = run(promtool, "test", "rules", "red.test.yml", cwd=tmp_path / "tests")
    assert done.returncode == 1
    # rank 95 of 100 is in (0.25, 0.5]: 0.25 + 0.25 x 5/8
    got = re.search(
        r'got: \{__name__="job:llm_time_to_first_token_seconds:p99_rate5m", '
        r'job="llm"\} (\S+)',
        done.stdout,
    )
    assert got, done.stdout
    assert float(got.group(1)) == pytest.approx(0.25 + 0.25 * 5 / 8)


# --- the names: what the servers really export ----------------------------------------------


def rule_expressions() -> str:
    return "\n".join(
        r["expr"]
        for f in RULE_FILES
        for g in yaml.safe_load(f.read_text("utf-8"))["groups"]
        for r in g["rules"]
    )


def llm_server_series() -> set[str]:
    """The series names examples/serving/server.py exports, read from its source:
    counters get `_total`, histograms `_bucket`, `_count` and `_sum`, gauges stay."""
    source = SERVER.read_text("utf-8")
    names: set[str] = set()
    for kind, name in re.findall(r'(Counter|Histogram)\(\s*"(llm_\w+)"', source):
        suffixes = ["_total"] if kind == "Counter" else ["_bucket", "_count", "_sum"]
        names |= {name + s for s in suffixes}
    names |= set(re.findall(r'^\s+"(llm_\w+)": lambda', source, re.MULTILINE))
    return names


def test_every_llm_metric_the_rules_read_is_exported_by_the_server():
    exported = llm_server_series()
    assert {"llm_requests_total", "llm_time_to_first_token_seconds_bucket"} <= exported
    used = set(re.findall(r"\b(llm_\w+)", rule_expressions()))
    assert used, "the rules read no llm_* metric"
    assert used <= exported, f"not exported by {SERVER.name}: {sorted(used - exported)}"
    # The availability SLI splits requests by the label the server sets.
    assert re.search(r'Counter\(\s*"llm_requests",\s*"[^"]+",\s*\["status"\]', SERVER.read_text())


def test_every_ray_serve_metric_the_rules_read_is_exported_by_ray():
    """Ray 2.60's HTTP ingress metrics (request_ingress_metrics.py), with the `ray_` prefix
    and the `_total` / `_bucket` suffixes its own Grafana dashboard queries use."""
    source = (VENDOR / "ray" / "request_ingress_metrics.py.txt").read_text("utf-8")
    dashboard = (VENDOR / "ray" / "serve_dashboard_panels.py.txt").read_text("utf-8")
    counters = re.findall(r'metrics\.Counter\(\s*f"(serve_[\w{}]+)"', source)
    histograms = re.findall(r'metrics\.Histogram\(\s*f"(serve_[\w{}]+)"', source)
    exported = {f"ray_{n.format(protocol_name='http')}_total" for n in counters}
    exported |= {f"ray_{n.format(protocol_name='http')}_bucket" for n in histograms}
    used = set(re.findall(r"\b(ray_serve_\w+)", rule_expressions()))
    assert used == {"ray_serve_num_http_requests_total", "ray_serve_http_request_latency_ms_bucket"}
    assert used <= exported, sorted(used - exported)
    for name in used:
        assert name in dashboard, f"{name}: not the name Ray's own dashboard queries"
    # The labels the rules use (status_code, application) are tag keys of the counter.
    assert re.search(r'"application",\s*"status_code"\)', source)
