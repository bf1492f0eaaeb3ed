"""Prefix caching: requests that share a system prompt reuse its KV cache.

Eight requests start with the same 384-token system prompt and differ in
their last 16 tokens. They run once on an engine that prefills every prompt
in full, and once on an engine that prefilled the system prompt once.
"""

from __future__ import annotations

import random
import time

from engine import Engine
from tiny_llm import build_model

SYSTEM, OWN, REQUESTS, NEW_TOKENS = 384, 16, 8, 8


# --8<-- [start:run]
def run(model, prompts, system=None) -> tuple[list, dict, float]:
    """All prompts at once: (their tokens, the engine's stats, seconds)."""
    with Engine(model, max_batch=REQUESTS) as engine:
        if system is not None:
            engine.cache_prefix(system)  # computed once, before any request
        start = time.perf_counter()
        gens = [engine.submit(p, NEW_TOKENS) for p in prompts]
        outputs = [gen.result(timeout=120) for gen in gens]
        seconds = time.perf_counter() - start
        return outputs, engine.stats(), seconds


# --8<-- [end:run]


def main() -> dict:
    rng = random.Random(0)
    system = [rng.randrange(512) for _ in range(SYSTEM)]
    own = [[rng.randrange(512) for _ in range(OWN)] for _ in range(REQUESTS)]
    prompts = [system + tokens for tokens in own]
    model = build_model()
    run(model, prompts[:1])  # warm-up
    plain, plain_stats, plain_s = run(model, prompts)
    cached, cached_stats, cached_s = run(model, prompts, system)
    print(f"{REQUESTS} requests: {SYSTEM} shared + {OWN} own tokens")
    print(f"{'':<14}{'prefilled':>10}{'reused':>8}{'seconds':>8}")
    for name, stats, seconds in (
        ("full prefill", plain_stats, plain_s),
        ("prefix cache", cached_stats, cached_s),
    ):
        computed, reused = stats["prefill_tokens"], stats["reused_tokens"]
        print(f"{name:<14}{computed:>10}{reused:>8}{seconds:>8.2f}")
    same = plain == cached
    print(f"same tokens: {same}")
    return {"plain": plain_stats, "cached": cached_stats, "same": same}


if __name__ == "__main__":
    main()
