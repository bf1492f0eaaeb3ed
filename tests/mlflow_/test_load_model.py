"""examples/mlflow_/load_model.py: models:/DiabetesModel@champion as a pyfunc."""

from __future__ import annotations

from tests.mlflow_.conftest import EXAMPLES, MODEL_NAME, printed_predictions
from tests.support.examples import run_example


def test_pyfunc_by_alias_predicts_like_the_trained_model(
    champion, reference_model, first_rows, page_output
):
    out = run_example(EXAMPLES / "load_model.py").stdout
    expected = [round(float(p), 2) for p in reference_model.predict(first_rows)]
    assert printed_predictions(out) == expected
    page_output("examples/mlflow_/load_model.out.txt", out)


def test_pyfunc_equals_trained_model_on_the_test_set(champion, reference_model, diabetes_split):
    import mlflow.pyfunc

    _, X_test, _, _ = diabetes_split
    model = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}@champion")
    assert (model.predict(X_test) == reference_model.predict(X_test)).all()
