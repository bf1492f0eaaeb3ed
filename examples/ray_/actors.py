"""Ray actors: three stateful model replicas, 100 requests sent round-robin.

Start a cluster first (`ray start --head`, or set RAY_ADDRESS), then:

    python examples/ray_/actors.py
"""

import ray

ray.init(address="auto")


# --8<-- [start:actor]
@ray.remote
class ModelReplica:
    """Actor that holds a model in memory and serves predictions."""

    def __init__(self, model_id, model_path):
        self.model_id = model_id
        self.model = self._load_model(model_path)  # loaded once, when the actor starts
        self.request_count = 0

    def _load_model(self, path):
        # In reality, load from disk (e.g., torch.load, pickle)
        print(f"Loading model {self.model_id} from {path}")
        return {"name": f"model-{self.model_id}", "loaded": True}

    def predict(self, input_data):
        self.request_count += 1  # state lives in the actor's process between calls
        # Simulate inference
        return {
            "prediction": f"result_{input_data}",
            "model_id": self.model_id,
            "request_count": self.request_count,
        }

    def get_stats(self):
        return {"model_id": self.model_id, "request_count": self.request_count}


# --8<-- [end:actor]


# --8<-- [start:requests]
# Create 3 actors: 3 long-lived worker processes (add num_gpus=1 to pin one per GPU)
actors = [ModelReplica.remote(i, f"/models/model_{i}.bin") for i in range(3)]

# Send 100 inference requests, round-robin
futures = []
for i in range(100):
    actor = actors[i % 3]
    futures.append(actor.predict.remote(f"input_{i}"))

# Collect results
results = ray.get(futures)
print(results[-1])

# Check the stats of every actor: 100 requests over 3 actors is 34 + 33 + 33
for actor in actors:
    print(ray.get(actor.get_stats.remote()))
# --8<-- [end:requests]
