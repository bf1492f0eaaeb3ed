"""examples/design/feature_store.py, the capacity estimate of docs/design/feature-store.md:
its arithmetic against figures worked by hand for two sets of inputs, the direction each
figure moves when an input grows, whole nodes rounded up, bad inputs named, and the table
the page shows."""

from __future__ import annotations

from dataclasses import replace
from types import ModuleType

import pytest

from tests.support.examples import import_example, run_example

OUTPUT = "examples/design/feature_store.out.txt"


@pytest.fixture(scope="module")
def fs() -> ModuleType:
    return import_example("design/feature_store.py")


def test_the_defaults_match_the_figures_worked_by_hand(fs):
    i = fs.FeatureStoreInputs()
    assert fs.online_row_bytes(i) == 200 * 8 + 64 == 1664
    assert fs.online_gb(i) == pytest.approx(200e6 * 1664 * 2 / 1e9) == 665.6
    assert fs.reads_per_s(i) == 20_000 * 50 == 1_000_000
    # 50,000 stream updates + 60 M changed rows over a 2-hour load
    assert fs.writes_per_s(i) == pytest.approx(50_000 + 60e6 / 7200)
    # memory: 665.6 GB / (64 GB x 0.7) = 14.9 -> 15; ops: (1 M + 2 x 58,333) / 100 k -> 12
    assert fs.online_nodes(i) == (15, 12)
    assert fs.read_bytes_per_s(i) * 8 / 1e9 == pytest.approx(2.56)
    # (60 M x 1,664 B + 50,000/s x 86,400 s x 96 B) x 0.3
    assert fs.offline_gb_per_day(i) == pytest.approx((99.84 + 414.72) * 0.3)
    assert fs.log_gb_per_day(i) == pytest.approx(320e6 * 0.05 * 86_400 * 0.3 / 1e9)
    assert fs.stored_tb(i) == pytest.approx((154.368 * 730 + 414.72 * 90) / 1000)
    assert fs.stream_workers(i) == 3  # 50,000 / 10,000 x 2 = 10 cores, 4 per worker
    assert fs.batch_core_hours_per_day(i) == pytest.approx(20 * 180 * 154.368 * 0.1 / 50)
    cost = fs.monthly_cost(i)
    assert cost["online store"] == 15 * 600
    assert cost["stream jobs"] == 3 * 150
    assert cost["batch joins"] == pytest.approx(1111.4496 * 30 * 0.05)
    assert cost["total"] == pytest.approx(sum(v for k, v in cost.items() if k != "total"))


def test_a_small_store_where_operations_bind_not_memory(fs):
    i = fs.FeatureStoreInputs(
        entities=1_000_000,
        online_features=100,
        replicas=3,
        node_memory_gb=16,
        node_fill=0.5,
        node_ops_per_s=10_000,
        peak_requests_per_s=1_000,
        keys_per_request=10,
        features_read_per_key=20,
        stream_events_per_s=1_000,
        daily_changed_share=0.5,
        materialize_hours=1,
    )
    assert fs.online_row_bytes(i) == 864
    assert fs.online_gb(i) == pytest.approx(2.592)  # 1 M x 864 B x 3
    assert fs.writes_per_s(i) == pytest.approx(1_000 + 500_000 / 3600)
    # memory: 2.592 / 8 -> 1 node; ops: 10,000 + 3 x 1,138.9 = 13,417 -> 2 nodes
    assert fs.online_nodes(i) == (1, 2)
    assert fs.monthly_cost(i)["online store"] == 2 * 600
    assert fs.stream_workers(i) == 1  # 0.2 cores still takes a whole worker


@pytest.mark.parametrize(
    ("field", "figure"),
    [
        ("entities", lambda fs, i: fs.online_gb(i)),
        ("online_features", lambda fs, i: fs.offline_gb_per_day(i)),
        ("peak_requests_per_s", lambda fs, i: fs.online_nodes(i)[1]),
        ("stream_events_per_s", lambda fs, i: fs.stream_workers(i)),
        ("retention_days", lambda fs, i: fs.stored_tb(i)),
        ("log_retention_days", lambda fs, i: fs.monthly_cost(i)["total"]),
        ("training_sets_per_day", lambda fs, i: fs.batch_core_hours_per_day(i)),
    ],
)
def test_more_load_never_needs_less(fs, field, figure):
    base = fs.FeatureStoreInputs()
    values = [figure(fs, replace(base, **{field: getattr(base, field) * k})) for k in (1, 2, 4)]
    assert values == sorted(values), values
    assert values[-1] > values[0], values


def test_more_replicas_cost_memory_and_write_operations(fs):
    one, three = fs.FeatureStoreInputs(replicas=1), fs.FeatureStoreInputs(replicas=3)
    assert fs.online_gb(three) == pytest.approx(3 * fs.online_gb(one))
    assert fs.online_nodes(three)[1] > fs.online_nodes(one)[1]


def test_whole_nodes_round_up_at_the_boundary(fs):
    # 1 M rows of 1,000 B, one replica: 1 GB, nodes of 1 GB filled to 100%
    exact = fs.FeatureStoreInputs(
        entities=1_000_000,
        online_features=117,
        row_overhead_bytes=64,
        replicas=1,
        node_memory_gb=1.0,
        node_fill=1.0,
        features_read_per_key=10,
    )
    assert fs.online_row_bytes(exact) == 1000
    assert fs.online_nodes(exact)[0] == 1
    assert fs.online_nodes(replace(exact, entities=1_000_001))[0] == 2


@pytest.mark.parametrize("field", ["entities", "replicas", "node_fill", "usd_per_gb_month"])
@pytest.mark.parametrize("bad", [0, -1])
def test_a_bad_input_names_its_field(fs, field, bad):
    with pytest.raises(ValueError, match=rf"\.{field} must be positive"):
        fs.FeatureStoreInputs(**{field: bad})


def test_a_share_above_one_is_refused(fs):
    with pytest.raises(ValueError, match="node_fill is a share"):
        fs.FeatureStoreInputs(node_fill=1.5)
    with pytest.raises(ValueError, match="features_read_per_key"):
        fs.FeatureStoreInputs(features_read_per_key=500)


def test_the_page_shows_what_the_calculator_prints(page_output):
    run = run_example("design/feature_store.py")
    lines = run.stdout.splitlines()
    assert max(map(len, lines)) <= 42  # fits a 390 px phone without scrolling
    assert "  nodes for memory                15 nodes" in lines
    assert "  total                             14,117" in lines
    page_output(OUTPUT, run.stdout)
