"""A tiny decoder-only LLM with random weights: transformers' real Llama code,
built from a configuration, so nothing is downloaded. It runs on CPU and takes
token ids (no tokenizer: a prompt is a list of ints below CONFIG.vocab_size).

Its outputs are meaningless, but its shapes, its KV cache and its cost per
step are those of a Llama: the serving chapter measures those.
"""

from __future__ import annotations

import torch
from transformers import LlamaConfig, LlamaForCausalLM

CONTEXT_LENGTH = 512  # prompt + generated tokens, per sequence

# --8<-- [start:config]
CONFIG = LlamaConfig(
    vocab_size=512,
    hidden_size=128,
    intermediate_size=256,
    num_hidden_layers=2,
    num_attention_heads=4,  # query heads
    num_key_value_heads=2,  # grouped-query attention: 2 share a KV head
    head_dim=32,  # hidden_size / num_attention_heads
    max_position_embeddings=CONTEXT_LENGTH,
    bos_token_id=None,  # random weights: no token means "the end", so
    eos_token_id=None,  # a request makes exactly the tokens it asks for
    pad_token_id=0,
    initializer_range=0.1,  # wider than 0.02: clearer winners per step
)
# --8<-- [end:config]


def build_model(
    seed: int = 0,
    dtype: torch.dtype = torch.float32,
) -> LlamaForCausalLM:
    """The model with weights drawn from `seed` (same seed, same model).

    It also sets torch to one CPU thread: this model's matrices are too
    small to gain from more, and on a busy 2-core machine a step that waits
    for a second thread took up to 10 times longer (measured here).
    """
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    model = LlamaForCausalLM(CONFIG).to(dtype)
    return model.eval()


def generate_alone(model, prompt: list[int], new_tokens: int) -> list[int]:
    """Greedy tokens for one prompt run by itself, by transformers'
    generate(): the reference that batching must match."""
    with torch.inference_mode():
        out = model.generate(
            torch.tensor([prompt]),
            attention_mask=torch.ones(1, len(prompt), dtype=torch.long),
            max_new_tokens=new_tokens,
            min_new_tokens=new_tokens,
            do_sample=False,
        )
    return out[0, len(prompt) :].tolist()


if __name__ == "__main__":
    model = build_model()
    weights = sum(p.numel() for p in model.parameters())
    print(f"layers {CONFIG.num_hidden_layers}", end=", ")
    print(f"heads {CONFIG.num_attention_heads}", end=", ")
    print(f"KV heads {CONFIG.num_key_value_heads}", end=", ")
    print(f"head dim {CONFIG.head_dim}")
    print(f"parameters {weights:,}, context {CONTEXT_LENGTH} tokens")
    print("greedy tokens after [1, 2, 3]:", generate_alone(model, [1, 2, 3], 8))
