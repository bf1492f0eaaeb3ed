"""Ray tasks: fan stateless work out over a cluster and gather the results in order.

Start a cluster first (`ray start --head` on your machine, or set RAY_ADDRESS), then:

    python examples/ray_/tasks.py                         # the draft's 100 files x 2 s
    python examples/ray_/tasks.py --files 16 --seconds 1  # what the tests run
"""

import argparse
import time

import ray

parser = argparse.ArgumentParser(description="Launch one Ray task per file.")
parser.add_argument("--files", type=int, default=100, help="how many tasks to launch")
parser.add_argument("--seconds", type=float, default=2.0, help="simulated work per task")
args = parser.parse_args()

# --8<-- [start:tasks]
# Connect to a running cluster: the one RAY_ADDRESS names, else the head on this machine.
ray.init(address="auto")


@ray.remote
def preprocess_chunk(file_path: str, seconds: float) -> str:
    """Simulate preprocessing a chunk of data."""
    time.sleep(seconds)  # simulate work
    return f"Processed {file_path}"


# Ray starts worker processes on demand, so first calls pay for process start-up (seconds on a
# busy machine). Warm one worker per CPU first: the clock below then times the work alone.
cpus = int(ray.cluster_resources()["CPU"])
ray.get([preprocess_chunk.remote("warm-up", 0.5) for _ in range(cpus)])

file_paths = [f"data_{i}.csv" for i in range(args.files)]
start = time.perf_counter()
# .remote() returns an ObjectRef (a future) at once; the work runs on the cluster's workers.
futures = [preprocess_chunk.remote(path, args.seconds) for path in file_paths]
# ray.get blocks until every task is done and returns the results in the order of `futures`.
results = ray.get(futures)
elapsed = time.perf_counter() - start
print(f"Processed {len(results)} files: {results[0]!r} ... {results[-1]!r}")
# --8<-- [end:tasks]

# --8<-- [start:timing]
# Each task asks for 1 CPU (Ray's default), so at most `cpus` of them run at once.
serial = args.files * args.seconds
print(f"Batch took {elapsed:.1f} s on {cpus} CPUs; one after another it would take {serial:.1f} s")
print(f"Speed-up: {serial / elapsed:.1f}x (at best {min(cpus, args.files)}x)")
# --8<-- [end:timing]
