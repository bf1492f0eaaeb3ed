"""A PySpark feature-engineering pipeline, end to end: Parquet in, a saved Random Forest out.

Run it: `python examples/spark/feature_pipeline.py` (local[*]), or against a cluster with
`spark-submit --master spark://host:7077 examples/spark/feature_pipeline.py`. It writes its own
small transactions data set, so it needs nothing but Spark.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from pyspark.ml.classification import RandomForestClassificationModel, RandomForestClassifier
from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.ml.feature import StandardScaler, VectorAssembler
from pyspark.sql import SparkSession
from pyspark.sql.functions import col, udf, when
from pyspark.sql.types import (
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

SCHEMA = StructType(
    [
        StructField("user_id", LongType()),
        StructField("amount", DoubleType()),
        StructField("category", StringType()),
        StructField("label", IntegerType()),
    ]
)


def make_transactions(n: int = 5000, seed: int = 42) -> list[tuple]:
    """Transactions with a few nulls; big amounts and category C are more often fraud (label 1)."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        amount = round(rng.lognormvariate(6.0, 1.0), 2)  # median ~400, about 1 in 5 over 1000
        category = rng.choice(["A", "B", "C", "D", None])
        p_fraud = 0.05 + 0.6 * (amount > 1000) + 0.2 * (category == "C")
        label = int(rng.random() < p_fraud)
        user_id = rng.randrange(1, 500) if rng.random() > 0.02 else None
        rows.append((user_id, amount if rng.random() > 0.03 else None, category, label))
    return rows


def run(spark: SparkSession, workdir: Path) -> dict:
    raw_path = str(workdir / "transactions.parquet")
    model_path = str(workdir / "rf_model_v1")
    spark.createDataFrame(make_transactions(), SCHEMA).write.mode("overwrite").parquet(raw_path)

    # --8<-- [start:clean]
    # 2. Read data (Parquet here; s3a://bucket/... on a cluster with hadoop-aws configured)
    df = spark.read.parquet(raw_path)

    # 3. Explore and clean
    df.printSchema()
    df.describe("amount").show()
    rows_before = df.count()
    df = df.dropna(subset=["user_id", "amount"])
    rows_after = df.count()
    print(f"dropna removed {rows_before - rows_after} of {rows_before} rows")

    # 4. Feature engineering with DataFrame transformations (built-in: runs in the JVM)
    df = df.withColumn("is_high_value", when(col("amount") > 1000, 1).otherwise(0))
    high_value = df.filter(col("is_high_value") == 1).count()
    print(f"high-value transactions: {high_value}")
    # --8<-- [end:clean]

    # --8<-- [start:udf]
    # 5. User Defined Function (UDF) for custom logic: each row goes to a Python worker
    def category_to_score(category):
        mapping = {"A": 1.0, "B": 2.0, "C": 3.0}
        return mapping.get(category, 0.0)

    category_to_score_udf = udf(category_to_score, DoubleType())
    df = df.withColumn("category_score", category_to_score_udf(col("category")))
    scores = {
        row["category"]: row["category_score"]
        for row in df.select("category", "category_score").distinct().collect()
    }
    print(f"category scores: {dict(sorted(scores.items(), key=lambda kv: str(kv[0])))}")
    # --8<-- [end:udf]

    # --8<-- [start:features]
    # 6. Assemble features into one vector column, as MLlib estimators expect
    feature_cols = ["amount", "category_score", "is_high_value"]
    assembler = VectorAssembler(inputCols=feature_cols, outputCol="features")
    df_vector = assembler.transform(df)

    # 7. Scale features to zero mean and unit variance (fit computes mean and std: a job)
    scaler = StandardScaler(
        inputCol="features", outputCol="scaled_features", withStd=True, withMean=True
    )
    scaler_model = scaler.fit(df_vector)
    df_scaled = scaler_model.transform(df_vector).cache()  # read by the split, fit and evaluation

    # 8. Train/test split: fractions are per-row probabilities, so sizes are close, not exact
    train, test = df_scaled.randomSplit([0.8, 0.2], seed=42)
    train_rows, test_rows = train.count(), test.count()
    print(f"train rows: {train_rows}, test rows: {test_rows}")
    # --8<-- [end:features]

    # --8<-- [start:model]
    # 9. ML model (Random Forest); the label column is part of the data set
    rf = RandomForestClassifier(
        labelCol="label", featuresCol="scaled_features", numTrees=50, maxDepth=5, seed=42
    )
    model = rf.fit(train)

    # 10. Evaluate on rows the model never saw
    predictions = model.transform(test)
    predictions.select("label", "prediction", "probability").show(5, truncate=False)
    auc = BinaryClassificationEvaluator(labelCol="label").evaluate(predictions)
    accuracy = predictions.filter(col("label") == col("prediction")).count() / test_rows
    print(f"test AUC: {auc:.3f}, accuracy: {accuracy:.3f}")

    # 11. Save the model, load it back, and check it predicts the same
    model.write().overwrite().save(model_path)
    reloaded = RandomForestClassificationModel.load(model_path)
    again = reloaded.transform(test).select(col("prediction").alias("reloaded_prediction"))
    same = predictions.select("prediction").collect() == again.collect()
    print(f"reloaded model predicts the same on {test_rows} rows: {same}")
    # --8<-- [end:model]

    df_scaled.unpersist()
    return {
        "rows_before": rows_before,
        "rows_after": rows_after,
        "high_value": high_value,
        "scores": scores,
        "train_rows": train_rows,
        "test_rows": test_rows,
        "auc": auc,
        "accuracy": accuracy,
        "reloaded_same": same,
        "model_path": model_path,
    }


def session() -> SparkSession:
    # --8<-- [start:session]
    # 1. Initialize the Spark session. The master comes from outside the code: local[*] by
    # default, `spark-submit --master ...` on a cluster. A comment cannot follow a `\`
    # continuation, so the chain sits in parentheses.
    spark = (
        SparkSession.builder.appName("FeatureEngineering")
        .config("spark.sql.adaptive.enabled", "true")  # re-plan between stages (default on)
        .config("spark.sql.adaptive.coalescePartitions.enabled", "true")
        .config("spark.sql.adaptive.skewJoin.enabled", "true")
        .getOrCreate()
    )
    # --8<-- [end:session]
    return spark


if __name__ == "__main__":
    spark = session()
    with tempfile.TemporaryDirectory(prefix="feature-pipeline-") as workdir:
        run(spark, Path(workdir))
    spark.stop()
