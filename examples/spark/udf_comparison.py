"""The same column three ways: a Python UDF, a pandas UDF, and built-in functions.

Run it: `python examples/spark/udf_comparison.py`. All three give the same scores; how long
each takes is measured by examples/spark/benchmarks/figures.py.
"""

from __future__ import annotations

import pandas as pd
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType

MAPPING = {"A": 1.0, "B": 2.0, "C": 3.0}


def categories(spark: SparkSession, rows: int) -> DataFrame:
    """`rows` categories cycling A, B, C, D, null."""
    names = F.array(*[F.lit(name) for name in ["A", "B", "C", "D"]])
    return spark.range(rows).select(
        F.when(F.col("id") % 5 == 4, F.lit(None).cast("string"))
        .otherwise(F.element_at(names, (F.col("id") % 5 + 1).cast("int")))
        .alias("category")
    )


# --8<-- [start:three-ways]
# 1. Python UDF: Spark sends rows to a Python worker, which calls the function once per row.
@F.udf(DoubleType())
def score_udf(category):
    return MAPPING.get(category, 0.0)


# 2. pandas UDF: Spark sends Arrow batches; the function runs once per batch, vectorized.
@F.pandas_udf(DoubleType())
def score_pandas_udf(category: pd.Series) -> pd.Series:
    return category.map(MAPPING).fillna(0.0)


# 3. Built-in functions: the JVM evaluates them (code-generated); no Python worker at all.
def score_builtin(category: Column) -> Column:
    score = F.lit(0.0)
    for name, value in MAPPING.items():
        score = F.when(category == name, value).otherwise(score)
    return score
    # --8<-- [end:three-ways]


def run(spark: SparkSession, rows: int = 100_000) -> dict:
    # --8<-- [start:compare]
    category = F.col("category")
    scored = categories(spark, rows).select(
        category,
        score_udf(category).alias("python_udf"),
        score_pandas_udf(category).alias("pandas_udf"),
        score_builtin(category).alias("builtin"),
    )
    differ = scored.filter(
        (F.col("python_udf") != F.col("builtin")) | (F.col("pandas_udf") != F.col("builtin"))
    ).count()
    per_category = {
        row["category"]: row["builtin"]
        for row in scored.select("category", "builtin").distinct().collect()
    }
    print(f"rows where the three disagree: {differ} of {rows}")
    print(f"score per category: {dict(sorted(per_category.items(), key=lambda kv: str(kv[0])))}")
    # --8<-- [end:compare]
    return {
        "rows": scored.count(),
        "differ": differ,
        "per_category": per_category,
        "sums": scored.agg(*[F.sum(c) for c in ["python_udf", "pandas_udf", "builtin"]]).first(),
    }


if __name__ == "__main__":
    spark = SparkSession.builder.appName("udf-comparison").getOrCreate()
    run(spark)
    spark.stop()
