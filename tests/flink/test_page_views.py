"""examples/flink/page_views.py: exact counts per page per window, the late click dropped."""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.flink.conftest import EXAMPLES
from tests.support.examples import run_in_process

WATERMARK_DELAY = timedelta(seconds=5)
WINDOW = timedelta(minutes=10)

# What the page shows and this test expects: (window start, page) -> views.
EXPECTED = {
    ("2026-11-26 12:00:00", "/cart"): 2,
    ("2026-11-26 12:00:00", "/home"): 3,
    ("2026-11-26 12:10:00", "/cart"): 2,
    ("2026-11-26 12:10:00", "/checkout"): 1,
    ("2026-11-26 12:10:00", "/home"): 2,
    ("2026-11-26 12:20:00", "/home"): 1,
}
LATE_CLICK = ("frank", "/cart", "2026-11-26 12:09:57")


@pytest.fixture(scope="module")
def page_views(flink_gateway, tmp_path_factory):
    """Run the example once for this module: its workdir, its stdout, its CLICKS."""
    workdir = tmp_path_factory.mktemp("page_views")
    run = run_in_process("flink/page_views.py", workdir)
    out, names = run.stdout, run.globals
    return workdir, out, names


def sink_rows(workdir: Path) -> dict[tuple[str, str], int]:
    rows: dict[tuple[str, str], int] = {}
    files = [p for p in (workdir / "page_views").rglob("*") if p.is_file()]
    assert files, f"the sink wrote no file under {workdir / 'page_views'}"
    for part in files:
        assert not part.name.startswith("."), f"{part} is still in progress: the job did not finish"
        for page, start, end, views in csv.reader(part.open()):
            key = (start[:19], page)
            assert key not in rows, f"window {key} was written twice: results must be final"
            assert datetime.fromisoformat(end) - datetime.fromisoformat(start) == WINDOW
            rows[key] = int(views)
    return rows


def reference_counts(clicks) -> dict[tuple[str, str], int]:
    """Event time by hand: the watermark trails the largest time seen by 5 s; a click whose
    window has already ended (end <= watermark + 1 ms) is late and dropped."""
    watermark = datetime.min
    counts: Counter = Counter()
    for _user, page, at in clicks:
        time = datetime.fromisoformat(at)
        start = time.replace(minute=time.minute - time.minute % 10, second=0)
        if start + WINDOW - timedelta(milliseconds=1) > watermark:
            counts[(str(start), page)] += 1
        watermark = max(watermark, time - WATERMARK_DELAY)
    return dict(counts)


def test_counts_per_page_per_window(page_views):
    workdir, _out, clicks = page_views
    rows = sink_rows(workdir)
    assert rows == EXPECTED
    assert rows == reference_counts(clicks["CLICKS"])


def test_late_click_is_dropped(page_views):
    workdir, _out, clicks = page_views
    assert LATE_CLICK in clicks["CLICKS"]
    rows = sink_rows(workdir)
    # /cart in [12:00, 12:10): bob 12:04:00 and erin 12:09:59 (4 s out of order) count; frank
    # 12:09:57 arrives after the watermark passed 12:10 and is not counted anywhere.
    assert rows[("2026-11-26 12:00:00", "/cart")] == 2
    assert sum(rows.values()) == len(clicks["CLICKS"]) - 1


def test_page_shows_what_the_example_printed(page_views, page_output):
    _workdir, out, _clicks = page_views
    assert re.search(r"12:00-12:10 +/home +3", out), out
    page_output("examples/flink/page_views.out.txt", out)


def clicks_table(t_env, clicks_dir: Path) -> None:
    """The example's source table, on the clicks file the example wrote."""
    t_env.execute_sql(f"""
        CREATE TABLE user_clicks (
            user_id STRING, page STRING, click_time TIMESTAMP(3),
            WATERMARK FOR click_time AS click_time - INTERVAL '5' SECOND
        ) WITH ('connector' = 'filesystem', 'path' = '{clicks_dir}', 'format' = 'csv')
    """)


def collect(t_env, select: str) -> list:
    with t_env.execute_sql(select).collect() as results:
        return list(results)


def as_counts(rows) -> dict[tuple[str, str], int]:
    return {(str(row[1]), row[0]): row[3] for row in rows}


TVF_SELECT = (EXAMPLES / "page_views.sql").read_text().split("INSERT INTO page_views", 1)[1]
DRAFT_SELECT = """
    SELECT
        page,
        TUMBLE_START(click_time, INTERVAL '10' MINUTE) AS window_start,
        TUMBLE_END(click_time, INTERVAL '10' MINUTE) AS window_end,
        COUNT(*) AS view_count
    FROM user_clicks
    GROUP BY page, TUMBLE(click_time, INTERVAL '10' MINUTE)
"""


def streaming_env():
    from pyflink.table import EnvironmentSettings, TableEnvironment

    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    t_env.get_config().set("parallelism.default", "1")
    return t_env


def test_window_rows_are_final_inserts_not_updates(page_views):
    from pyflink.common import RowKind

    workdir, _out, _clicks = page_views
    t_env = streaming_env()
    clicks_table(t_env, workdir / "clicks")
    rows = collect(t_env, TVF_SELECT)
    # One INSERT per page per window, emitted when the watermark passes the window's end: no
    # update or retraction ever follows, which is why an append-only file sink accepts it.
    assert {row.get_row_kind() for row in rows} == {RowKind.INSERT}
    assert as_counts(rows) == EXPECTED


def test_draft_group_window_gives_the_same_rows(page_views):
    workdir, _out, _clicks = page_views
    t_env = streaming_env()
    clicks_table(t_env, workdir / "clicks")
    # The draft's TUMBLE_START / GROUP BY TUMBLE(...) still runs in Flink 2.x: same rows,
    # same late click dropped. The page uses the windowing TVF that Flink recommends.
    assert as_counts(collect(t_env, DRAFT_SELECT)) == EXPECTED


def test_batch_mode_counts_the_late_click(page_views):
    from pyflink.table import EnvironmentSettings, TableEnvironment

    workdir, _out, _clicks = page_views
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    clicks_table(t_env, workdir / "clicks")
    counts = as_counts(collect(t_env, TVF_SELECT))
    # Batch reads every row before it computes a window: no watermark, nothing is late.
    assert counts[("2026-11-26 12:00:00", "/cart")] == 3
    assert counts == {**EXPECTED, ("2026-11-26 12:00:00", "/cart"): 3}
