"""A Python UDF, a pandas UDF and built-in functions compute the same column."""

from __future__ import annotations

from tests.spark.conftest import run_printing


def test_three_ways_give_identical_scores(spark, example, page_output):
    module = example("udf_comparison")
    result, printed = run_printing(module.run, spark)  # the default 100,000 rows, as on the page
    assert result["rows"] == 100_000
    assert result["differ"] == 0
    assert result["per_category"] == {"A": 1.0, "B": 2.0, "C": 3.0, "D": 0.0, None: 0.0}
    # 20,000 rows of each category: A + B + C = 20,000 * 6
    assert list(result["sums"]) == [120_000.0] * 3
    page_output("examples/spark/udf_comparison.out.txt", printed)


def test_python_udfs_run_through_arrow_by_default(spark):
    assert spark.conf.get("spark.sql.execution.pythonUDF.arrow.enabled") == "true"


def test_the_timing_table_is_figures_py_output_for_the_pinned_spark():
    """udf_ratio.md holds measured seconds (`nox -s spark-figures` writes it; a timed test
    would be flaky). What can be checked is checked: each ratio is its row's seconds over the
    built-in row's, and the table was measured with the pinned Spark."""
    import re

    import pyspark

    from tests.support.outputs import ROOT

    text = (ROOT / "examples/spark/benchmarks/udf_ratio.md").read_text()
    rows = re.findall(r"^\| ([^|]+?) \| ([\d.]+) \| ([\d.]+)x \|$", text, re.M)
    assert len(rows) == 4 and rows[0][0] == "built-in functions"
    built_in = float(rows[0][1])
    for name, seconds, ratio in rows:
        assert abs(float(seconds) / built_in - float(ratio)) <= 0.06, name
    assert f"Measured with Spark {pyspark.__version__}," in text, (
        "udf_ratio.md was measured with another Spark: run `nox -s spark-figures`"
    )
