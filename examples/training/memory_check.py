"""memory.py's figures against the tensors torch really allocates, on the CPU.

1. Model states: the bytes of a tiny GPT's weights, of its gradients after
   backward and of Adam's state after the first step, in fp32 and under
   torch's autocast (bf16 matmuls), next to the calculator's DDP figure
   (DDP keeps all of it on every GPU, so one process shows one GPU's share).
2. Activations: every tensor autograd saves for backward, counted with
   saved-tensor hooks, for one layer with and without fused attention and for
   a stack with activation checkpointing, next to the per-layer estimate.

Run it: python examples/training/memory_check.py
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from memory import FP32, activations, layer_activations, model_states
from torch import nn
from torch.utils.checkpoint import checkpoint

SEQ, BATCH, HIDDEN, HEADS, LAYERS = 64, 2, 64, 4, 2
BF16 = torch.bfloat16


# --8<-- [start:model]
class Block(nn.Module):
    """One GPT layer, written out so that every saved tensor is visible."""

    def __init__(self, hidden: int, heads: int, fused: bool, p: float = 0.1):
        super().__init__()
        self.heads, self.fused, self.p = heads, fused, p
        self.ln1, self.ln2 = nn.LayerNorm(hidden), nn.LayerNorm(hidden)
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.proj = nn.Linear(hidden, hidden)
        self.fc1 = nn.Linear(hidden, 4 * hidden)
        self.fc2 = nn.Linear(4 * hidden, hidden)

    def attention(self, x: torch.Tensor) -> torch.Tensor:
        b, s, h = x.shape
        qkv = self.qkv(x).view(b, s, 3, self.heads, h // self.heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)  # each (b, heads, s, h/heads)
        if self.fused:  # one kernel: the s x s scores are never stored
            out = F.scaled_dot_product_attention(q, k, v)
        else:
            scores = (q @ k.transpose(-2, -1)) * (h // self.heads) ** -0.5
            probs = F.dropout(scores.softmax(-1), self.p, self.training)
            out = probs @ v
        return self.proj(out.transpose(1, 2).reshape(b, s, h))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + F.dropout(self.attention(self.ln1(x)), self.p, self.training)
        mlp = self.fc2(F.gelu(self.fc1(self.ln2(x))))
        return x + F.dropout(mlp, self.p, self.training)


def tiny_gpt(fused: bool = True, layers: int = LAYERS) -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(*(Block(HIDDEN, HEADS, fused) for _ in range(layers)))


# --8<-- [end:model]


def nbytes(t: torch.Tensor) -> int:
    """Bytes this process holds (of a DTensor, an FSDP shard: its piece)."""
    local = t.to_local() if hasattr(t, "to_local") else t
    return local.numel() * local.element_size()


# --8<-- [start:states]
def state_bytes(model: nn.Module, opt: torch.optim.Optimizer) -> dict[str, int]:
    """What one process holds: weights, gradients, Adam's m and v."""
    params = list(model.parameters())
    state = opt.state.values()
    moments = [t for st in state for k, t in st.items() if k != "step"]
    return {
        "weights": sum(nbytes(p) for p in params),
        "grads": sum(nbytes(p.grad) for p in params if p.grad is not None),
        "optimizer": sum(nbytes(t) for t in moments),
    }


def one_step(autocast: bool) -> tuple[dict[str, int], int, int]:
    """Train one step; the bytes after it, Adam's state before it, and the
    bf16 weight copies autocast saved for backward."""
    model = tiny_gpt()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x = torch.randn(BATCH, SEQ, HIDDEN, requires_grad=True)
    bf16 = torch.autocast("cpu", BF16, enabled=autocast)
    with SavedTensors(model) as saved, bf16:
        loss = model(x).float().pow(2).mean()
    loss.backward()
    before = state_bytes(model, opt)["optimizer"]  # Adam allocates lazily
    opt.step()
    return state_bytes(model, opt), before, saved.weight_copies


# --8<-- [end:states]


# --8<-- [start:saved]
class SavedTensors:
    """Counts the bytes autograd keeps for backward: live now and at peak.

    Each saved tensor is wrapped in a holder while autograd keeps it; storage
    shared by several saved tensors (views) is counted once; parameters are
    not activations and are left out."""

    def __init__(self, model: nn.Module):
        params = model.parameters()
        self.params = {p.untyped_storage().data_ptr(): p for p in params}
        self.refs: dict[int, int] = {}
        self.sizes: dict[int, int] = {}
        self.live = self.peak = self.weight_copies = 0

    def pack(self, t: torch.Tensor) -> object:
        storage = t.untyped_storage()
        key = storage.data_ptr()
        if key in self.params:
            return t
        if t.dtype == BF16 and self.is_weight_copy(t):
            self.weight_copies += nbytes(t)  # autocast's cast of a weight
        return _Held(self, key, storage.nbytes(), t)

    def is_weight_copy(self, t: torch.Tensor) -> bool:
        for p in self.params.values():
            for w in (p, p.t()) if p.dim() == 2 else (p,):
                if w.shape == t.shape and torch.equal(w.to(BF16), t):
                    return True
        return False

    @staticmethod
    def unpack(held: object) -> object:
        return held.tensor if isinstance(held, _Held) else held

    def add(self, key: int, size: int) -> None:
        self.refs[key] = self.refs.get(key, 0) + 1
        if self.refs[key] == 1:
            self.sizes[key] = size
            self.live += size
            self.peak = max(self.peak, self.live)

    def drop(self, key: int) -> None:
        self.refs[key] -= 1
        if self.refs[key] == 0:
            self.live -= self.sizes.pop(key)

    def __enter__(self) -> SavedTensors:
        hooks = torch.autograd.graph.saved_tensors_hooks
        self.hooks = hooks(self.pack, self.unpack)
        self.hooks.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.hooks.__exit__(*exc)


