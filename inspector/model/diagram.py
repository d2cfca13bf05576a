"""The model drawn as blocks: embeddings → N × [norm → attention → add → norm → MLP → add] → final norm → head,
each box carrying the weights and biases the census counted for its role.

Pure data, so the app draws it and a test checks that its boxes add up to the census.  A box names the
Layers view's layer (and the tensor) it stands for, so clicking it can select them there.  Its label and notes
are the core's sentences (messages.py), drawn in the interface's language; an activation's or a projection's
letters are names and stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..messages import Text, sentence
from .census import Census

# what a block's MLP activation is, from the ops its nodes use (the first found wins)
ACTIVATIONS = (("QuickGelu", "GELU (quick)"), ("FastGelu", "GELU (tanh)"), ("BiasGelu", "GELU"), ("Gelu", "GELU"),
               ("Tanh", "GELU (tanh)"), ("Erf", "GELU"), ("Sigmoid", "SiLU"), ("Relu", "ReLU"))
PARALLEL_CONFIG_KEYS = ("use_parallel_residual", "parallel_attn")  # GPT-NeoX, Falcon-style blocks

# the boxes' words
EMBEDDINGS, TOKEN, POSITION = sentence("embeddings"), sentence("token"), sentence("position")
FINAL_NORM, LM_HEAD, NORM, ADD = sentence("final norm"), sentence("LM head"), sentence("norm"), sentence("add")
ATTENTION, HEADS, OUT, OTHER = sentence("attention"), sentence("heads"), sentence("out"), sentence("other")
GATE, UP, DOWN, GATE_UP = sentence("gate"), sentence("up"), sentence("down"), sentence("gate · up")
ACTIVATION = sentence("activation")
BLOCK = sentence("block {0}")
BLOCK_OF = sentence("block {0} of {1}")
# what a box does that its numbers do not say
FUSED_PROJECTION = sentence("one fused projection")
HEADS_SHAPE = sentence("{0} heads × {1}")
HEADS_SHAPE_KV = sentence("{0} heads × {1}, {2} KV heads")
FUSED_NODE = sentence("one fused {0} node")
EACH_HEAD = sentence("each head: softmax(QKᵀ/√d)·V, its weights over the positions so far")
PARALLEL_ADD = sentence("x + attention(norm(x)) + MLP(norm(x)): both read the same x")
ADD_ATTENTION, ADD_MLP = sentence("x + attention"), sentence("x + MLP")
EVERY_BLOCK = sentence("every block has these boxes, with its own numbers")
TOKEN_TABLE = sentence("{0} tokens × {1}")
LEARNED_POSITIONS = sentence("learned positions")
QK_NORMED = sentence("q and k normed per head")
ATTENTION_NORMED, MLP_NORMED = sentence("attention's output normed"), sentence("the MLP's output normed")
EMBEDDING_NORMED = sentence("the embedding normed")
TIED_HEAD = sentence("tied: reads the token embedding, counts 0")
HEAD_SHAPE = sentence("d_model → {0} logits")
# a mixture of experts in place of the MLP, and latent attention's low-rank projections
MIXTURE = sentence("mixture of experts")
ROUTER, EXPERTS, SHARED = sentence("router"), sentence("experts"), sentence("shared")
ROUTER_PICKS = sentence("picks {0} of {1} experts for each token")
EXPERTS_HELD = sentence("{0} experts × {1} parameters")
EXPERTS_LOST = sentence("holds {0} of {1}: experts {2} are missing")
SHARED_WHOLE = sentence("every token goes through them")
MIXTURE_NOTE = sentence("the router sends each token through {0} of {1} experts")
LOW_RANK = sentence("through rank {0}")
SINKS = sentence("a learned sink per head: attention it may give to no position")
LATENT_KV = sentence("K and V from one latent of {0}")


@dataclass
class Box:
    key: str  # stable: "embeddings", "block.attn.q", "block.mlp", "final_norm" …
    label: Text  # a sentence of the core, or a name (GELU, Q)
    layer: str | None = None  # the Layers view's layer this box selects
    tensor: str | None = None  # and its tensor, where the box is one
    weights: int = 0
    biases: int = 0
    note: Text = None  # what the box does that its numbers do not say
    detail: Text = None  # more of it, for a tooltip
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


def _sum(tensors, role_prefixes: tuple[str, ...], label: Text, key: str, layer: str, note: Text = None) -> Box:
    ts = [t for t in tensors if any(t.role == r or t.role.startswith(r + ".") for r in role_prefixes)]
    w = sum(t.parameters for t in ts if t.kind == "weight")
    b = sum(t.parameters for t in ts if t.kind == "bias")
    tensor = next((t.name for t in ts if t.kind == "weight"), ts[0].name if ts else None)
    return Box(key, label, layer, tensor, w, b, note)


def _activation(census: Census, block: int) -> Text:
    ops = {n.op_type for n in census.node_layers.get(f"block {block}", [])}
    return next((name for op, name in ACTIVATIONS if op in ops), ACTIVATION)


def _parallel(census: Census, roles: set[str]) -> bool:
    source = census.model.source
    config = (source.side_json("config.json") if source is not None else None) or {}
    if any(k in config for k in PARALLEL_CONFIG_KEYS):
        return any(bool(config.get(k)) for k in PARALLEL_CONFIG_KEYS)
    # NeoX's default; one norm read by attention and the MLP alike (GPT-J, CodeGen, Phi, Cohere)
    return census.architecture.family == "gpt_neox" or ("norm.attn" in roles and "norm.mlp" not in roles)


def _mixture(census: Census, ts, name: str, block: int) -> Box:
    """A mixture of experts where the MLP would be: its router, its routed experts (and any it lost), its shared
    experts; the box keeps the MLP's key, so what points at a block's MLP points at it."""
    from .moe import moe_of

    moe = moe_of(census)
    layer = next((m for m in moe.layers if m.block == block), None) if moe is not None else None
    k = census.architecture.experts_per_token
    box = _sum(ts, ("mlp", "moe"), MIXTURE, "block.mlp", name)
    box.detail = MIXTURE_NOTE(k, moe.experts) if moe is not None and k else None  # a frame's note would hide its boxes
    router = _sum(ts, ("moe.router",), ROUTER, "block.mlp.router", name,
                  ROUTER_PICKS(k, moe.experts) if moe is not None and k else None)
    experts = _sum(ts, ("moe.experts",), EXPERTS, "block.mlp.experts", name)
    if layer is not None:
        experts.note = EXPERTS_HELD(layer.experts, f"{layer.per_expert:,}")
        if layer.missing:
            experts.detail = EXPERTS_LOST(layer.experts, layer.expected, ", ".join(map(str, layer.missing)))
    box.children = [router, experts]
    shared = _sum(ts, ("moe.shared",), SHARED, "block.mlp.shared", name, SHARED_WHOLE)
    if shared.parameters:
        box.children.append(shared)
    dense = _sum(ts, ("mlp",), "MLP", "block.mlp.dense", name)
    if dense.parameters:  # a dense MLP beside the experts: drawn, so the boxes still add up
        box.children.append(dense)
    return box


def model_diagram(census: Census, block: int = 0) -> Diagram:
    arch = census.architecture
    n = arch.n_layer or 0
    block = min(max(0, block), max(0, n - 1))
    name = f"block {block}"
    layer = census.layer(name)
    ts = layer.tensors if layer else []
    roles = {t.role for t in ts}

    def part(roles_: tuple[str, ...], label: Text, key: str, note: Text = None) -> Box:
        return _sum(ts, roles_, label, f"block.{key}", name, note)

    if "attn.qkv" in roles:
        projections = [part(("attn.qkv",), "Q K V", "attn.qkv", FUSED_PROJECTION)]
    elif "attn.kv_a" in roles:  # latent attention (DeepSeek's MLA): Q and KV through low-rank projections
        q = ("attn.q_a", "attn.q_a_norm", "attn.q_b") if "attn.q_a" in roles else ("attn.q",)
        projections = [part(q, "Q", "attn.q", LOW_RANK(arch.q_lora_rank) if arch.q_lora_rank else None),
                       part(("attn.kv_a", "attn.kv_a_norm", "attn.kv_b"), "K V", "attn.kv",
                            LATENT_KV(arch.kv_lora_rank) if arch.kv_lora_rank else None)]
    else:
        projections = [part(("attn.q",), "Q", "attn.q"), part(("attn.k",), "K", "attn.k"),
                       part(("attn.v",), "V", "attn.v")]
    unknown = "?"
    if arch.n_kv_head and arch.n_head and arch.n_kv_head != arch.n_head:
        heads = HEADS_SHAPE_KV(arch.n_head, arch.head_dim or unknown, arch.n_kv_head)
    else:
        heads = HEADS_SHAPE(arch.n_head or unknown, arch.head_dim or unknown)
    heads_box = Box("block.attn.heads", HEADS, name, None, 0, 0, heads,
                    FUSED_NODE(arch.fused_attention) if arch.fused_attention else EACH_HEAD)
    if "attn.q_norm" in roles or "attn.k_norm" in roles:  # qk-norm (Qwen3, OLMo 2, Gemma 3): q and k normed per head
        projections.append(part(("attn.q_norm", "attn.k_norm"), NORM, "attn.qk_norm", QK_NORMED))
    sinks = part(("attn.sinks",), HEADS, "attn.heads")
    if sinks.parameters:  # gpt-oss: the heads carry one learned sink each
        heads_box.tensor, heads_box.weights, heads_box.biases = sinks.tensor, sinks.weights, sinks.biases
        heads_box.detail = SINKS
    attention = part(("attn",), ATTENTION, "attn")
    attention.children = projections + [heads_box, part(("attn.out",), OUT, "attn.out")]
    if "mlp.gate_up" in roles:
        ups = [part(("mlp.gate_up",), GATE_UP, "mlp.gate_up", FUSED_PROJECTION)]
    elif "mlp.gate" in roles:
        ups = [part(("mlp.gate",), GATE, "mlp.gate"), part(("mlp.up",), UP, "mlp.up")]
    else:
        ups = [part(("mlp.up",), UP, "mlp.up")]
    mlp = part(("mlp",), "MLP", "mlp")
    mlp.children = ups + [Box("block.mlp.act", _activation(census, block), name),
                          part(("mlp.down",), DOWN, "mlp.down")]
    if any(r.startswith("moe.") for r in roles):
        mlp = _mixture(census, ts, name, block)
    norm_attn = part(("norm.attn",), NORM, "norm.attn")
    norm_mlp = part(("norm.mlp",), NORM, "norm.mlp")
    loose = _sum([t for t in ts if t.role == "norm"], ("norm",), NORM, "block.norm", name)  # a norm the names
    if loose.parameters and not norm_attn.parameters:  # did not place (a fused Skip…Norm)
        norm_attn = Box(norm_attn.key, NORM, name, loose.tensor, loose.weights, loose.biases)
    # sandwich norms (Gemma 2/3, OLMo 2): the sublayer's output normed before it is added
    after_attn = [part(("norm.attn_post",), NORM, "norm.attn_post", ATTENTION_NORMED)] \
        if "norm.attn_post" in roles else []
    after_mlp = [part(("norm.mlp_post",), NORM, "norm.mlp_post", MLP_NORMED)] if "norm.mlp_post" in roles else []
    # OLMo 2 norms only the sublayers' outputs: no norm before them
    before_attn = [] if after_attn and "norm.attn" not in roles else [norm_attn]
    before_mlp = [] if after_mlp and "norm.mlp" not in roles else [norm_mlp]
    parallel = _parallel(census, roles)
    if parallel:
        shared = "norm.mlp" not in roles  # the MLP reads attention's norm: no box of its own
        inner = [*before_attn, attention, *after_attn, *([] if shared else before_mlp), mlp, *after_mlp,
                 Box("block.add", ADD, name, note=PARALLEL_ADD)]
    else:
        inner = [*before_attn, attention, *after_attn, Box("block.add.attn", ADD, name, note=ADD_ATTENTION),
                 *before_mlp, mlp, *after_mlp, Box("block.add.mlp", ADD, name, note=ADD_MLP)]
    blk = Box("block", BLOCK_OF(block, n) if n > 1 else BLOCK(block), name, None, layer.weights if layer else 0,
              layer.biases if layer else 0, EVERY_BLOCK if n > 1 else None, children=inner)
    other = _sum(ts, ("other",), OTHER, "block.other", name)
    if other.parameters:  # parameters the names did not place: shown, so the boxes still add up
        blk.children.append(other)

    embed = census.layer("embeddings")
    etensors = embed.tensors if embed else []
    embeddings = Box("embeddings", EMBEDDINGS, "embeddings", None, embed.weights if embed else 0,
                     embed.biases if embed else 0, children=[
                         _sum(etensors, ("embed.token",), TOKEN, "embeddings.token", "embeddings",
                              TOKEN_TABLE(arch.vocab_size or unknown, arch.d_model or unknown))])
    if any(t.role == "embed.position" for t in etensors):
        embeddings.children.append(_sum(etensors, ("embed.position",), POSITION, "embeddings.position",
                                        "embeddings", LEARNED_POSITIONS))
    if any(t.role == "embed.norm" for t in etensors):  # BLOOM's LayerNorm right after the lookup
        embeddings.children.append(_sum(etensors, ("embed.norm",), NORM, "embeddings.norm", "embeddings",
                                        EMBEDDING_NORMED))
    final = census.layer("final_norm")
    final_box = Box("final_norm", FINAL_NORM, "final_norm" if final else None,
                    final.tensors[0].name if final and final.tensors else None,
                    final.weights if final else 0, final.biases if final else 0)
    head = census.layer("lm_head")
    tied = arch.tied_embeddings or (head is not None and not head.parameters and head.tensors)
    head_box = Box("lm_head", LM_HEAD, "lm_head" if head else "embeddings",
                   head.tensors[0].name if head and head.tensors else None,
                   head.weights if head else 0, head.biases if head else 0,
                   TIED_HEAD if tied else HEAD_SHAPE(arch.vocab_size or unknown))
    return Diagram(n, [embeddings, blk, final_box, head_box], block, parallel)
