"""Ray Serve: a sentiment model behind HTTP, two replicas, current API (bind + serve.run).

Start a cluster first (`ray start --head`, or set RAY_ADDRESS), then:

    python examples/ray_/serve_sentiment.py
    curl -X POST --data "I love this!" http://127.0.0.1:8000/sentiment

The application keeps running on the cluster after this script exits, until
`serve.shutdown()` (or `serve shutdown`). SERVE_HTTP_PORT moves it off port 8000.
"""

import os

import ray
import requests
from ray import serve
from starlette.requests import Request

PORT = int(os.environ.get("SERVE_HTTP_PORT", "8000"))

ray.init(address="auto")
# Cluster-wide HTTP options; they only take effect if Serve is not running there yet.
serve.start(http_options={"host": "127.0.0.1", "port": PORT})


# --8<-- [start:deployment]
@serve.deployment(
    num_replicas=2,
    # Half a CPU each, so both replicas fit on a 1-CPU node. On a GPU cluster,
    # {"num_gpus": 0.5} packs the two replicas onto one GPU the same way.
    ray_actor_options={"num_cpus": 0.5},
)
class SentimentModel:
    def __init__(self):
        # Load the model once per replica. VADER ships its lexicon in the package: no download.
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self.model = SentimentIntensityAnalyzer()

    async def __call__(self, request: Request) -> dict:
        text = (await request.body()).decode()
        score = self.model.polarity_scores(text)["compound"]  # -1 (negative) to +1 (positive)
        label = "POSITIVE" if score >= 0.05 else "NEGATIVE" if score <= -0.05 else "NEUTRAL"
        return {"label": label, "score": score}


# --8<-- [end:deployment]


# --8<-- [start:run]
# Deploy: bind() builds the application, serve.run() deploys it and waits until it is healthy.
serve.run(SentimentModel.bind(), name="sentiment", route_prefix="/sentiment")

# Send a test request
for text in ["I love this!", "This is the worst purchase I have ever made."]:
    resp = requests.post(f"http://127.0.0.1:{PORT}/sentiment", data=text, timeout=30)
    resp.raise_for_status()
    print(f"{text!r} -> {resp.json()}")
# --8<-- [end:run]
