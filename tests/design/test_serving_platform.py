"""The serving platform's capacity calculator: its arithmetic against figures worked by hand
for two sets of inputs, the directions it must move in, whole replicas and GPUs, inputs it
refuses, and the output the page shows (examples/design/serving_platform.py)."""

from __future__ import annotations

import re

import pytest

from tests.support.examples import import_example, run_example

EXAMPLE = "design/serving_platform.py"
OUTPUT = "examples/design/serving_platform.out.txt"


@pytest.fixture(scope="module")
def calc():
    return import_example("design/serving_platform.py")


def test_the_default_inputs_by_hand(calc):
    t, m, g = calc.Traffic(), calc.Llm(), calc.Gpu()
    # 10M requests a day / 86,400 s x 3 at peak; 250 output tokens each.
    assert calc.peak_rps(t) == pytest.approx(347.222, abs=1e-3)
    assert calc.peak_output_tokens_s(t) == pytest.approx(86_805.6, abs=0.1)
    # One replica: 500 tok/s x 4 GPUs x 0.7 = 1,400 tok/s; 86,806 / 1,400 = 62.004 -> 63.
    assert calc.replicas(t, m, g) == 63
    assert calc.replicas(t, m, g, rps=calc.peak_rps(t) / 3) == 21  # 20.7 -> 21
    # 70.55e9 x 2 B; 2 x 80 layers x 8 KV heads x 128 x 2 B; 4 x 80 x 0.9 - 141.1.
    assert calc.weights_gb(m) == pytest.approx(141.1)
    assert calc.kv_bytes_per_token(m) == 327_680
    assert calc.kv_pool_gb(m, g) == pytest.approx(146.9)
    # Little's law: 347.2 req/s x (0.5 s + 250 x 0.04 s) = 3,646 in flight.
    assert calc.in_flight(t) == pytest.approx(3645.83, abs=0.01)
    # 3,646 / 63 replicas x 1,250 tokens x 327,680 B.
    assert calc.kv_in_use_gb(t, m, g) == pytest.approx(3645.833 / 63 * 0.4096, abs=1e-3)
    assert calc.small_model_gpus(t, g) == 6  # 40 / 7 = 5.7 -> 6
    # (252 + 6) GPUs x 730 h x $2.50.
    assert calc.monthly_usd(252 + 6, g) == 470_850
    store = calc.storage_tb(t, m)
    assert store["weights"] == pytest.approx(0.7055)  # 5 x 141.1 GB
    assert store["logs"] == pytest.approx(2.4)  # 10M x 30 days x 8 kB


def test_a_small_model_on_one_gpu_by_hand(calc):
    t = calc.Traffic(
        requests_per_day=864_000,  # 10 req/s on average
        peak_to_mean=2,
        prompt_tokens=500,
        output_tokens=100,
        ttft_s=1,
        tpot_s=0.05,
        small_models=7,
        log_kb_per_request=1,
        log_days=10,
    )
    m = calc.Llm(params=8e9, layers=32, kv_heads=8, head_dim=128, gpus=1, versions_kept=2)
    g = calc.Gpu(output_tokens_s=1000, busy_share=0.5, hour_usd=2)
    assert calc.peak_rps(t) == pytest.approx(20)
    # 20 x 100 = 2,000 tok/s over 1,000 x 1 x 0.5 = 500 per replica: exactly 4.
    assert calc.replicas(t, m, g) == 4
    assert calc.replicas(t, m, g, rps=10) == 2
    assert calc.weights_gb(m) == pytest.approx(16)
    assert calc.kv_bytes_per_token(m) == 2 * 32 * 8 * 128 * 2 == 131_072
    assert calc.kv_pool_gb(m, g) == pytest.approx(72 - 16)
    # 20 req/s x (1 s + 100 x 0.05 s) = 120 in flight, 30 a replica, 600 tokens each.
    assert calc.in_flight(t) == pytest.approx(120)
    assert calc.kv_in_use_gb(t, m, g) == pytest.approx(30 * 600 * 131_072 / 1e9)
    assert calc.small_model_gpus(t, g) == 1
    assert calc.monthly_usd(4 + 1, g) == 7_300
    assert calc.storage_tb(t, m)["logs"] == pytest.approx(0.00864)


def test_more_context_needs_more_kv_memory(calc):
    m, g = calc.Llm(), calc.Gpu()
    used = [calc.kv_in_use_gb(calc.Traffic(prompt_tokens=p), m, g) for p in (500, 1000, 4000)]
    assert used == sorted(used) and used[0] < used[-1]
    # A full-attention model (64 KV heads) caches 8 times what GQA's 8 heads do.
    assert calc.kv_bytes_per_token(calc.Llm(kv_heads=64)) == 8 * calc.kv_bytes_per_token(m)


def test_more_traffic_needs_more_replicas(calc):
    m, g = calc.Llm(), calc.Gpu()
    counts = [calc.replicas(calc.Traffic(requests_per_day=r * 1e6), m, g) for r in range(1, 41)]
    assert counts == sorted(counts) and counts[-1] > counts[0]
    # A faster GPU (a better engine, a smaller model) needs fewer.
    fast = calc.Gpu(output_tokens_s=1000)
    assert calc.replicas(calc.Traffic(), m, fast) < calc.replicas(calc.Traffic(), m, g)


def test_replicas_and_gpus_are_whole(calc):
    m, g = calc.Llm(), calc.Gpu()
    # 1,400 tok/s fills one replica; one more token per second needs a second.
    one = calc.Traffic(requests_per_day=1400 / 250 * 86400, peak_to_mean=1)
    more = calc.Traffic(requests_per_day=1401 / 250 * 86400, peak_to_mean=1)
    assert calc.replicas(one, m, g) == 1
    assert calc.replicas(more, m, g) == 2
    assert calc.small_model_gpus(calc.Traffic(small_models=8), g) == 2


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda c: c.Traffic(requests_per_day=0), "Traffic.requests_per_day"),
        (lambda c: c.Traffic(output_tokens=-1), "Traffic.output_tokens"),
        (lambda c: c.Llm(gpus=0), "Llm.gpus"),
        (lambda c: c.Gpu(busy_share=0), "Gpu.busy_share"),
        (lambda c: c.Gpu(usable_share=1.5), "Gpu.usable_share"),
        (lambda c: c.Gpu(output_tokens_s=-500), "Gpu.output_tokens_s"),
    ],
)
def test_a_bad_input_names_its_field(calc, build, field):
    with pytest.raises(ValueError, match=re.escape(field)):
        build(calc)


def test_a_replica_too_small_for_the_weights_is_refused(calc):
    # 141.1 GB of weights on one 80 GB GPU: no room, not a negative pool.
    with pytest.raises(ValueError, match=re.escape("Llm.gpus")):
        calc.kv_pool_gb(calc.Llm(gpus=1), calc.Gpu())


def test_the_page_shows_what_it_prints(page_output):
    run = run_example(EXAMPLE)
    assert "  replicas at peak           63 = 252 GPUs" in run.stdout
    assert "  pool in use                          16%" in run.stdout
    assert max(len(line) for line in run.stdout.splitlines()) <= 44  # a phone's width
    page_output(OUTPUT, run.stdout)
