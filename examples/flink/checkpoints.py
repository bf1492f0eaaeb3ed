"""The page-view query with checkpoints on, to a local folder: one completes, the job is cancelled,
and the checkpoint stays (RETAIN_ON_CANCELLATION), ready to restart the job from.

Run it: `python examples/flink/checkpoints.py [workdir]` (a new temporary folder by default).
"""

import sys
import tempfile
import time
from pathlib import Path

from pyflink.common import Configuration
from pyflink.datastream import ExternalizedCheckpointRetention, StreamExecutionEnvironment
from pyflink.table import StreamTableEnvironment

HERE = Path(__file__).resolve().parent
WORKDIR = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="checkpoints-"))
CHECKPOINTS = WORKDIR / "checkpoints"
TIMEOUT_S = 300  # a busy laptop can take a minute to start the job and write the first checkpoint

# --8<-- [start:config]
# Flink 2.x: where checkpoints go is configuration (execution.checkpointing.dir), given to the
# environment when it is created; CheckpointConfig.set_checkpoint_storage_dir is gone.
config = Configuration()
# A local folder here; hdfs://... or s3://... on a cluster, where every task can reach it.
config.set_string("execution.checkpointing.dir", CHECKPOINTS.as_uri())
config.set_string("parallelism.default", "1")
env = StreamExecutionEnvironment.get_execution_environment(config)

# Every 2 s, so a local run sees one within seconds (production.py: 60 s and a 30 s pause).
env.enable_checkpointing(2_000)
checkpoints = env.get_checkpoint_config()
# At least 1 s of work between two checkpoints. A pause longer than the interval stretches the
# interval to it, and the first checkpoint waits for it too: 30 s here would mean 30 s.
checkpoints.set_min_pause_between_checkpoints(1_000)
checkpoints.set_checkpoint_timeout(600_000)  # a checkpoint slower than 10 min is abandoned
checkpoints.set_max_concurrent_checkpoints(1)
# Keep the last checkpoint when the job is cancelled (Flink 2.x name; 1.x said
# enable_externalized_checkpoints(ExternalizedCheckpointCleanup.RETAIN_ON_CANCELLATION)).
checkpoints.set_externalized_checkpoint_retention(
    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION
)
# --8<-- [end:config]

# --8<-- [start:job]
t_env = StreamTableEnvironment.create(env)
# An endless source of clicks (datagen), so the job is still running when a checkpoint is taken.
t_env.execute_sql("""
    CREATE TABLE user_clicks (
        user_id STRING,
        page STRING,
        click_time AS CAST(LOCALTIMESTAMP AS TIMESTAMP(3)),
        WATERMARK FOR click_time AS click_time - INTERVAL '5' SECOND
    ) WITH (
        'connector' = 'datagen',
        'rows-per-second' = '20',
        'fields.page.length' = '1'
    )
""")
t_env.execute_sql("""
    CREATE TABLE page_views (
        page STRING,
        window_start TIMESTAMP(3),
        window_end TIMESTAMP(3),
        view_count BIGINT
    ) WITH ('connector' = 'blackhole')
""")
job = t_env.execute_sql((HERE / "page_views.sql").read_text()).get_job_client()
# --8<-- [end:job]

# --8<-- [start:wait]
# A checkpoint is complete once its _metadata file is written: <dir>/<job id>/chk-<n>/_metadata.
deadline = time.monotonic() + TIMEOUT_S
while not any(CHECKPOINTS.glob("*/chk-*/_metadata")):
    if time.monotonic() > deadline:
        job.cancel().result()
        sys.exit(f"no completed checkpoint under {CHECKPOINTS} after {TIMEOUT_S} s")
    time.sleep(0.5)
job.cancel().result()
try:  # returns once the job has stopped; a cancelled job has no result, so it raises
    job.get_job_execution_result().result()
    outcome = "finished"
except Exception as stopped:
    outcome = "cancelled" if "JobCancellationException" in str(stopped) else f"failed: {stopped}"
print(f"job {job.get_job_id()} {outcome}")
for metadata in sorted(CHECKPOINTS.glob("*/chk-*/_metadata")):  # what is left after the cancel
    print(f"kept: {metadata.relative_to(WORKDIR)}")
# --8<-- [end:wait]
