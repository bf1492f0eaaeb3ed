"""The numbers of the worked postmortem (docs/reliability/incident-response.md) come from
the p99 lab's stored run: this test reads the `summary` its last cell printed, stored in
docs/labs/p99-regression.ipynb, and writes the table the page shows. When the lab is run
again and its stored outputs change, this test fails until the table is written from them
(`--update-outputs`), so the page never quotes a run the notebook no longer shows."""

from __future__ import annotations

import json
import re

from tests.observability.promtool import ROOT

LAB = ROOT / "docs" / "labs" / "p99-regression.ipynb"
TABLE = "examples/observability/p99-incident.out.txt"
PAGE = ROOT / "docs" / "reliability" / "incident-response.md"


def stored_summary() -> dict:
    notebook = json.loads(LAB.read_text("utf-8"))
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", ""))
            if text.startswith('{\n "deterministic"'):
                return json.loads(text)
    raise AssertionError(f"{LAB}: no stored summary output (run the lab: -- labs -k p99)")


def test_the_postmortem_table_is_the_labs_stored_run(page_output):
    summary = stored_summary()
    red, use = summary["red"], summary["use"]
    phases = ["v1 (baseline)", "v2 (incident)", "v1 (rolled back)"]
    assert list(red) == phases
    # The incident the page describes: same load, no errors, latency up several-fold.
    assert all(red[p]["errors"] == 0 for p in phases)
    assert red["v2 (incident)"]["p99_ms"] > 5 * red["v1 (baseline)"]["p99_ms"]
    assert red["v1 (rolled back)"]["p99_ms"] < 2 * red["v1 (baseline)"]["p99_ms"]
    lines = [
        "the p99 lab's stored run, latencies in ms",
        "(docs/labs/p99-regression.ipynb)",
        "",
        f"{'phase':<17}{'req/s':>5}{'err':>4}{'p50':>7}{'p99':>7}",
    ]
    for p in phases:
        r = red[p]
        lines.append(f"{p:<17}{r['rate_rps']:>5}{r['errors']:>4}{r['p50_ms']:>7}{r['p99_ms']:>7}")
    sizing = summary["v2_sizing"]
    lines += [
        "",
        f"v2: {sizing['layers']} extra layers, for ~{sizing['target_ms']:.0f} ms",
        f"{'phase':<17}{'CPU/req':>8}{'util':>6}{'wait p50':>9}",
    ]
    for p in phases:
        u = use[p]
        lines.append(
            f"{p:<17}{u['cpu_per_request_ms']:>8}{u['utilization']:>6}{u['waiting_p50_ms']:>9}"
        )
    # The service's own view: Ray Serve's counters and histogram, read from Prometheus.
    prom = summary["prometheus"]
    assert prom is not None, f"{LAB}: stored without Prometheus (run it with -- labs -k p99)"
    lines += [
        "",
        "Prometheus (Ray Serve's histogram)",
        f"{'phase':<17}{'req':>5}{'err':>4}{'p50':>7}{'p99':>7}",
    ]
    for p in phases:
        r = prom[p]
        lines.append(f"{p:<17}{r['requests']:>5}{r['errors']:>4}{r['p50_ms']:>7}{r['p99_ms']:>7}")
    page_output(TABLE, "\n".join(lines))


def numbers(text: str) -> set[str]:
    return set(re.findall(r"(?<![\w.])\d+\.\d+(?![\w.])|(?<![\w.])\d{3,}(?![\w.%])", text))


def test_every_number_the_postmortem_quotes_is_in_the_stored_run():
    """The prose of the worked postmortem may only quote figures of the lab's stored run."""
    page = PAGE.read_text("utf-8")
    section = page.split("## Worked postmortem", 1)[1].split("**Detection:", 1)[0]
    stored = set()

    def walk(value) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            stored.add(str(value))

    summary = stored_summary()
    walk(summary)
    quoted = numbers(section)
    # The figures the story rests on: p99 before and during, v2's CPU per request, and the
    # p99 Prometheus estimated during the incident.
    key = {
        str(summary["red"]["v1 (baseline)"]["p99_ms"]),
        str(summary["red"]["v2 (incident)"]["p99_ms"]),
        str(summary["use"]["v2 (incident)"]["cpu_per_request_ms"]),
        str(summary["prometheus"]["v2 (incident)"]["p99_ms"]),
    }
    assert key <= quoted, f"the postmortem does not quote {sorted(key - quoted)}"
    assert quoted <= stored, f"not in the lab's stored summary: {sorted(quoted - stored)}"
