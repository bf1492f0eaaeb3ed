"""How many sequences fit on one GPU: weights + KV cache per sequence, for
the published configurations of Llama-2-7B and Llama-3-70B.

Pure arithmetic, no GPU needed. Bytes are decimal (1 GB = 10**9 B). int8 and
int4 count 1 and 0.5 byte a value; the scales and zero points that quantised
formats also store (a few per cent) are left out.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

GB = 10**9
# Bytes per value: a weight, or one element of a cached key or value.
BYTES = {"fp16": 2, "int8": 1, "int4": 0.5}


# --8<-- [start:model]
@dataclass(frozen=True)
class Model:
    name: str
    layers: int
    hidden: int
    heads: int  # query heads
    kv_heads: int  # = heads for multi-head attention, fewer for GQA
    head_dim: int
    intermediate: int
    vocab: int
    context: int  # max_position_embeddings

    def parameters(self) -> int:
        """A Llama: embeddings and output head (not tied), attention
        (q, k, v, o), a gated MLP (3 matrices) and 2 norms a layer."""
        q_and_o = 2 * self.heads * self.head_dim * self.hidden
        k_and_v = 2 * self.kv_heads * self.head_dim * self.hidden
        mlp = 3 * self.hidden * self.intermediate
        layer = q_and_o + k_and_v + mlp + 2 * self.hidden
        embeddings = 2 * self.vocab * self.hidden
        return embeddings + self.layers * layer + self.hidden

    def kv_bytes_per_token(self, kv: str) -> float:
        per_value = BYTES[kv]
        return 2 * self.layers * self.kv_heads * self.head_dim * per_value


# From each model's config.json on the Hugging Face Hub.
LLAMA_2_7B = Model("Llama-2-7B", 32, 4096, 32, 32, 128, 11008, 32000, 4096)
LLAMA_3_70B = Model("Llama-3-70B", 80, 8192, 64, 8, 128, 28672, 128256, 8192)
# --8<-- [end:model]


# --8<-- [start:fit]
def sequences_that_fit(
    model: Model,
    weights: str,
    kv: str,
    tokens: int,
    gpu_bytes: float = 80 * GB,
    reserve: float = 0.10,  # CUDA context, activations, workspace
) -> int:
    """Sequences of `tokens` tokens whose KV cache fits beside the
    weights (0 if none)."""
    free = gpu_bytes * (1 - reserve) - model.parameters() * BYTES[weights]
    per_sequence = model.kv_bytes_per_token(kv) * tokens
    return max(0, math.floor(free / per_sequence))


def blocks(tokens: int, block_size: int = 16) -> int:
    """Paged attention: a sequence holds whole blocks, taken as it grows."""
    return -(-tokens // block_size)


# --8<-- [end:fit]


def report(model: Model, tokens: int) -> None:
    kind = "MHA" if model.kv_heads == model.heads else "GQA"
    billions = model.parameters() / 1e9
    print(f"{model.name}: {model.layers} layers", end=", ")
    print(f"{model.kv_heads} KV heads ({kind})")
    print(f"  {billions:.2f}B parameters, {tokens}-token seqs")
    per_token = model.kv_bytes_per_token("fp16")
    print(f"  KV per token at fp16: {per_token:,.0f} B")
    print(f"  {'':<6}{'weights':>9}{'KV/seq':>9}{'seqs':>6}")
    for precision in BYTES:  # weights and KV cache both at this precision
        weights = model.parameters() * BYTES[precision] / GB
        kv = model.kv_bytes_per_token(precision) * tokens / GB
        fit = sequences_that_fit(model, precision, precision, tokens)
        print(f"  {precision:<6}{weights:>6.1f} GB{kv:>6.2f} GB{fit:>6}")
    fit = sequences_that_fit(model, "int4", "fp16", tokens)
    print(f"  int4 weights, fp16 KV: {fit} seqs")


def main(tokens: int = 4096) -> None:
    print("One 80 GB GPU, 10% kept back;")
    print("seqs: sequences whose KV cache fits")
    for model in (LLAMA_2_7B, LLAMA_3_70B):
        report(model, tokens)
    # Why a server refuses requests with memory free: each sequence
    # reserving its whole context, against blocks of 16 taken as used.
    model, used = LLAMA_2_7B, 1000
    whole = sequences_that_fit(model, "fp16", "fp16", model.context)
    paged = sequences_that_fit(model, "fp16", "fp16", blocks(used) * 16)
    print(f"{model.name} fp16, {used} tokens used:")
    print(f"  each reserves {model.context} tokens: {whole} seqs")
    print(f"  paged, {blocks(used)} blocks of 16: {paged} seqs")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
