"""A Python UDF, a pandas UDF and built-in functions compute the same column."""

from __future__ import annotations


def test_three_ways_give_identical_scores(spark, example):
    module = example("udf_comparison")
    result = module.run(spark, rows=10_000)
    assert result["rows"] == 10_000
    assert result["differ"] == 0
    assert result["per_category"] == {"A": 1.0, "B": 2.0, "C": 3.0, "D": 0.0, None: 0.0}
    # 2,000 rows of each category: A + B + C = 2,000 * 6
    assert list(result["sums"]) == [12_000.0] * 3


def test_python_udfs_run_through_arrow_by_default(spark):
    assert spark.conf.get("spark.sql.execution.pythonUDF.arrow.enabled") == "true"
