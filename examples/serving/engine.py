"""A batching engine over a causal LM: static, dynamic and continuous batching.

One background thread runs the generation loop. A new sequence is prefilled
alone when it is admitted, which gives its KV cache and its first token. A
decode step then runs every running sequence as one batch: their caches are
left-padded to the longest, an attention mask hides the padding and each row
has its own position id, so a sequence's tokens do not depend on who shares
its batch.

The policies differ only in when waiting requests are admitted:

- static: when the engine is idle, the requests waiting now form one fixed
  batch; every row keeps its slot until the longest is done (finished rows
  still compute, as in a fixed-shape batch); nobody joins.
- dynamic: when idle, wait until max_batch requests wait or the oldest has
  waited max_wait_s; finished rows stop computing, but nobody joins until the
  whole batch is done.
- continuous (iteration-level): before every decode step, finished sequences
  have left and waiting ones join, up to max_batch.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from dataclasses import dataclass, field

import torch
from transformers import DynamicCache

POLICIES = ("static", "dynamic", "continuous")


@dataclass(eq=False)
class Generation:
    """One request: its tokens arrive on `tokens`, which ends with None."""

    prompt: list[int]
    max_new_tokens: int
    submitted_at: float
    tokens: queue.Queue = field(default_factory=queue.Queue)
    first_token_at: float | None = None
    finished_at: float | None = None
    output: list[int] = field(default_factory=list)
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)
    # Decode steps the engine had run when the request came, and when its
    # first token came: the steps of others it waited through.
    submitted_step: int = 0
    first_token_step: int | None = None

    @property
    def prompt_len(self) -> int:
        return len(self.prompt)

    def result(self, timeout: float | None = None) -> list[int]:
        """Wait for the last token; the generated ids."""
        if not self.done.wait(timeout):
            raise TimeoutError(f"generation not done after {timeout} s")
        if self.error is not None:
            raise RuntimeError("the engine failed") from self.error
        return list(self.output)


@dataclass(eq=False)
class _Running:
    """A sequence being generated. Its keys and values are in `cache` (one
    (keys, values) pair per layer) after its prefill, then in row `slot` of
    the engine's batch cache."""

    gen: Generation
    cache: list[tuple[torch.Tensor, torch.Tensor]] | None
    next_token: int  # sampled, not yet fed back
    length: int  # tokens in its cache
    slot: int | None = None

    @property
    def finished(self) -> bool:
        return len(self.gen.output) >= self.gen.max_new_tokens