class _Held:
    def __init__(
        self,
        owner: SavedTensors,
        key: int,
        size: int,
        tensor: torch.Tensor,
    ):
        self.owner, self.key, self.tensor = owner, key, tensor
        owner.add(key, size)

    def __del__(self) -> None:  # autograd has let go of it
        self.owner.drop(self.key)


# --8<-- [end:saved]


def one_layer(fused: bool) -> int:
    layer = tiny_gpt(fused, layers=1).to(BF16)
    x = torch.randn(BATCH, SEQ, HIDDEN, dtype=BF16, requires_grad=True)
    with SavedTensors(layer) as saved:
        out = layer(x)
    kept = saved.live
    out.float().sum().backward()
    return kept


# --8<-- [start:checkpointed]
def checkpointed_stack(layers: int, reentrant: bool) -> tuple[int, int]:
    """Saved bytes after forward and at peak during backward, for a stack of
    layers each wrapped in torch.utils.checkpoint."""
    model = tiny_gpt(True, layers).to(BF16)
    x = torch.randn(BATCH, SEQ, HIDDEN, dtype=BF16, requires_grad=True)
    with SavedTensors(model) as saved:
        y = x
        for block in model:
            y = checkpoint(block, y, use_reentrant=reentrant)
        after_forward = saved.live
        y.float().sum().backward()  # recomputes each layer, last one first
    return after_forward, saved.peak


# --8<-- [end:checkpointed]


def row(label: str, *cells: int | float | str) -> str:
    """A table line of at most 40 columns (it is read on phones): three
    numbers after a short label, or up to two after a longer one."""
    text = [c if isinstance(c, str) else f"{c:,.0f}" for c in cells]
    label_width, width = (10, 10) if len(text) == 3 else (18, 11)
    return f"{label:{label_width}}" + "".join(f"{c:>{width}}" for c in text)


def main() -> None:
    model = tiny_gpt()
    params = sum(p.numel() for p in model.parameters())
    tensors = len(list(model.parameters()))
    calc = model_states(params, 1, "DDP", FP32)
    print(f"Tiny GPT: {LAYERS} layers, hidden {HIDDEN},")
    print(f"{params:,} parameters")
    print()
    fp32, lazy, _ = one_step(autocast=False)
    amp, _, copies = one_step(autocast=True)
    print(row("bytes", "formula", "fp32", "autocast"))
    for state in ("weights", "grads", "optimizer"):
        print(row(state, calc[state], fp32[state], amp[state]))
    per_param = (sum(fp32.values()) / params, sum(amp.values()) / params)
    print(row("per param", FP32.total, *per_param))
    print(f"Adam's state before step 1: {lazy} bytes")
    print(f"after it, + a 4-byte step x {tensors} tensors")
    matrices = sum(p.numel() for p in model.parameters() if p.dim() == 2)
    print("autocast also saves bf16 weight copies:")
    print(f"  {copies:,} B = 2 B x {matrices:,} weights")
    print()
    print(f"Activations, bf16, seq {SEQ}, hidden {HIDDEN},")
    print(f"micro-batch {BATCH}, {HEADS} heads")
    print(row("one layer, bytes", "estimate", "torch"))
    tokens = SEQ * BATCH
    shape = (SEQ, BATCH, HIDDEN, HEADS)
    norms = 2 * 2 * tokens * 2  # 2 LayerNorms x (mean, rstd) x bf16
    lse = HEADS * tokens * 4  # fused attention's fp32 logsumexp
    for fused in (False, True):
        estimate = layer_activations(*shape, fused_attention=fused)
        bf16_masks = layer_activations(*shape, fused_attention=fused, mask=2)
        masks = bf16_masks - estimate
        kind = "fused (SDPA)" if fused else "unfused"
        print(row(kind, estimate, one_layer(fused)))
        print(row(" + bf16 masks", masks))
        print(row(" + LayerNorm stats", norms))
        extra = masks + norms
        if fused:
            print(row(" + logsumexp", lse))
            extra += lse
        print(row(" = sum of these", estimate + extra))
    print()
    layers = 4
    print(f"{layers} layers, each checkpointed")
    print(row("bytes", "estimate", "torch"))
    sbh = SEQ * BATCH * HIDDEN
    after, _ = checkpointed_stack(layers, reentrant=False)
    after_r, peak = checkpointed_stack(layers, reentrant=True)
    print(row("after forward", layers * sbh * 2, after))
    print(row(" (use_reentrant)", layers * sbh * 2, after_r))
    ckpt = activations(layers, *shape, checkpointing=True)
    masks = layer_activations(*shape, mask=2) - layer_activations(*shape)
    extra = masks + norms + lse
    print(row("peak in backward", ckpt, peak))
    print(row(" = sum of these", ckpt + extra))
    print(row("not checkpointed", activations(layers, *shape)))


if __name__ == "__main__":
    main()
