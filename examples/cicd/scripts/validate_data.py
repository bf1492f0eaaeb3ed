"""Stage 1a: does the new data match the schema? Fail the pipeline early if not.

    python scripts/validate_data.py --data-path data/raw/ --schema schema.json

Checks every CSV under --data-path against schema.json (columns, types, nulls, ranges, allowed
values, a minimum row count), prints each problem with its file and line, writes an HTML report
for humans (kept as a job artifact), and exits 1 when anything is wrong.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from pathlib import Path

import pandas as pd


def csv_files(data_path: Path) -> list[Path]:
    files = sorted(data_path.glob("*.csv")) if data_path.is_dir() else [data_path]
    if not files or not all(f.is_file() for f in files):
        sys.exit(f"validate_data: no CSV file at {data_path}")
    return files


# --8<-- [start:checks]
def first_line(bad: pd.Series) -> int:
    return int(bad.to_numpy().nonzero()[0][0]) + 2  # line 1 is the header


def check_file(path: Path, schema: dict) -> list[str]:
    """Every way `path` breaks the schema, each naming the column and the first bad line."""
    frame = pd.read_csv(path)
    columns = schema["columns"]
    problems = [f"missing column '{c}'" for c in columns if c not in frame.columns]
    problems += [f"unexpected column '{c}'" for c in frame.columns if c not in columns]
    if len(frame) < schema["min_rows"]:
        problems.append(f"{len(frame)} rows, fewer than min_rows={schema['min_rows']}")
    for name, rule in columns.items():
        if name not in frame.columns:
            continue
        values = frame[name]
        if values.isna().any():
            bad = values.isna()
            problems.append(f"column '{name}': {bad.sum()} empty (line {first_line(bad)})")
            continue
        if not pd.api.types.is_numeric_dtype(values):
            problems.append(f"column '{name}': not numeric (read as {values.dtype})")
            continue
        checks = {
            f"below min {rule.get('min')}": values < rule.get("min", -float("inf")),
            f"above max {rule.get('max')}": values > rule.get("max", float("inf")),
            f"not in {rule.get('allowed')}": ~values.isin(rule.get("allowed", values.unique())),
        }
        for what, bad in checks.items():
            if bad.any():
                problems.append(
                    f"column '{name}': {bad.sum()} value(s) {what} "
                    f"(line {first_line(bad)}: {values[bad].iloc[0]})"
                )
    return [f"{path}: {problem}" for problem in problems]


# --8<-- [end:checks]


def write_report(report: Path, files: list[Path], problems: list[str]) -> None:
    report.parent.mkdir(parents=True, exist_ok=True)
    rows = "".join(f"<li>{html.escape(p)}</li>" for p in problems) or "<li>no problems</li>"
    checked = ", ".join(html.escape(str(f)) for f in files)
    status = "FAILED" if problems else "PASSED"
    report.write_text(
        f"<!doctype html><title>Data validation</title><h1>Data validation "
        f"{status}</h1><p>Checked: {checked}</p><ul>{rows}</ul>\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-path", type=Path, required=True)
    parser.add_argument("--schema", type=Path, required=True)
    parser.add_argument("--report", type=Path, default=Path("reports/validation_report.html"))
    args = parser.parse_args()

    schema = json.loads(args.schema.read_text())
    files = csv_files(args.data_path)
    problems = [problem for path in files for problem in check_file(path, schema)]
    write_report(args.report, files, problems)
    for problem in problems:
        print(problem, file=sys.stderr)
    rows = sum(len(pd.read_csv(f)) for f in files)
    print(f"validate_data: {len(files)} file(s), {rows} rows, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
