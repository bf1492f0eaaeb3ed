"""POST three rows to a model served by serve.sh and print its predictions.

MODEL_SERVER_URL=http://127.0.0.1:5001 python examples/mlflow_/invoke.py
"""

import json
import os
import urllib.request

from sklearn.datasets import load_diabetes

url = os.environ.get("MODEL_SERVER_URL", "http://127.0.0.1:5001")
rows = load_diabetes(as_frame=True).frame.drop(columns="target").head(3)

# --8<-- [start:invoke]
# "dataframe_split" is one of the four accepted bodies (also dataframe_records, instances, inputs).
body = {"dataframe_split": rows.to_dict(orient="split", index=False)}
request = urllib.request.Request(
    f"{url}/invocations",
    data=json.dumps(body).encode(),
    headers={"Content-Type": "application/json"},
)
with urllib.request.urlopen(request, timeout=60) as response:
    answer = json.load(response)  # {"predictions": [...]}
# --8<-- [end:invoke]

print("predictions:", [round(p, 2) for p in answer["predictions"]])
