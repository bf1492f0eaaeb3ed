"""The KV cache formula against the bytes of a real model's cache tensors.

A prefill of `batch` prompts of `prompt` tokens, then decode steps, on the
tiny Llama in fp32 and in bf16; after each, the formula's bytes and the
bytes of the tensors that transformers' DynamicCache holds.
"""

from __future__ import annotations

import torch
from tiny_llm import CONFIG, build_model
from transformers import DynamicCache

CASES = [(1, 16), (4, 100), (8, 200)]  # (batch, prompt tokens)
DECODE_STEPS = 5


# --8<-- [start:formula]
def kv_cache_bytes(config, tokens: int, batch: int, size: int) -> int:
    """2 (key and value) x layers x KV heads x head dim x tokens x bytes."""
    per_token = (
        2
        * config.num_hidden_layers
        * config.num_key_value_heads  # not num_attention_heads
        * config.head_dim
        * size  # bytes per value: 4 in fp32, 2 in bf16 or fp16
    )
    return per_token * tokens * batch


def tensor_bytes(cache: DynamicCache) -> int:
    """What the cache really holds: every layer's keys and values."""
    tensors = [t for layer in cache.layers for t in (layer.keys, layer.values)]
    return sum(t.numel() * t.element_size() for t in tensors)


# --8<-- [end:formula]


# --8<-- [start:measure]
def measure(model, batch: int, prompt: int, steps: int) -> list[tuple]:
    """(tokens, formula bytes, tensor bytes): after the prefill, then
    after `steps` decode steps."""
    size = torch.finfo(model.dtype).bits // 8
    ids = torch.randint(CONFIG.vocab_size, (batch, prompt))
    cache = DynamicCache()
    rows = []
    with torch.inference_mode():
        out = model(input_ids=ids, cache=cache, use_cache=True)  # prefill
        formula = kv_cache_bytes(CONFIG, prompt, batch, size)
        rows.append((prompt, formula, tensor_bytes(cache)))
        for _ in range(steps):  # decode: one token per sequence per step
            ids = out.logits[:, -1:].argmax(-1)
            out = model(input_ids=ids, cache=cache, use_cache=True)
        tokens = prompt + steps
        formula = kv_cache_bytes(CONFIG, tokens, batch, size)
        rows.append((tokens, formula, tensor_bytes(cache)))
    return rows


# --8<-- [end:measure]


def main() -> None:
    torch.manual_seed(0)
    print(f"layers {CONFIG.num_hidden_layers}", end=", ")
    print(f"head dim {CONFIG.head_dim},")
    print(f"KV heads {CONFIG.num_key_value_heads}", end=" ")
    print(f"(query heads {CONFIG.num_attention_heads})")
    print(f"{'cache':<6}{'BxT':>7}{'formula B':>13}{'tensors B':>13}")
    for dtype, name in ((torch.float32, "fp32"), (torch.bfloat16, "bf16")):
        model = build_model(dtype=dtype)
        for batch, prompt in CASES:
            for tokens, formula, real in measure(
                model,
                batch,
                prompt,
                DECODE_STEPS,
            ):
                mark = "" if formula == real else " DIFFERENT"
                shape = f"{batch}x{tokens}"
                print(f"{name:<6}{shape:>7}{formula:>13,}{real:>13,}{mark}")
    print("(B sequences x T tokens; bytes)")
    cache = DynamicCache()
    ids = torch.zeros(4, 16, dtype=torch.long)
    with torch.inference_mode():
        model(input_ids=ids, cache=cache, use_cache=True)
    shape = tuple(cache.layers[0].keys.shape)
    print(f"keys of a layer at 4x16: {shape}")
    wrong = kv_cache_bytes(CONFIG, 16, 4, 2) * CONFIG.num_attention_heads
    wrong //= CONFIG.num_key_value_heads
    print(f"bf16 4x16, query heads: {wrong:,} B (wrong)")


if __name__ == "__main__":
    main()
