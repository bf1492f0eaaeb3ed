"""The KV cache formula equals the bytes of the real cache tensors, and the calculator's
arithmetic is the same formula and the same parameter count as transformers' Llama."""

from __future__ import annotations

import dataclasses
import re

import pytest
import torch
from transformers import LlamaConfig, LlamaForCausalLM

from tests.support.examples import import_example, run_in_process


@pytest.fixture(scope="module")
def kv_cache(tiny_llm):  # tiny_llm first: it puts examples/serving on sys.path
    return import_example("serving/kv_cache.py")


@pytest.fixture(scope="module")
def calculator():
    return import_example("serving/kv_cache_calculator.py")


def as_config(model) -> LlamaConfig:
    """A calculator Model as the transformers configuration it stands for."""
    return LlamaConfig(
        vocab_size=model.vocab,
        hidden_size=model.hidden,
        intermediate_size=model.intermediate,
        num_hidden_layers=model.layers,
        num_attention_heads=model.heads,
        num_key_value_heads=model.kv_heads,
        head_dim=model.head_dim,
        max_position_embeddings=model.context,
        tie_word_embeddings=False,
    )


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16])
def test_formula_equals_the_cache_tensors(dtype, tiny_llm, kv_cache):
    model = tiny_llm.build_model(dtype=dtype)
    size = torch.finfo(dtype).bits // 8
    for batch, prompt in [(1, 7), (3, 50), (8, 100)]:
        rows = kv_cache.measure(model, batch, prompt, steps=5)
        assert [tokens for tokens, _, _ in rows] == [prompt, prompt + 5]
        for tokens, formula, real in rows:
            assert formula == real, (dtype, batch, tokens)
            # By hand, for this config: 2 x 2 layers x 2 KV heads x 32 dims x bytes.
            assert real == 2 * 2 * 2 * 32 * size * tokens * batch
    config = tiny_llm.CONFIG
    assert config.num_key_value_heads < config.num_attention_heads  # GQA: the KV heads count


def test_the_page_output(tiny_llm, page_output):
    run = run_in_process("serving/kv_cache.py")
    # (cache dtype, batch, tokens, formula bytes, tensor bytes)
    rows = re.findall(r"^(fp32|bf16) +(\d+)x(\d+) +([\d,]+) +([\d,]+)$", run.stdout, re.M)
    assert len(rows) == 12
    assert all(row[3] == row[4] for row in rows)  # formula == tensors on every row
    assert {row[0] for row in rows} == {"fp32", "bf16"}
    assert "DIFFERENT" not in run.stdout
    # (batch, KV heads, tokens, head dim): 2 KV heads, not the 4 query heads
    assert "keys of a layer at 4x16: (4, 2, 16, 32)" in run.stdout
    page_output("examples/serving/kv_cache.out.txt", run.stdout)


def test_calculator_per_token_bytes_are_the_real_tensors(tiny_llm, kv_cache, calculator):
    config = tiny_llm.CONFIG
    tiny = calculator.Model(
        "tiny",
        config.num_hidden_layers,
        config.hidden_size,
        config.num_attention_heads,
        config.num_key_value_heads,
        config.head_dim,
        config.intermediate_size,
        config.vocab_size,
        tiny_llm.CONTEXT_LENGTH,
    )
    model = tiny_llm.build_model(dtype=torch.float16)
    _, (tokens, _, real) = kv_cache.measure(model, 2, 30, steps=3)
    assert calculator.BYTES["fp16"] == 2
    assert tiny.kv_bytes_per_token("fp16") * tokens * 2 == real
    assert tiny.parameters() == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("name", ["LLAMA_2_7B", "LLAMA_3_70B"])
def test_calculator_parameters_match_transformers_llama(name, calculator):
    model = getattr(calculator, name)
    with torch.device("meta"):  # shapes only: no memory for 70 billion weights
        real = LlamaForCausalLM(as_config(model))
    assert model.parameters() == sum(p.numel() for p in real.parameters())
    assert dataclasses.replace(model, kv_heads=model.heads).kv_bytes_per_token("fp16") == (
        model.kv_bytes_per_token("fp16") * model.heads // model.kv_heads
    )


def test_calculator_fit_is_the_largest_n(calculator):
    gpu = 80 * calculator.GB
    usable = gpu * 0.9
    for model in (calculator.LLAMA_2_7B, calculator.LLAMA_3_70B):
        for weights in calculator.BYTES:
            for kv in calculator.BYTES:
                n = calculator.sequences_that_fit(model, weights, kv, 4096)
                w = model.parameters() * calculator.BYTES[weights]
                per_seq = model.kv_bytes_per_token(kv) * 4096
                if w > usable:
                    assert n == 0
                    continue
                assert w + n * per_seq <= usable < w + (n + 1) * per_seq
    # The published numbers the page relies on.
    assert calculator.LLAMA_2_7B.kv_bytes_per_token("fp16") == 512 * 1024  # 0.5 MiB
    assert calculator.LLAMA_3_70B.kv_bytes_per_token("fp16") == 320 * 1024
    assert calculator.sequences_that_fit(calculator.LLAMA_3_70B, "fp16", "fp16", 1) == 0
    assert calculator.blocks(1000) == 63 and calculator.blocks(1008) == 63


def test_calculator_page_output(calculator, page_output):
    run = run_in_process("serving/kv_cache_calculator.py")
    assert "  fp16   141.1 GB  1.34 GB     0" in run.stdout  # 70B fp16 weights alone > 72 GB
    page_output("examples/serving/kv_cache_calculator.out.txt", run.stdout)
