"""The model drawn as blocks: embeddings → N × [norm → attention → add → norm → MLP → add] → final norm → head,
each box carrying the weights and biases the census counted for its role.

Pure data, so the app draws it and a test checks that its boxes add up to the census.  A box names the
Layers view's layer (and the tensor) it stands for, so clicking it can select them there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .census import Census

# what a block's MLP activation is, from the ops its nodes use (the first found wins)
ACTIVATIONS = (("QuickGelu", "GELU (quick)"), ("FastGelu", "GELU (tanh)"), ("BiasGelu", "GELU"), ("Gelu", "GELU"),
               ("Tanh", "GELU (tanh)"), ("Erf", "GELU"), ("Sigmoid", "SiLU"), ("Relu", "ReLU"))
PARALLEL_CONFIG_KEYS = ("use_parallel_residual", "parallel_attn")  # GPT-NeoX, Falcon-style blocks


@dataclass
class Box:
    key: str  # stable: "embeddings", "block.attn.q", "block.mlp", "final_norm" …
    label: str
    layer: str | None = None  # the Layers view's layer this box selects
    tensor: str | None = None  # and its tensor, where the box is one
    weights: int = 0
    biases: int = 0
    note: str = ""  # what the box does that its numbers do not say
    detail: str = ""  # more of it, for a tooltip
    children: list["Box"] = field(default_factory=list)

    @property
    def parameters(self) -> int:
        return self.weights + self.biases

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass
class Diagram:
    n_layer: int
    boxes: list[Box]  # top to bottom, for the block shown (`block`)
    block: int  # the block whose numbers the block's boxes carry
    parallel: bool = False  # attention and MLP read the same input and are added together

    def find(self, key: str) -> Box | None:
        return next((b for top in self.boxes for b in top.walk() if b.key == key), None)


def _sum(tensors, role_prefixes: tuple[str, ...], label: str, key: str, layer: str, note: str = "") -> Box:
    ts = [t for t in tensors if any(t.role == r or t.role.startswith(r + ".") for r in role_prefixes)]
    w = sum(t.parameters for t in ts if t.kind == "weight")
    b = sum(t.parameters for t in ts if t.kind == "bias")
    tensor = next((t.name for t in ts if t.kind == "weight"), ts[0].name if ts else None)
    return Box(key, label, layer, tensor, w, b, note)


def _activation(census: Census, block: int) -> str:
    ops = {n.op_type for n in census.node_layers.get(f"block {block}", [])}
    return next((name for op, name in ACTIVATIONS if op in ops), "activation")


def _parallel(census: Census, roles: set[str]) -> bool:
    source = census.model.source
    config = (source.side_json("config.json") if source is not None else None) or {}
    if any(k in config for k in PARALLEL_CONFIG_KEYS):
        return any(bool(config.get(k)) for k in PARALLEL_CONFIG_KEYS)
    # NeoX's default; one norm read by attention and the MLP alike (GPT-J, CodeGen, Phi, Cohere)
    return census.architecture.family == "gpt_neox" or ("norm.attn" in roles and "norm.mlp" not in roles)


def model_diagram(census: Census, block: int = 0) -> Diagram:
    arch = census.architecture
    n = arch.n_layer or 0
    block = min(max(0, block), max(0, n - 1))
    name = f"block {block}"
    layer = census.layer(name)
    ts = layer.tensors if layer else []
    roles = {t.role for t in ts}

    def part(roles_: tuple[str, ...], label: str, key: str, note: str = "") -> Box:
        return _sum(ts, roles_, label, f"block.{key}", name, note)

    if "attn.qkv" in roles:
        projections = [part(("attn.qkv",), "Q K V", "attn.qkv", "one fused projection")]
    else:
        projections = [part(("attn.q",), "Q", "attn.q"), part(("attn.k",), "K", "attn.k"),
                       part(("attn.v",), "V", "attn.v")]
    heads = f"{arch.n_head or '?'} heads × {arch.head_dim or '?'}"
    if arch.n_kv_head and arch.n_head and arch.n_kv_head != arch.n_head:
        heads += f", {arch.n_kv_head} KV heads"
    heads_box = Box("block.attn.heads", "heads", name, None, 0, 0, heads,
                    f"one fused {arch.fused_attention} node" if arch.fused_attention else
                    "each head: softmax(QKᵀ/√d)·V, its weights over the positions so far")
    if "attn.q_norm" in roles or "attn.k_norm" in roles:  # qk-norm (Qwen3, OLMo 2, Gemma 3): q and k normed per head
        projections.append(part(("attn.q_norm", "attn.k_norm"), "norm", "attn.qk_norm", "q and k normed per head"))
    attention = part(("attn",), "attention", "attn")
    attention.children = projections + [heads_box, part(("attn.out",), "out", "attn.out")]
    if "mlp.gate_up" in roles:
        ups = [part(("mlp.gate_up",), "gate · up", "mlp.gate_up", "one fused projection")]
    elif "mlp.gate" in roles:
        ups = [part(("mlp.gate",), "gate", "mlp.gate"), part(("mlp.up",), "up", "mlp.up")]
    else:
        ups = [part(("mlp.up",), "up", "mlp.up")]
    mlp = part(("mlp",), "MLP", "mlp")
    mlp.children = ups + [Box("block.mlp.act", _activation(census, block), name),
                          part(("mlp.down",), "down", "mlp.down")]
    norm_attn = part(("norm.attn",), "norm", "norm.attn")
    norm_mlp = part(("norm.mlp",), "norm", "norm.mlp")
    loose = _sum([t for t in ts if t.role == "norm"], ("norm",), "norm", "block.norm", name)  # a norm the names
    if loose.parameters and not norm_attn.parameters:  # did not place (a fused Skip…Norm)
        norm_attn = Box(norm_attn.key, "norm", name, loose.tensor, loose.weights, loose.biases)
    # sandwich norms (Gemma 2/3, OLMo 2): the sublayer's output normed before it is added
    after_attn = [part(("norm.attn_post",), "norm", "norm.attn_post", "attention's output normed")] \
        if "norm.attn_post" in roles else []
    after_mlp = [part(("norm.mlp_post",), "norm", "norm.mlp_post", "the MLP's output normed")] \
        if "norm.mlp_post" in roles else []
    # OLMo 2 norms only the sublayers' outputs: no norm before them
    before_attn = [] if after_attn and "norm.attn" not in roles else [norm_attn]
    before_mlp = [] if after_mlp and "norm.mlp" not in roles else [norm_mlp]
    parallel = _parallel(census, roles)
    if parallel:
        shared = "norm.mlp" not in roles  # the MLP reads attention's norm: no box of its own
        inner = [*before_attn, attention, *after_attn, *([] if shared else before_mlp), mlp, *after_mlp,
                 Box("block.add", "add", name, note="x + attention(norm(x)) + MLP(norm(x)): both read the same x")]
    else:
        inner = [*before_attn, attention, *after_attn, Box("block.add.attn", "add", name, note="x + attention"),
                 *before_mlp, mlp, *after_mlp, Box("block.add.mlp", "add", name, note="x + MLP")]
    blk = Box("block", f"block {block} of {n}" if n > 1 else name, name, None, layer.weights if layer else 0,
              layer.biases if layer else 0, "every block has these boxes, with its own numbers" if n > 1 else "",
              children=inner)
    other = _sum(ts, ("other",), "other", "block.other", name)
    if other.parameters:  # parameters the names did not place: shown, so the boxes still add up
        blk.children.append(other)

    embed = census.layer("embeddings")
    etensors = embed.tensors if embed else []
    embeddings = Box("embeddings", "embeddings", "embeddings", None, embed.weights if embed else 0,
                     embed.biases if embed else 0, children=[
                         _sum(etensors, ("embed.token",), "token", "embeddings.token", "embeddings",
                              f"{arch.vocab_size or '?'} tokens × {arch.d_model or '?'}")])
    if any(t.role == "embed.position" for t in etensors):
        embeddings.children.append(_sum(etensors, ("embed.position",), "position", "embeddings.position",
                                        "embeddings", "learned positions"))
    if any(t.role == "embed.norm" for t in etensors):  # BLOOM's LayerNorm right after the lookup
        embeddings.children.append(_sum(etensors, ("embed.norm",), "norm", "embeddings.norm", "embeddings",
                                        "the embedding normed"))
    final = census.layer("final_norm")
    final_box = Box("final_norm", "final norm", "final_norm" if final else None,
                    final.tensors[0].name if final and final.tensors else None,
                    final.weights if final else 0, final.biases if final else 0)
    head = census.layer("lm_head")
    tied = arch.tied_embeddings or (head is not None and not head.parameters and head.tensors)
    head_box = Box("lm_head", "LM head", "lm_head" if head else "embeddings",
                   head.tensors[0].name if head and head.tensors else None,
                   head.weights if head else 0, head.biases if head else 0,
                   "tied: reads the token embedding, counts 0" if tied else f"d_model → {arch.vocab_size or '?'} logits")
    return Diagram(n, [embeddings, blk, final_box, head_box], block, parallel)
