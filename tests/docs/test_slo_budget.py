"""The SLO arithmetic the cheat sheet shows (examples/reliability/slo_budget.py): its output is
the page's (slo_budget.out.txt), and its numbers agree with the SRE page and the SLO lab."""

from __future__ import annotations

import pytest

from tests.support.examples import EXAMPLES, run_example
from tests.support.outputs import PageOutput

SCRIPT = EXAMPLES / "reliability" / "slo_budget.py"


@pytest.fixture(scope="module")
def printed() -> str:
    result = run_example(SCRIPT)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_cheat_sheet_shows_this_output(printed: str, page_output: PageOutput):
    page_output("examples/reliability/slo_budget.out.txt", printed)


@pytest.mark.parametrize(
    ("slo", "minutes"),
    [
        ("99%", "432.0"),
        ("99.5%", "216.0"),
        ("99.9%", "43.2"),
        ("99.95%", "21.6"),
        ("99.99%", "4.3"),
    ],
)
def test_downtime_per_30_days(printed: str, slo: str, minutes: str):
    # (1 - SLO) of 43,200 minutes; 99%, 99.9% and 99.99% are also worked on the SRE page.
    expected = round((1 - float(slo.rstrip("%")) / 100) * 30 * 24 * 60, 1)
    assert float(minutes) == expected
    assert any(line.split()[:2] == [slo, minutes] for line in printed.splitlines())


@pytest.mark.parametrize(
    ("burn", "share"),
    # The lab's alerts (docs/labs/slo-error-budget.ipynb): 14.4 over 1 h spends 2% of the
    # budget, 6 over 6 h spends 5%, 1 over 3 days spends 10%; and 3 over a day, 10%.
    [("14.4", "2%"), ("6", "5%"), ("3", "10%"), ("1", "10%")],
)
def test_burn_rate_alerts(printed: str, burn: str, share: str):
    rows = [line.split() for line in printed.splitlines() if line.split()[:1] == [burn]]
    assert len(rows) == 1 and share in rows[0], printed
