"""Page views per 10-minute event-time window, on a local Flink, from a file of clicks.

Run it: `python examples/flink/page_views.py [workdir]`. It writes the clicks it generates and the
counts Flink computes under workdir (a new temporary folder by default), then prints the counts.
"""

import csv
import sys
import tempfile
from pathlib import Path

from pyflink.table import EnvironmentSettings, TableEnvironment

HERE = Path(__file__).resolve().parent
WORKDIR = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="page-views-"))

# --8<-- [start:clicks]
# (user, page, event time) in the order they ARRIVE. Event times are not in order: the network,
# retries and phones that were offline deliver clicks late. The watermark trails the largest
# event time seen by 5 s, and a 10-minute window is final once the watermark passes its end.
CLICKS = [
    ("alice", "/home", "2026-11-26 12:01:00"),
    ("bob", "/cart", "2026-11-26 12:04:00"),
    ("carol", "/home", "2026-11-26 12:03:58"),  # 2 s out of order: within the 5 s, counted
    ("alice", "/home", "2026-11-26 12:09:58"),
    ("dave", "/cart", "2026-11-26 12:10:03"),  # watermark 12:09:58: [12:00, 12:10) still open
    ("erin", "/cart", "2026-11-26 12:09:59"),  # 4 s out of order: still counted in [12:00, 12:10)
    ("bob", "/home", "2026-11-26 12:10:06"),  # watermark 12:10:01: [12:00, 12:10) fires
    ("frank", "/cart", "2026-11-26 12:09:57"),  # 9 s late: its window has fired, dropped
    ("carol", "/checkout", "2026-11-26 12:12:00"),
    ("alice", "/home", "2026-11-26 12:15:00"),
    ("erin", "/cart", "2026-11-26 12:19:59"),
    ("dave", "/home", "2026-11-26 12:20:01"),
]
# --8<-- [end:clicks]

clicks_dir = WORKDIR / "clicks"
clicks_dir.mkdir(parents=True, exist_ok=True)
with open(clicks_dir / "clicks.csv", "w", newline="") as handle:
    csv.writer(handle).writerows(CLICKS)

# --8<-- [start:environment]
# Streaming mode: watermarks and late data exist only there (batch mode sees every row first).
# One parallel task reads the file, so the arrival order above is the order Flink sees.
settings = EnvironmentSettings.in_streaming_mode()
t_env = TableEnvironment.create(settings)
t_env.get_config().set("parallelism.default", "1")
# --8<-- [end:environment]

# --8<-- [start:tables]
t_env.execute_sql(f"""
    CREATE TABLE user_clicks (
        user_id STRING,
        page STRING,
        click_time TIMESTAMP(3),
        WATERMARK FOR click_time AS click_time - INTERVAL '5' SECOND
    ) WITH (
        'connector' = 'filesystem',
        'path' = '{clicks_dir}',
        'format' = 'csv'
    )
""")
t_env.execute_sql(f"""
    CREATE TABLE page_views (
        page STRING,
        window_start TIMESTAMP(3),
        window_end TIMESTAMP(3),
        view_count BIGINT
    ) WITH (
        'connector' = 'filesystem',
        'path' = '{WORKDIR / "page_views"}',
        'format' = 'csv'
    )
""")
# --8<-- [end:tables]

# --8<-- [start:run]
query = (HERE / "page_views.sql").read_text()
# execute_sql submits the job and returns at once: wait(), or a local run ends before the job does.
t_env.execute_sql(query).wait()
# --8<-- [end:run]

# --8<-- [start:print]
rows = []
for part in sorted((WORKDIR / "page_views").rglob("*")):
    if part.is_file() and not part.name.startswith("."):  # skip in-progress files
        rows += list(csv.reader(part.open()))
print(f"{'window':<13} {'page':<9} views")
for page, start, end, views in sorted(rows, key=lambda row: (row[1], row[0])):
    print(f"{start[11:16]}-{end[11:16]}   {page:<9} {views}")
# --8<-- [end:print]
