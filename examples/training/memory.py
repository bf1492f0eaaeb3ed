"""Training memory per GPU: why a model that "fits" runs out of memory.

Model states (weights, gradients, Adam's state) per GPU under DDP and ZeRO
stages 1, 2 and 3 (= FSDP full sharding) on N GPUs, and the activations a
transformer keeps from forward to backward, with and without activation
checkpointing. Pure arithmetic: no torch needed. memory_check.py and
memory_sharded.py check these figures against the tensors torch allocates.

Run it: python examples/training/memory.py   (prints the 30B worked case)

Not modelled: temporary buffers (DDP's gradient buckets, ZeRO-3's gathered
layer and its prefetch), the logits of the loss, the CUDA context and the
allocator's fragmentation. Leave headroom for them.
"""

from dataclasses import dataclass

GB = 10**9  # decimal gigabytes, as GPU data sheets count them ("80 GB")


# --8<-- [start:states]
@dataclass(frozen=True)
class Precision:
    """Bytes per parameter of each model state."""

    name: str
    weights: float
    grads: float
    optimizer: float  # Adam/AdamW: two moments (m, v), plus any master copy

    @property
    def total(self) -> float:
        return self.weights + self.grads + self.optimizer


# Everything in fp32: 4-byte weights and gradients, m and v 4 bytes each.
FP32 = Precision("fp32", 4, 4, 4 + 4)
# Mixed precision as ZeRO and Megatron lay it out: bf16 (or fp16) weights and
# gradients for the matmuls; the optimizer keeps an fp32 master copy of the
# weights and fp32 m and v: 4 + 4 + 4 bytes.
MIXED = Precision("bf16 + fp32 master", 2, 2, 4 + 4 + 4)
# The same with 8-bit moments (block-wise quantized Adam): 4 + 1 + 1 bytes.
MIXED_8BIT_ADAM = Precision("bf16 + 8-bit Adam", 2, 2, 4 + 1 + 1)

# Which states each strategy splits across the N data-parallel GPUs.
SHARDED = {
    "DDP": (),
    "ZeRO-1": ("optimizer",),
    "ZeRO-2": ("optimizer", "grads"),
    "ZeRO-3": ("optimizer", "grads", "weights"),  # FSDP full shard
}


def model_states(
    params: float,
    gpus: int = 1,
    strategy: str = "DDP",
    precision: Precision = MIXED,
    offload_optimizer: bool = False,
) -> dict[str, float]:
    """Bytes on each GPU for weights, grads and optimizer state, at rest."""
    if strategy not in SHARDED:
        known = ", ".join(SHARDED)
        raise ValueError(f"strategy {strategy!r}: use one of {known}")
    if gpus < 1 or params <= 0:
        raise ValueError(f"gpus={gpus}, params={params}: both must be positive")
    states = {}
    for state in ("weights", "grads", "optimizer"):
        total = params * getattr(precision, state)
        states[state] = total / gpus if state in SHARDED[strategy] else total
    if offload_optimizer:  # kept in CPU RAM and updated by the CPU
        states["optimizer"] = 0.0
    return states


# --8<-- [end:states]


# --8<-- [start:activations]
def layer_activations(
    seq: int,
    batch: int,
    hidden: int,
    heads: int,
    *,
    elem: int = 2,  # bytes of an activation: 2 for bf16/fp16
    mask: int = 1,  # bytes of a dropout-mask element (a bool on the GPU)
    dropout: bool = True,
    fused_attention: bool = True,
) -> float:
    """Bytes one GPT-style layer keeps from forward to backward.

    The layer: LayerNorm, one QKV matmul, attention, output projection,
    dropout, LayerNorm, a 4x-wide GELU MLP, dropout. No tensor or sequence
    parallelism. Counted per token (s * b * h elements of width `elem`):
    2 LayerNorm inputs, the QKV input, Q, K, V, the projection's input, the
    MLP's input (1 each), the GELU's input and output (4 each): 16.
    """
    sbh = seq * batch * hidden
    masks = 2 * mask if dropout else 0  # after the projection, after the MLP
    kept = sbh * (16 * elem + masks)
    if not fused_attention:
        # The s x s scores of every head: the softmax output and, with
        # dropout, its mask and the dropped-out copy that multiplies V.
        scores = heads * seq * seq * batch
        kept += scores * (elem + (mask + elem if dropout else 0))
    return kept


def activations(
    layers: int,
    seq: int,
    batch: int,
    hidden: int,
    heads: int,
    *,
    checkpointing: bool = False,
    **kw: int | bool,
) -> float:
    """Bytes of activations on one GPU for the whole stack of layers."""
    one_layer = layer_activations(
        seq,
        batch,
        hidden,
        heads,
        **kw,  # type: ignore[arg-type]
    )
    if not checkpointing:
        return layers * one_layer
    # Full checkpointing keeps only each layer's input. The backward pass
    # recomputes one layer at a time: that layer's full set comes back, its
    # input (already kept) included.
    layer_input = seq * batch * hidden * int(kw.get("elem", 2))
    return (layers - 1) * layer_input + one_layer


