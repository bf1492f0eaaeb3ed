"""promtool for the observability tests: find it, run `check rules` and `test rules`, and
measure at which evaluation an alert fires.

No Prometheus server is needed: promtool evaluates the rule files over the synthetic series of
a unit-test file. Measuring works by asking promtool a question it must answer honestly: a
copy of one test group asserts "no alert" at every evaluation of a range, and each failure
promtool reports is an evaluation where the alert was firing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "observability"
RULES = EXAMPLES / "rules"
UNIT_TESTS = EXAMPLES / "tests"
TIMEOUT = 300  # seconds per promtool run: a safety net on a busy machine, not a check

INSTALL = (
    "promtool is not on PATH. The observability tests run Prometheus's own rule checker: "
    "install Debian's `prometheus` package, which brings `prometheus` and `promtool` "
    "(`sudo apt-get install prometheus`; CI does it in .ci/run)."
)


class PromtoolMissing(RuntimeError):
    pass


def find_promtool(path: str | None = None) -> str:
    """The promtool executable on `path` (default: PATH), or an error naming the install."""
    found = shutil.which("promtool", path=path)
    if found is None:
        raise PromtoolMissing(INSTALL)
    return found


def run(promtool: str, *args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """promtool with `args`; stdout and stderr together in `.stdout` (promtool splits its
    report across both)."""
    return subprocess.run(
        [promtool, *map(str, args)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


# --- durations as promtool prints them (model.Duration: 4d6h50m, 6h1m, 45m) ---------------

_UNITS = {"y": 365 * 24 * 60, "w": 7 * 24 * 60, "d": 24 * 60, "h": 60, "m": 1}


def minutes(duration: str) -> int:
    """'4d6h50m' -> 6170. Seconds are not used by these tests and are refused."""
    parts = re.fullmatch(r"(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?", duration)
    if not parts or not duration:
        raise ValueError(f"{duration!r} is not a whole number of minutes")
    return sum(int(n) * _UNITS[u] for n, u in zip(parts.groups(), "ywdhm", strict=True) if n)


def duration(total: int) -> str:
    """6170 -> '102h50m' (hours and minutes: how the pages write it)."""
    hours, mins = divmod(total, 60)
    return f"{hours}h{mins}m" if hours and mins else f"{hours}h" if hours else f"{mins}m"


# --- reading the unit-test files ------------------------------------------------------------


def load(test_file: Path) -> dict:
    return yaml.safe_load(test_file.read_text("utf-8"))


def group(test_file: Path, name: str) -> dict:
    """The test group called `name` in a promtool unit-test file."""
    groups = load(test_file)["tests"]
    for found in groups:
        if found.get("name") == name:
            return found
    names = "\n  ".join(g.get("name", "(unnamed)") for g in groups)
    raise KeyError(f"{test_file.name} has no test group {name!r}; it has:\n  {names}")


def expand(values: str) -> list[float | None]:
    """promtool's expanding notation, one value per interval: 'a+bxn' is a and n more
    values adding b, 'axn' repeats a, '_' is a missing sample."""
    out: list[float | None] = []
    for token in values.split():
        if token == "_":
            out.append(None)
            continue
        step = re.fullmatch(r"(-?[\d.]+)(?:([+-][\d.]+)?x(\d+))?", token)
        if not step:
            raise ValueError(f"cannot read {token!r} in {values!r}")
        start, delta, count = step.groups()
        if count is None:
            out.append(float(start))
            continue
        inc = float(delta or 0)
        out += [float(start) + i * inc for i in range(int(count) + 1)]
    return out


# --- measuring: when does each alert fire? -------------------------------------------------

_FIRING = re.compile(r"alertname: (\w+), time: (\w+),\s*exp:\[\],\s*got:\[\s*0:")


@dataclass
class Measured:
    """Evaluations (in minutes) at which each alert fired, over the range that was asked."""

    firing: dict[str, list[int]]
    start: int
    end: int
    step: int
    output: str

    def first(self, alert: str, after: int = 0) -> int | None:
        return next((m for m in self.firing[alert] if m >= after), None)

    def cleared(self, alert: str, after: int) -> int | None:
        """The first evaluation from `after` on at which `alert` is not firing."""
        fired = set(self.firing[alert])
        return next((m for m in range(after, self.end + 1, self.step) if m not in fired), None)


def measure(
    promtool: str,
    test_file: Path,
    name: str,
    alerts: list[str],
    start: int,
    end: int,
    workdir: Path,
    rule_file: Path | None = None,
) -> Measured:
    """Run the group `name` of `test_file` with "no alert" asserted for every alert at every
    evaluation from `start` to `end` minutes; read from promtool's failures when each fired.
    `rule_file` replaces the file's rules (a changed copy, to show what a change does)."""
    spec = load(test_file)
    step = minutes(spec.get("evaluation_interval", "1m"))
    tested = dict(group(test_file, name))
    tested["alert_rule_test"] = [
        {"eval_time": f"{m}m", "alertname": alert, "exp_alerts": []}
        for m in range(start, end + 1, step)
        for alert in alerts
    ]
    tested.pop("promql_expr_test", None)
    rules = [rule_file] if rule_file else [test_file.parent / r for r in spec["rule_files"]]
    grid = {
        "rule_files": [str(r.resolve()) for r in rules],
        "evaluation_interval": spec.get("evaluation_interval", "1m"),
        "tests": [tested],
    }
    grid_file = workdir / f"grid-{test_file.stem}-{abs(hash(name)) % 10**8}.test.yml"
    grid_file.write_text(yaml.safe_dump(grid, sort_keys=False), "utf-8")
    done = run(promtool, "test", "rules", grid_file)
    firing: dict[str, list[int]] = {alert: [] for alert in alerts}
    for alert, at in _FIRING.findall(done.stdout):
        firing[alert].append(minutes(at))
    failures = done.stdout.count("alertname: ")
    if done.returncode not in (0, 1) or failures != sum(map(len, firing.values())):
        raise AssertionError(
            f"promtool test rules {grid_file} (group {name!r}) failed for another reason "
            f"than a firing alert (exit {done.returncode}):\n{done.stdout[-3000:]}"
        )
    return Measured({a: sorted(m) for a, m in firing.items()}, start, end, step, done.stdout)