class Engine:
    def __init__(
        self,
        model,
        *,
        policy="continuous",
        max_batch=8,
        max_wait_s=0.02,
    ):
        if policy not in POLICIES:
            choices = ", ".join(POLICIES)
            raise ValueError(f"policy {policy!r}: one of {choices}")
        if max_batch < 1:
            raise ValueError(f"max_batch {max_batch}: at least 1")
        self.model = model
        self.policy = policy
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        self.context_length = model.config.max_position_embeddings
        self.vocab_size = model.config.vocab_size
        self._waiting: deque[Generation] = deque()
        self._running: list[_Running] = []
        self._batch: list[_Running] = []  # the batch cache's rows, in order
        self._cache: DynamicCache | None = None
        self._mask: torch.Tensor | None = None  # 1 a token, 0 padding
        self._lock = threading.Condition()
        self._stop = False
        self._thread: threading.Thread | None = None
        self._steps = 0
        self._batch_size = 0
        self.prefill_tokens = 0  # prompt tokens run through the model
        self.reused_tokens = 0  # prompt tokens whose KV came from a prefix
        self._prefixes: dict[tuple[int, ...], list] = {}
        self.decode_rows = 0  # rows of decode steps (static: finished too)
        self.decode_seconds = 0.0  # time spent in decode steps

    # The public interface.
    def start(self) -> Engine:
        if self._thread is not None:
            raise RuntimeError("engine already started")
        self._thread = threading.Thread(
            target=self._loop,
            name="engine",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the loop; requests not finished end with an error."""
        with self._lock:
            self._stop = True
            self._lock.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
        with self._lock:
            left = list(self._waiting) + [r.gen for r in self._running]
            self._waiting.clear()
            self._running = []
        for gen in left:
            self._fail(gen, RuntimeError("engine stopped"))

    def __enter__(self) -> Engine:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def submit(self, prompt_ids: list[int], max_new_tokens: int) -> Generation:
        """Queue a request (thread-safe); ValueError names the limit."""
        self.check(prompt_ids, max_new_tokens)
        now = time.perf_counter()
        gen = Generation(list(prompt_ids), max_new_tokens, now)
        with self._lock:
            if self._stop:
                raise RuntimeError("engine stopped")
            gen.submitted_step = self._steps
            self._waiting.append(gen)
            self._lock.notify_all()
        return gen

    def check(self, prompt_ids: list[int], max_new_tokens: int) -> None:
        if not prompt_ids:
            raise ValueError("prompt is empty: at least 1 token id")
        vocab = self.vocab_size
        for t in prompt_ids:
            if not isinstance(t, int) or not 0 <= t < vocab:
                message = f"token id {t!r} outside the vocabulary"
                raise ValueError(f"{message}: ids are 0..{vocab - 1}")
        if not isinstance(max_new_tokens, int) or max_new_tokens < 1:
            raise ValueError(f"max_new_tokens {max_new_tokens!r}: at least 1")
        total = len(prompt_ids) + max_new_tokens
        if total > self.context_length:
            raise ValueError(
                f"prompt ({len(prompt_ids)} tokens) + max_new_tokens"
                f" ({max_new_tokens}) = {total} exceeds the context length"
                f" of {self.context_length} tokens"
            )

    # --8<-- [start:prefix]
    def cache_prefix(self, prefix_ids: list[int]) -> None:
        """Prefill a shared prefix (a system prompt) once: prompts that
        start with it reuse its keys and values instead of computing them."""
        self.check(prefix_ids, 1)
        cache = DynamicCache()
        with torch.inference_mode():
            ids = torch.tensor([prefix_ids])
            self.model(input_ids=ids, cache=cache, use_cache=True)
        layers = [(layer.keys, layer.values) for layer in cache.layers]
        with self._lock:
            self._prefixes[tuple(prefix_ids)] = layers
            self.prefill_tokens += len(prefix_ids)

    def _cached_prefix(self, prompt: list[int]) -> tuple[int, list | None]:
        """The longest cached prefix of `prompt` (shorter than it)."""
        best: tuple[int, list | None] = (0, None)
        with self._lock:
            for prefix, layers in self._prefixes.items():
                n = len(prefix)
                if best[0] < n < len(prompt) and tuple(prompt[:n]) == prefix:
                    best = (n, layers)
        return best

    # --8<-- [end:prefix]

    def stats(self) -> dict:
        with self._lock:
            return {
                "policy": self.policy,
                "queue_depth": len(self._waiting),
                "in_flight": sum(not r.finished for r in self._running),
                "batch_size": self._batch_size,
                "steps": self._steps,
                "kv_tokens": sum(r.length for r in self._running),
                "prefill_tokens": self.prefill_tokens,
                "reused_tokens": self.reused_tokens,
                "decode_rows": self.decode_rows,
                "decode_seconds": self.decode_seconds,
            }

    # The loop, on the engine's thread.
    def _loop(self) -> None:
        try:
            while True:
                admitted = self._admit()
                if admitted is None:
                    return
                for gen in admitted:
                    self._prefill(gen)
                self._finish_rows()
                if any(not r.finished for r in self._running):
                    self._decode_step()
                    self._finish_rows()
        except BaseException as exc:  # callers see it in Generation.result
            with self._lock:
                left = list(self._waiting) + [r.gen for r in self._running]
                self._waiting.clear()
                self._running = []
                self._stop = True
            for gen in left:
                self._fail(gen, exc)

    # --8<-- [start:admit]
    def _admit(self) -> list[Generation] | None:
        """The requests that join now (maybe none); None when stopping."""
        with self._lock:
            while True:
                if self._stop:
                    return None
                room = self.max_batch - len(self._running)
                waiting = self._waiting
                if self.policy == "continuous":
                    if waiting and room > 0:
                        break  # join the running batch
                    if self._running:
                        return []
                elif self._running:  # static, dynamic: nobody joins
                    return []
                elif waiting and self.policy == "static":
                    break  # whoever waits now
                elif waiting:  # dynamic: a full batch, or waited enough
                    waited = time.perf_counter() - waiting[0].submitted_at
                    full = len(waiting) >= self.max_batch
                    if full or waited >= self.max_wait_s:
                        break
                    self._lock.wait(self.max_wait_s - waited)
                    continue
                self._lock.wait(0.1)
            count = min(room, len(waiting))
            return [waiting.popleft() for _ in range(count)]

    # --8<-- [end:admit]

    def _prefill(self, gen: Generation) -> None:
        """Run the prompt alone (after a cached prefix, if it has one): its
        cache, and its first token."""
        reused, layers = self._cached_prefix(gen.prompt)
        # A copy of the prefix's keys and values: this sequence appends its own.
        cache = DynamicCache(ddp_cache_data=layers or None)
        with torch.inference_mode():
            out = self.model(  # positions continue after the cached tokens
                input_ids=torch.tensor([gen.prompt[reused:]]),
                cache=cache,
                use_cache=True,
            )
        layers = [(layer.keys, layer.values) for layer in cache.layers]
        token = int(out.logits[0, -1].argmax())
        row = _Running(gen, layers, token, gen.prompt_len)
        with self._lock:
            self.prefill_tokens += gen.prompt_len - reused
            self.reused_tokens += reused
            self._running.append(row)
        self._emit(row, token)

    # --8<-- [start:step]
    def _decode_step(self) -> None:
        """One token for every running row (static: finished rows too)."""
        started = time.perf_counter()
        static = self.policy == "static"
        rows = [r for r in self._running if static or not r.finished]
        if rows != self._batch:  # a row joined or left: re-pack the cache
            self._repack(rows)
        batch = len(rows)
        new_column = self._mask.new_ones(batch, 1)
        self._mask = torch.cat([self._mask, new_column], dim=1)
        with torch.inference_mode():
            out = self.model(
                input_ids=torch.tensor([[r.next_token] for r in rows]),
                attention_mask=self._mask,  # hides each row's left padding
                position_ids=torch.tensor([[r.length] for r in rows]),
                cache=self._cache,  # grows by one token for every row
                use_cache=True,
            )
        tokens = out.logits[:, -1].argmax(-1).tolist()
        for row, token in zip(rows, tokens, strict=True):
            row.length += 1
            row.next_token = token
            if not row.finished:
                self._emit(row, token)
        with self._lock:
            self._steps += 1
            self._batch_size = batch
            self.decode_rows += batch
            self.decode_seconds += time.perf_counter() - started

    # --8<-- [end:step]

    def _repack(self, rows: list[_Running]) -> None:
        """Every row's keys and values, left-padded to the longest row."""
        longest = max(r.length for r in rows)
        layers = []
        for layer in range(self.model.config.num_hidden_layers):
            keys, values = [], []
            for row in rows:
                k, v = self._row_kv(row, layer)
                pad = (0, 0, longest - row.length, 0)  # before its tokens
                keys.append(torch.nn.functional.pad(k, pad))
                values.append(torch.nn.functional.pad(v, pad))
            layers.append((torch.cat(keys), torch.cat(values)))
        self._mask = torch.zeros(len(rows), longest, dtype=torch.long)
        for slot, row in enumerate(rows):
            self._mask[slot, longest - row.length :] = 1
            row.slot, row.cache = slot, None
        self._cache = DynamicCache(ddp_cache_data=layers)
        self._batch = list(rows)

    def _row_kv(self, row: _Running, layer: int):
        """A row's keys and values: (1, KV heads, its tokens, head dim)."""
        if row.cache is not None:  # just prefilled
            return row.cache[layer]
        cached = self._cache.layers[layer]
        start = cached.keys.shape[2] - row.length
        one = slice(row.slot, row.slot + 1)
        return cached.keys[one, :, start:], cached.values[one, :, start:]

    def _emit(self, row: _Running, token: int) -> None:
        gen = row.gen
        now = time.perf_counter()
        if gen.first_token_at is None:
            gen.first_token_at = now
            gen.first_token_step = self._steps
        gen.output.append(token)
        gen.tokens.put(token)
        if row.finished:
            gen.finished_at = now  # closed by _finish_rows

    def _finish_rows(self) -> None:
        """Close finished requests; drop their rows (static: with the batch)."""
        with self._lock:
            finished = [r for r in self._running if r.finished]
            done = [r for r in finished if not r.gen.done.is_set()]
            everyone = all(r.finished for r in self._running)
            if self.policy != "static" or everyone:
                self._running = [r for r in self._running if not r.finished]
            if not self._running:  # free the batch cache
                self._batch, self._cache, self._mask = [], None, None
            self._lock.notify_all()
        for row in done:  # after its row left: stats() agree
            row.gen.tokens.put(None)
            row.gen.done.set()

    @staticmethod
    def _fail(gen: Generation, exc: BaseException) -> None:
        if gen.done.is_set():
            return
        gen.error = exc
        gen.finished_at = time.perf_counter()
        gen.tokens.put(None)
        gen.done.set()
