"""Measure the figures the Spark page shows, and write them next to this file.

Run it: `python examples/spark/benchmarks/figures.py` (the lead's nox session does). It writes
udf_ratio.md (median time of one column computed three ways) and skew_partitions.md (rows per
join partition, plain and fixed three ways). Timings depend on the machine: the table says
which one.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the examples this measures

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType
from salting import run as run_skew_fixes
from skew_detection import summary
from udf_comparison import (
    MAPPING,
    categories,
    score_builtin,
    score_pandas_udf,
    score_udf,
)

ROWS = 2_000_000
REPEATS = 5


@F.udf(DoubleType(), useArrow=False)
def score_pickled_udf(category):
    return MAPPING.get(category, 0.0)


def seconds(spark: SparkSession, column) -> float:
    """Wall time of one job that computes the column for every row (the sum forces it)."""
    df = categories(spark, ROWS).select(column(F.col("category")).alias("score"))
    start = time.perf_counter()
    df.agg(F.sum("score")).collect()
    return time.perf_counter() - start


def udf_table(spark: SparkSession) -> str:
    variants = {
        "built-in functions": score_builtin,
        "pandas UDF": score_pandas_udf,
        "Python UDF (Arrow, the default)": score_udf,
        "Python UDF (pickled, useArrow=False)": score_pickled_udf,
    }
    for column in variants.values():  # warm up: Python workers, code generation
        seconds(spark, column)
    medians = {
        name: statistics.median(seconds(spark, column) for _ in range(REPEATS))
        for name, column in variants.items()
    }
    base = medians["built-in functions"]
    lines = [
        f"| way ({ROWS:,} rows, median of {REPEATS}) | seconds | vs built-in |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {name} | {t:.2f} | {t / base:.1f}x |" for name, t in medians.items()]
    return "\n".join(lines)


def skew_table(results: dict) -> str:
    """The table of salting.run()'s results (tests/spark/test_salting.py checks it is current)."""
    lines = [
        "| join | partitions | largest | median | largest / median |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, (sizes, _) in results.items():
        s = summary(sizes)
        lines.append(
            f"| {name} | {s['partitions']} | {s['largest']:,} | {s['median']:,.0f} "
            f"| {s['largest_to_median']} |"
        )
    return "\n".join(lines)


def machine(spark: SparkSession) -> str:
    return (
        f"Measured with Spark {spark.version}, `{spark.sparkContext.master}`, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs."
    )


if __name__ == "__main__":
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("figures")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    (HERE / "skew_partitions.md").write_text(skew_table(run_skew_fixes(spark)) + "\n")
    (HERE / "udf_ratio.md").write_text(udf_table(spark) + "\n\n" + machine(spark) + "\n")
    print((HERE / "skew_partitions.md").read_text())
    print((HERE / "udf_ratio.md").read_text())
    spark.stop()
