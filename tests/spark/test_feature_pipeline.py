"""The draft's feature pipeline, corrected: every number checked against the data it generated."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.spark.conftest import run_printing

# The draft's first lines: a comment after a `\` continuation.
DRAFT_SESSION = """\
spark = SparkSession.builder \\
    .appName("FeatureEngineering") \\
    .config("spark.sql.adaptive.enabled", "true") \\  # Dynamic optimization
    .getOrCreate()
"""


def test_draft_line_continuation_with_comment_is_a_syntax_error():
    with pytest.raises(SyntaxError, match="unexpected character after line continuation"):
        compile(DRAFT_SESSION, "draft.py", "exec")


@pytest.fixture(scope="module")
def pipeline(spark, example, tmp_path_factory):
    module = example("feature_pipeline")
    assert module.session() is spark  # getOrCreate returns the running session
    result, printed = run_printing(module.run, spark, tmp_path_factory.mktemp("pipeline"))
    return module, {**result, "printed": printed}


def test_session_applies_the_adaptive_settings(spark, pipeline):
    for key in (
        "spark.sql.adaptive.enabled",
        "spark.sql.adaptive.coalescePartitions.enabled",
        "spark.sql.adaptive.skewJoin.enabled",
    ):
        assert spark.conf.get(key) == "true"


def test_cleaning_numbers_match_the_generated_data(pipeline):
    module, result = pipeline
    rows = module.make_transactions()
    kept = [r for r in rows if r[0] is not None and r[1] is not None]
    assert result["rows_before"] == len(rows)
    assert result["rows_after"] == len(kept)
    assert 0 < len(rows) - len(kept) < len(rows) * 0.1  # "a few nulls"
    assert result["high_value"] == sum(1 for r in kept if r[1] > 1000)


def test_udf_maps_categories_and_null_to_zero(pipeline):
    _, result = pipeline
    assert result["scores"] == {"A": 1.0, "B": 2.0, "C": 3.0, "D": 0.0, None: 0.0}


def test_split_sizes_and_model_quality(pipeline):
    _, result = pipeline
    assert result["train_rows"] + result["test_rows"] == result["rows_after"]
    assert 0.15 < result["test_rows"] / result["rows_after"] < 0.25
    # The label depends on amount > 1000 and category C, so the forest must beat chance clearly.
    assert 0.7 < result["auc"] <= 1.0
    assert 0.6 < result["accuracy"] <= 1.0


def test_reloaded_model_predicts_the_same(pipeline):
    _, result = pipeline
    assert Path(result["model_path"], "metadata").is_dir()
    assert result["reloaded_same"] is True


def test_page_shows_what_the_example_printed(pipeline, page_output):
    # The tests' local[2] session: the same two partitions, so the same split, on any machine.
    _, result = pipeline
    page_output("examples/spark/feature_pipeline.out.txt", result["printed"])


def test_draft_data_has_no_label_column(spark):
    """The draft reads user_id, amount, category and trains on `label`, which nothing made."""
    from pyspark.ml.classification import RandomForestClassifier
    from pyspark.ml.feature import VectorAssembler

    rows = [(1, 10.0, 1.0), (2, 2000.0, 3.0)]
    df = spark.createDataFrame(rows, ["user_id", "amount", "category_score"])
    df = VectorAssembler(inputCols=["amount", "category_score"], outputCol="features").transform(df)
    with pytest.raises(Exception, match="label"):
        RandomForestClassifier(labelCol="label", featuresCol="features").fit(df)


def test_draft_s3_path_has_no_filesystem_locally(spark):
    with pytest.raises(Exception, match='No FileSystem for scheme "s3"'):
        spark.read.parquet("s3://data/raw/transactions.parquet")
