"""Capacity estimate for model CI/CD and release shared by many teams.

Every input below is an assumption to say out loud in the interview ("I'll assume ...") and
to change when the interviewer gives other numbers; none of them is a measured fact. Training
itself is the training platform's budget and is left out: this counts what CI/CD adds.
Units: GB = 10**9 bytes, TB = 10**12 bytes, a month = 30 days.

    python examples/design/model_cicd.py
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from estimates import check_inputs, table

DAY_S = 86_400
MONTH_DAYS = 30
GB = 10**9


# --8<-- [start:inputs]
@dataclass(frozen=True)
class CicdInputs:
    """Assumptions, not facts: restate each one in the interview."""

    # --- Who uses it ---
    teams: int = 150
    models_per_team: int = 4
    # pushes that run the CI pipeline
    merge_requests_per_team_day: float = 20.0
    # scheduled or triggered training
    # pipelines
    retrains_per_model_week: float = 2.0
    # candidates that pass the gates and
    # are released
    gate_pass_share: float = 0.6

    # --- What each run costs ---
    # lint, unit tests, data checks, on
    # CPU runners
    ci_runner_minutes: float = 12.0
    # a quick score on a sample, per CI
    # run
    ci_sample_eval_gpu_minutes: float = 2.0
    # full evaluation of one model on the
    # held-out set
    eval_gpu_minutes: float = 15.0
    # the day's evaluations finish within
    # this window
    eval_window_hours: float = 12.0
    gpus_per_node: int = 8

    # --- Registry, artifact store ---
    # one registered version's artifacts,
    # on average
    model_gb: float = 2.0
    # every version kept a year, for audit
    # and rollback
    artifact_retention_days: int = 365
    # serving pods of one model
    replicas_per_model: int = 6
    # per pod: crashes, node drains,
    # scale-ups
    pod_restarts_per_day: float = 0.5
    # a node-pool upgrade restarts every
    # pod in this time
    mass_restart_minutes: float = 30.0
    # metadata calls: log, tag, search,
    # alias lookups
    api_calls_per_run: int = 50
    # busiest minute / average minute
    peak_factor: float = 10.0

    # --- Release ---
    # shadow and canary steps of one
    # release
    canary_hours: float = 4.0
    # releases the canary analysis rolls
    # back
    bad_release_share: float = 0.05

    # --- Prices (vary by provider) ---
    usd_per_gpu_hour: float = 2.5
    # one 4-vCPU CI runner
    usd_per_runner_hour: float = 0.2
    # object storage
    usd_per_gb_month: float = 0.02
    # tracking servers, their database, a
    # cache
    usd_registry_month: float = 1_500.0

    def __post_init__(self) -> None:
        check_inputs(self, shares=("gate_pass_share", "bad_release_share"))


# --8<-- [end:inputs]


# --8<-- [start:runs]
def models(i: CicdInputs) -> int:
    return i.teams * i.models_per_team


def ci_runs_per_day(i: CicdInputs) -> float:
    return i.teams * i.merge_requests_per_team_day


def training_runs_per_day(i: CicdInputs) -> float:
    return models(i) * i.retrains_per_model_week / 7


def releases_per_day(i: CicdInputs) -> float:
    return training_runs_per_day(i) * i.gate_pass_share


def canaries_in_flight(i: CicdInputs) -> float:
    """Releases under analysis at any moment (Little's law: rate x duration)."""
    return releases_per_day(i) * i.canary_hours / 24


# --8<-- [end:runs]


# --8<-- [start:gpus]
def eval_gpu_minutes_per_day(i: CicdInputs) -> float:
    """A candidate and the champion are both scored on the same held-out rows."""
    full = training_runs_per_day(i) * 2 * i.eval_gpu_minutes
    sample = ci_runs_per_day(i) * i.ci_sample_eval_gpu_minutes
    return full + sample


def eval_gpus(i: CicdInputs) -> int:
    """GPUs that finish the day's evaluations within the window: whole GPUs, rounded up."""
    return math.ceil(eval_gpu_minutes_per_day(i) / 60 / i.eval_window_hours)


def eval_gpu_nodes(i: CicdInputs) -> int:
    return math.ceil(eval_gpus(i) / i.gpus_per_node)


# --8<-- [end:gpus]


# --8<-- [start:registry]
def artifact_tb(i: CicdInputs) -> float:
    """Every trained version is registered and kept, passed or not."""
    return training_runs_per_day(i) * i.model_gb * i.artifact_retention_days / 1000


def pulls_per_day(i: CicdInputs) -> float:
    """Model downloads: each release to every replica, plus every pod restart."""
    pods = models(i) * i.replicas_per_model
    return releases_per_day(i) * i.replicas_per_model + pods * i.pod_restarts_per_day


def mass_restart_gbit_s(i: CicdInputs) -> float:
    """Every pod pulls its model at once: a node-pool upgrade, a region failover."""
    pods = models(i) * i.replicas_per_model
    return pods * i.model_gb * 8 / (i.mass_restart_minutes * 60)


def metadata_peak_per_s(i: CicdInputs) -> float:
    runs = ci_runs_per_day(i) + training_runs_per_day(i)
    return runs * i.api_calls_per_run / DAY_S * i.peak_factor


# --8<-- [end:registry]


# --8<-- [start:cost]
def monthly_cost(i: CicdInputs) -> dict[str, float]:
    runner_hours = ci_runs_per_day(i) * i.ci_runner_minutes / 60
    cost = {
        "eval GPUs": eval_gpu_minutes_per_day(i) / 60 * i.usd_per_gpu_hour * MONTH_DAYS,
        "CI runners": runner_hours * i.usd_per_runner_hour * MONTH_DAYS,
        "artifacts": artifact_tb(i) * 1000 * i.usd_per_gb_month,
        "registry": i.usd_registry_month,
    }
    cost["total"] = sum(cost.values())
    return cost


# --8<-- [end:cost]


def sections(i: CicdInputs) -> dict[str, list[tuple[str, str]]]:
    """The report's figures, by section: (what, value with its unit)."""
    rollbacks = releases_per_day(i) * i.bad_release_share
    return {
        "Pipelines": [
            ("models", f"{models(i):,}"),
            ("CI runs", f"{ci_runs_per_day(i):,.0f} /day"),
            ("training runs", f"{training_runs_per_day(i):,.1f} /day"),
            ("releases", f"{releases_per_day(i):,.1f} /day"),
            ("canaries in flight", f"{canaries_in_flight(i):,.1f}"),
            ("automatic rollbacks", f"{rollbacks:,.1f} /day"),
        ],
        "Evaluation": [
            ("GPU time", f"{eval_gpu_minutes_per_day(i):,.0f} GPU-min/day"),
            (f"GPUs, {i.eval_window_hours:g} h window", f"{eval_gpus(i)} GPUs"),
            (f"nodes of {i.gpus_per_node} GPUs", f"{eval_gpu_nodes(i)} nodes"),
        ],
        "Registry and artifacts": [
            ("artifacts stored", f"{artifact_tb(i):,.1f} TB"),
            ("model pulls", f"{pulls_per_day(i):,.0f} /day"),
            ("mass restart pulls", f"{mass_restart_gbit_s(i):,.1f} Gbit/s"),
            ("API at peak", f"{metadata_peak_per_s(i):,.1f} req/s"),
        ],
        "Cost, USD per month": [(name, f"{usd:,.0f}") for name, usd in monthly_cost(i).items()],
    }


def report(i: CicdInputs) -> str:
    heading = [
        "Model CI/CD for many teams (assumptions)",
        "GB = 10^9 bytes, TB = 10^12, month = 30 d",
    ]
    return table(heading, sections(i))


if __name__ == "__main__":
    print(report(CicdInputs()))
