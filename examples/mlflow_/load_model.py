"""Load whatever version @champion points at, as a generic Python function, and predict.

    MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python examples/mlflow_/load_model.py

Run tracking.py and registry.py first.
"""

# --8<-- [start:load]
import mlflow.pyfunc
from sklearn.datasets import load_diabetes

model = mlflow.pyfunc.load_model("models:/DiabetesModel@champion")

data = load_diabetes(as_frame=True).frame.drop(columns="target").head(3)
predictions = model.predict(data)
# --8<-- [end:load]

print("predictions:", [round(float(p), 2) for p in predictions])