# --8<-- [end:activations]


def gb(n: float, width: int = 6) -> str:
    return f"{n / GB:{width}.1f}"


def total(states: dict[str, float]) -> float:
    return sum(states.values())


# --8<-- [start:worked]
# A 30B GPT: 48 layers of hidden 7168 (56 heads), 12 * 48 * 7168^2 = 29.6B
# in the layers, the rest in the embeddings. Sequence length 4096.
PARAMS, LAYERS, HIDDEN, HEADS, SEQ = 30e9, 48, 7168, 56, 4096
GPU_GB = 80


def worked_case() -> None:
    # Printed for a phone: no line over 40 columns.
    print(f"30B parameters, {GPU_GB} GB GPUs")
    print("(GB = 10^9 bytes)")
    print()
    print(f"bf16 weights (inference): {gb(PARAMS * 2, 9)} GB")
    ddp = model_states(PARAMS, 8, "DDP")
    print(f"training, DDP, 16 B/param:{gb(total(ddp), 9)} GB")
    w, g, o = (gb(ddp[k], 0) for k in ("weights", "grads", "optimizer"))
    print(f"  weights {w} + grads {g}")
    print(f"  + Adam {o} (master, m, v)")
    print("  on every GPU")
    print()
    print("Model states per GPU, GB")
    print("stage   GPUs  wts grads  Adam total")
    for strategy, gpus in [
        ("DDP", 8),
        ("ZeRO-1", 8),
        ("ZeRO-2", 8),
        ("ZeRO-3", 8),
        ("ZeRO-2", 64),
        ("ZeRO-3", 64),
    ]:
        s = model_states(PARAMS, gpus, strategy)
        row = gb(s["weights"], 5) + gb(s["grads"]) + gb(s["optimizer"])
        print(f"{strategy:6} {gpus:5}{row}{gb(total(s))}")
    print()
    shape = (LAYERS, SEQ)
    print("Activations per GPU, GB")
    print(f"{LAYERS} layers, hidden {HIDDEN}, seq {SEQ}")
    print(f"{'micro-batch':>11} {'checkpoint':10} {'attention':9}{'GB':>7}")
    for mb, ckpt, fused in [
        (1, False, False),
        (1, False, True),
        (4, False, True),
        (4, True, True),
        (1, True, True),
    ]:
        kw = {"checkpointing": ckpt, "fused_attention": fused}
        act = activations(*shape, mb, HIDDEN, HEADS, **kw)
        how = "yes" if ckpt else "no"
        kind = "fused" if fused else "unfused"
        print(f"{mb:11} {how:10} {kind:9}{gb(act, 7)}")
    print("(the same on 8 or 64 GPUs: data")
    print("parallelism does not split them)")
    print()
    print("The fixes: 8 GPUs, GB per GPU")
    print(f"{'step':19}{'states':>7}{'activ.':>7}{'free':>7}")
    steps = [
        ("0 DDP micro-batch 4", "DDP", 4, False, MIXED, False),
        ("1 ZeRO-3 (FSDP)", "ZeRO-3", 4, False, MIXED, False),
        ("2 + checkpointing", "ZeRO-3", 4, True, MIXED, False),
        ("3 + micro-batch 1", "ZeRO-3", 1, True, MIXED, False),
        ("4 3 + Adam offload", "ZeRO-3", 1, True, MIXED, True),
        ("5 3 + 8-bit Adam", "ZeRO-3", 1, True, MIXED_8BIT_ADAM, 0),
    ]
    for label, strategy, mb, ckpt, precision, offload in steps:
        s = model_states(PARAMS, 8, strategy, precision, offload)
        act = activations(*shape, mb, HIDDEN, HEADS, checkpointing=ckpt)
        free = GPU_GB * GB - total(s) - act
        print(f"{label:19}{gb(total(s), 7)}{gb(act, 7)}{gb(free, 7)}")
    print("3: 4 accumulation steps keep the")
    print("   global batch")
    cpu = model_states(PARAMS, 8, "ZeRO-3")["optimizer"]
    print(f"4: {gb(cpu, 0)} GB per GPU go to CPU RAM")
    layer = gb(12 * HIDDEN**2 * 2, 0)  # 12 h^2 weights a layer, bf16
    print(f"ZeRO-3's gathered layer: {layer} GB bf16")


# --8<-- [end:worked]

if __name__ == "__main__":
    worked_case()
