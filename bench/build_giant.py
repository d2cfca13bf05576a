"""Build giant-shaped exports whose weights are sparse files: Llama 3.1 70B and 405B (their exact shapes, laid out
as onnxruntime-genai's model builder lays out an fp16 Llama) and a DeepSeek-V3-shaped mixture of experts with
multi-head latent attention, so the census, the planner, the memory guard and the app can be measured at full
scale without the disk: 141 GB, 812 GB and 1.3 TB of external data take a few megabytes each.

    python bench/build_giant.py [llama3-70b llama3-405b deepseek-v3] [--out bench/models] [--holes]

The external data file is truncated to its full size and only what the inspector's value checks look at is
written: the first tiles of the token embedding and of the LM head (distinct random values, different in each,
so the tied-head check decides "untied" at its first tile, as it would on the real weights).  Everything else
reads as zeros.  The statistics of such a file are those of zeros (its speed is the point, not its figures).
`--holes` writes nothing at all (folders named giant-NAME-holes): the file a check that reads values must not be
fooled by — an all-zero head equals an all-zero embedding, and is not tied for that.
The Llama graphs are what the builder makes for fp16 (packed QKV MatMul, GroupQueryAttention with its rotary
caches, SkipSimplifiedLayerNormalization, genai_config.json).  The DeepSeek-V3 graph has its exact weights
(MLA's low-rank projections, 3 dense blocks, 58 blocks of 256 routed experts stacked into one com.microsoft
MoE op with k = 8 plus one shared expert) and a cache of the compressed latent and the rotary key
(576 values per token per layer, one head); its attention between them is a sketch, not meant to run — the
memory guard refuses to run any of these on a machine that could not hold them.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
MODELS = HERE / "models"
ALIGN = 4096  # each tensor starts on a page: onnxruntime can map it in place
TILE = 256  # the corner the tied-head check reads first (inspector/model/census.py)
FP16 = 10  # onnx.TensorProto.FLOAT16
HOLES_ONLY = False  # --holes: write no value at all


@dataclass(frozen=True)
class LlamaShape:
    name: str
    d: int
    layers: int
    heads: int
    kv_heads: int
    ffn: int
    vocab: int = 128256
    context: int = 131072
    rope_theta: float = 500000.0

    @property
    def head_dim(self) -> int:
        return self.d // self.heads

    def parameters(self) -> int:
        """As PyTorch's num_parameters() counts LlamaForCausalLM (untied head)."""
        hd = self.head_dim
        block = self.d * (self.heads * hd) * 2 + self.d * (self.kv_heads * hd) * 2 + 3 * self.d * self.ffn + 2 * self.d
        return self.layers * block + 2 * self.vocab * self.d + self.d


@dataclass(frozen=True)
class DeepSeekShape:
    name: str = "deepseek-v3"
    d: int = 7168
    layers: int = 61
    dense_layers: int = 3
    heads: int = 128
    q_rank: int = 1536
    kv_rank: int = 512
    rope_dim: int = 64
    nope_dim: int = 128
    v_dim: int = 128
    ffn: int = 18432
    expert_ffn: int = 2048
    experts: int = 256
    shared: int = 1
    k: int = 8
    vocab: int = 129280
    context: int = 163840

    def parameters(self) -> int:
        """As PyTorch counts DeepseekV3ForCausalLM: its e_score_correction_bias is a buffer, not a parameter."""
        d, h = self.d, self.heads
        attn = (d * self.q_rank + self.q_rank + self.q_rank * h * (self.nope_dim + self.rope_dim)
                + d * (self.kv_rank + self.rope_dim) + self.kv_rank + self.kv_rank * h * (self.nope_dim + self.v_dim)
                + h * self.v_dim * d)
        dense = 3 * d * self.ffn
        moe = d * self.experts + (self.experts + self.shared) * 3 * d * self.expert_ffn
        return (self.layers * (attn + 2 * d) + self.dense_layers * dense + (self.layers - self.dense_layers) * moe
                + 2 * self.vocab * d + d)


SHAPES = {
    "llama3-70b": LlamaShape("llama3-70b", d=8192, layers=80, heads=64, kv_heads=8, ffn=28672),
    "llama3-405b": LlamaShape("llama3-405b", d=16384, layers=126, heads=128, kv_heads=8, ffn=53248),
    "deepseek-v3": DeepSeekShape(),
}


class Writer:
    """Initializers in one sparse external data file: offsets laid out, nothing written but what is asked."""

    def __init__(self, folder: Path, location: str = "model.onnx.data"):
        self.folder, self.location = folder, location
        self.offset = 0
        self.inits = []
        self.values: list[tuple[int, bytes]] = []  # (offset, bytes) actually written

    def add(self, name: str, shape: tuple[int, ...], dtype: int = FP16, itemsize: int = 2):
        from onnx import TensorProto

        t = TensorProto(name=name, data_type=dtype, dims=list(shape))
        t.data_location = TensorProto.EXTERNAL
        length = math.prod(shape) * itemsize
        for k, v in (("location", self.location), ("offset", str(self.offset)), ("length", str(length))):
            e = t.external_data.add()
            e.key, e.value = k, v
        self.inits.append(t)
        start = self.offset
        self.offset += -(-length // ALIGN) * ALIGN
        return name, start

    def write(self, offset: int, data: bytes) -> None:
        if not HOLES_ONLY:
            self.values.append((offset, data))

    def finish(self) -> int:
        path = self.folder / self.location
        with open(path, "wb") as fh:
            fh.truncate(self.offset)
            for offset, data in self.values:
                fh.seek(offset)
                fh.write(data)
        return self.offset


def _distinct(rows: int, cols: int, seed: int) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal((rows, cols)) * 0.02).astype(np.float16)


def _corner(w: Writer, start: int, row_len: int, seed: int, rows: int = TILE) -> None:
    """Distinct values in the first TILE × TILE corner of a row-major fp16 matrix whose rows hold row_len."""
    block = _distinct(rows, TILE, seed)
    for r in range(rows):
        w.write(start + r * row_len * 2, block[r].tobytes())


class Graph:
    def __init__(self):
        self.nodes, self.value_info = [], []

    def node(self, op: str, inputs, outputs, name: str, domain: str = "", **attrs):
        from onnx import helper

        self.nodes.append(helper.make_node(op, list(inputs), list(outputs), name=name, domain=domain, **attrs))
        return outputs[0] if outputs else None


def _io(shape_kv: tuple, layers: int, key_only: bool = False):
    from onnx import TensorProto, helper

    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
              helper.make_tensor_value_info("attention_mask", TensorProto.INT64,
                                            ["batch_size", "total_sequence_length"])]
    outputs = []
    kinds = ("key",) if key_only else ("key", "value")
    for i in range(layers):
        for kind in kinds:
            inputs.append(helper.make_tensor_value_info(f"past_key_values.{i}.{kind}", FP16,
                                                        ["batch_size", shape_kv[0], "past_sequence_length",
                                                         shape_kv[1]]))
            outputs.append(helper.make_tensor_value_info(f"present.{i}.{kind}", FP16,
                                                         ["batch_size", shape_kv[0], "total_sequence_length",
                                                          shape_kv[1]]))
    return inputs, outputs


def _mask_nodes(g: Graph) -> tuple[str, str]:
    """genai's attention-mask subgraph: the past length per sequence and the total length, as int32."""
    from onnx import TensorProto, helper

    one = g.node("Constant", [], ["/model/constants/INT64/[1]"], "/model/constant_nodes/INT64/[1]",
                 value=helper.make_tensor("one", TensorProto.INT64, [1], [1]))
    base = "/model/attn_mask_reformat/attn_mask_subgraph"
    s = g.node("ReduceSum", ["attention_mask", one], [f"{base}/ReduceSum/output_0"], f"{base}/ReduceSum", keepdims=0)
    s = g.node("Sub", [s, one], [f"{base}/Sub/output_0"], f"{base}/Sub")
    seqlens = g.node("Cast", [s], [f"{base}/Sub/Cast/output_0"], f"{base}/Sub/Cast", to=TensorProto.INT32)
    shape = g.node("Shape", ["attention_mask"], [f"{base}/Shape/output_0"], f"{base}/Shape")
    idx = g.node("Constant", [], ["/model/constants/INT64/1"], "/model/constant_nodes/INT64/1",
                 value=helper.make_tensor("idx", TensorProto.INT64, [], [1]))
    total = g.node("Gather", [shape, idx], [f"{base}/Gather/output_0"], f"{base}/Gather", axis=0)
    total = g.node("Cast", [total], [f"{base}/Gather/Cast/output_0"], f"{base}/Gather/Cast", to=TensorProto.INT32)
    return seqlens, total


def build_llama(shape: LlamaShape, out: Path) -> Path:
    from onnx import helper

    out.mkdir(parents=True, exist_ok=True)
    w, g = Writer(out), Graph()
    d, hd, L = shape.d, shape.head_dim, shape.layers
    emb, emb_at = w.add("model.embed_tokens.weight", (shape.vocab, d))
    _corner(w, emb_at, d, seed=1)
    cos, _ = w.add("cos_cache", (shape.context, hd // 2))
    sin, _ = w.add("sin_cache", (shape.context, hd // 2))
    seqlens, total = _mask_nodes(g)
    x = g.node("Gather", [emb, "input_ids"], ["/model/embed_tokens/Gather/output_0"], "/model/embed_tokens/Gather")
    residual = x
    norm_w, _ = w.add("model.layers.0.input_layernorm.weight", (d,))
    h = g.node("SimplifiedLayerNormalization", [x, norm_w], ["/model/layers.0/input_layernorm/output_0"],
               "/model/layers.0/input_layernorm/LayerNorm", epsilon=1e-5, axis=-1, stash_type=1)
    for i in range(L):
        p, n = f"model.layers.{i}", f"/model/layers.{i}"
        qkv, _ = w.add(f"{p}.attn.qkv_proj.MatMul.weight", (d, (shape.heads + 2 * shape.kv_heads) * hd))
        q = g.node("MatMul", [h, qkv], [f"{n}/attn/qkv_proj/MatMul/output_0"], f"{n}/attn/qkv_proj/MatMul")
        a = g.node("GroupQueryAttention", [q, "", "", f"past_key_values.{i}.key", f"past_key_values.{i}.value",
                                           seqlens, total, cos, sin, "", "", ""],
                   [f"{n}/attn/GroupQueryAttention/output_0", f"present.{i}.key", f"present.{i}.value"],
                   f"{n}/attn/GroupQueryAttention", domain="com.microsoft", num_heads=shape.heads,
                   kv_num_heads=shape.kv_heads, scale=1 / math.sqrt(hd), local_window_size=-1, softcap=0.0,
                   do_rotary=1, rotary_interleaved=0)
        o_w, _ = w.add(f"{p}.attn.o_proj.MatMul.weight", (shape.heads * hd, d))
        o = g.node("MatMul", [a, o_w], [f"{n}/attn/o_proj/MatMul/output_0"], f"{n}/attn/o_proj/MatMul")
        post_w, _ = w.add(f"{p}.post_attention_layernorm.weight", (d,))
        h = g.node("SkipSimplifiedLayerNormalization", [residual, o, post_w],
                   [f"{n}/post_attention_layernorm/output_0", "", "", f"{n}/post_attention_layernorm/output_3"],
                   f"{n}/post_attention_layernorm/SkipLayerNorm", domain="com.microsoft", epsilon=1e-5)
        residual = f"{n}/post_attention_layernorm/output_3"
        gate_w, _ = w.add(f"{p}.mlp.gate_proj.MatMul.weight", (d, shape.ffn))
        up_w, _ = w.add(f"{p}.mlp.up_proj.MatMul.weight", (d, shape.ffn))
        down_w, _ = w.add(f"{p}.mlp.down_proj.MatMul.weight", (shape.ffn, d))
        gate = g.node("MatMul", [h, gate_w], [f"{n}/mlp/gate_proj/MatMul/output_0"], f"{n}/mlp/gate_proj/MatMul")
        up = g.node("MatMul", [h, up_w], [f"{n}/mlp/up_proj/MatMul/output_0"], f"{n}/mlp/up_proj/MatMul")
        sig = g.node("Sigmoid", [gate], [f"{n}/mlp/act_fn/Sigmoid/output_0"], f"{n}/mlp/act_fn/Sigmoid")
        act = g.node("Mul", [gate, sig], [f"{n}/mlp/act_fn/Mul/output_0"], f"{n}/mlp/act_fn/Mul")
        m = g.node("Mul", [act, up], [f"{n}/mlp/Mul/output_0"], f"{n}/mlp/Mul")
        down = g.node("MatMul", [m, down_w], [f"{n}/mlp/down_proj/MatMul/output_0"], f"{n}/mlp/down_proj/MatMul")
        last = i == L - 1
        nxt = f"/model/layers.{i + 1}/{'final_norm_layernorm' if last else 'input_layernorm'}"
        norm_w, _ = w.add(f"model.layers.{i + 1}.{'final_norm_layernorm' if last else 'input_layernorm'}.weight", (d,))
        outs = [f"{nxt}/output_0"] + ([] if last else ["", "", f"{nxt}/output_3"])
        h = g.node("SkipSimplifiedLayerNormalization", [residual, down, norm_w], outs, f"{nxt}/SkipLayerNorm",
                   domain="com.microsoft", epsilon=1e-5)
        residual = f"{nxt}/output_3"
    head, head_at = w.add("lm_head.MatMul.weight", (d, shape.vocab))
    _corner(w, head_at, shape.vocab, seed=2)
    g.node("MatMul", [h, head], ["logits"], "/lm_head/MatMul")
    inputs, outputs = _io((shape.kv_heads, hd), L)
    outputs.insert(0, helper.make_tensor_value_info("logits", FP16, ["batch_size", "sequence_length", shape.vocab]))
    _save(g, w, inputs, outputs, out, f"{shape.name} (genai-style fp16, sparse)")
    _genai_config(out, "llama", shape.vocab, shape.context, d, shape.heads, shape.kv_heads, hd, L)
    return out


def build_deepseek(shape: DeepSeekShape, out: Path) -> Path:
    from onnx import TensorProto, helper

    out.mkdir(parents=True, exist_ok=True)
    w, g = Writer(out), Graph()
    d, h_ = shape.d, shape.heads
    qk = shape.nope_dim + shape.rope_dim
    latent = shape.kv_rank + shape.rope_dim
    emb, emb_at = w.add("model.embed_tokens.weight", (shape.vocab, d))
    _corner(w, emb_at, d, seed=1)
    cos, _ = w.add("cos_cache", (shape.context, shape.rope_dim // 2))
    sin, _ = w.add("sin_cache", (shape.context, shape.rope_dim // 2))
    const = {}

    def ints(name: str, values: list[int]) -> str:
        if name not in const:
            const[name] = g.node("Constant", [], [f"/model/constants/{name}"], f"/model/constant_nodes/{name}",
                                 value=helper.make_tensor(name, TensorProto.INT64, [len(values)], values))
        return const[name]

    x = g.node("Gather", [emb, "input_ids"], ["/model/embed_tokens/Gather/output_0"], "/model/embed_tokens/Gather")
    residual = x
    for i in range(shape.layers):
        p, n = f"model.layers.{i}", f"/model/layers.{i}"

        def mm(inp: str, module: str, k_in: int, k_out: int) -> str:
            wt, _ = w.add(f"{p}.{module}.MatMul.weight", (k_in, k_out))
            path = module.replace(".", "/")
            return g.node("MatMul", [inp, wt], [f"{n}/{path}/MatMul/output_0"], f"{n}/{path}/MatMul")

        def norm(inp: str, module: str, width: int) -> str:
            wt, _ = w.add(f"{p}.{module}.weight", (width,))
            path = module.replace(".", "/")
            return g.node("SimplifiedLayerNormalization", [inp, wt], [f"{n}/{path}/output_0"],
                          f"{n}/{path}/LayerNorm", epsilon=1e-6, axis=-1, stash_type=1)

        hn = norm(residual, "input_layernorm", d)
        q = mm(norm(mm(hn, "attn.q_a_proj", d, shape.q_rank), "attn.q_a_layernorm", shape.q_rank),
               "attn.q_b_proj", shape.q_rank, h_ * qk)
        kv_a = mm(hn, "attn.kv_a_proj_with_mqa", d, latent)
        c_kv, k_rope = f"{n}/attn/kv_split/output_0", f"{n}/attn/kv_split/output_1"
        g.node("Split", [kv_a, ints("split_latent", [shape.kv_rank, shape.rope_dim])], [c_kv, k_rope],
               f"{n}/attn/kv_split", axis=-1)
        c_kv = norm(c_kv, "attn.kv_a_layernorm", shape.kv_rank)
        new = g.node("Concat", [c_kv, k_rope], [f"{n}/attn/latent/output_0"], f"{n}/attn/latent", axis=-1)
        new = g.node("Unsqueeze", [new, ints("axis1", [1])], [f"{n}/attn/latent/Unsqueeze/output_0"],
                     f"{n}/attn/latent/Unsqueeze")
        cache = g.node("Concat", [f"past_key_values.{i}.key", new], [f"present.{i}.key"], f"{n}/attn/cache/Concat",
                       axis=2)
        c_all = g.node("Slice", [cache, ints("zero", [0]), ints("rank", [shape.kv_rank]), ints("axis_last", [-1])],
                       [f"{n}/attn/cache/latent/output_0"], f"{n}/attn/cache/latent")
        kv = mm(c_all, "attn.kv_b_proj", shape.kv_rank, h_ * (shape.nope_dim + shape.v_dim))
        kv = g.node("Reshape", [kv, ints("kv_heads", [0, -1, h_, shape.nope_dim + shape.v_dim])],
                    [f"{n}/attn/kv/Reshape/output_0"], f"{n}/attn/kv/Reshape")
        k_nope, v = f"{n}/attn/kv/Split/output_0", f"{n}/attn/kv/Split/output_1"
        g.node("Split", [kv, ints("split_kv", [shape.nope_dim, shape.v_dim])], [k_nope, v], f"{n}/attn/kv/Split",
               axis=-1)
        qh = g.node("Reshape", [q, ints("q_heads", [0, -1, h_, qk])], [f"{n}/attn/q/Reshape/output_0"],
                    f"{n}/attn/q/Reshape")
        qn = g.node("Slice", [qh, ints("zero", [0]), ints("nope", [shape.nope_dim]), ints("axis_last", [-1])],
                    [f"{n}/attn/q/nope/output_0"], f"{n}/attn/q/nope")
        scores = g.node("Einsum", [qn, k_nope], [f"{n}/attn/scores/output_0"], f"{n}/attn/scores",
                        equation="bqhd,bkhd->bhqk")
        probs = g.node("Softmax", [scores], [f"{n}/attn/Softmax/output_0"], f"{n}/attn/Softmax", axis=-1)
        ctx = g.node("Einsum", [probs, v], [f"{n}/attn/context/output_0"], f"{n}/attn/context",
                     equation="bhqk,bkhd->bqhd")
        ctx = g.node("Reshape", [ctx, ints("merge_heads", [0, -1, h_ * shape.v_dim])],
                     [f"{n}/attn/context/Reshape/output_0"], f"{n}/attn/context/Reshape")
        o = mm(ctx, "attn.o_proj", h_ * shape.v_dim, d)
        residual = g.node("Add", [residual, o], [f"{n}/attn/residual/output_0"], f"{n}/attn/residual")
        hn = norm(residual, "post_attention_layernorm", d)
        if i < shape.dense_layers:
            gate, up = mm(hn, "mlp.gate_proj", d, shape.ffn), mm(hn, "mlp.up_proj", d, shape.ffn)
            sig = g.node("Sigmoid", [gate], [f"{n}/mlp/act_fn/Sigmoid/output_0"], f"{n}/mlp/act_fn/Sigmoid")
            act = g.node("Mul", [gate, sig], [f"{n}/mlp/act_fn/Mul/output_0"], f"{n}/mlp/act_fn/Mul")
            m = g.node("Mul", [act, up], [f"{n}/mlp/Mul/output_0"], f"{n}/mlp/Mul")
            mlp = mm(m, "mlp.down_proj", shape.ffn, d)
        else:
            logits = mm(hn, "mlp.gate", d, shape.experts)
            score = g.node("Sigmoid", [logits], [f"{n}/mlp/gate/Sigmoid/output_0"], f"{n}/mlp/gate/Sigmoid")
            bias, _ = w.add(f"{p}.mlp.gate.e_score_correction_bias", (shape.experts,))
            probs = g.node("Add", [score, bias], [f"{n}/mlp/gate/Add/output_0"], f"{n}/mlp/gate/Add")
            fc1, _ = w.add(f"{p}.mlp.experts.gate_proj.weight", (shape.experts, shape.expert_ffn, d))
            fc2, _ = w.add(f"{p}.mlp.experts.down_proj.weight", (shape.experts, d, shape.expert_ffn))
            fc3, _ = w.add(f"{p}.mlp.experts.up_proj.weight", (shape.experts, shape.expert_ffn, d))
            routed = g.node("MoE", [hn, probs, fc1, "", fc2, "", fc3], [f"{n}/mlp/experts/MoE/output_0"],
                            f"{n}/mlp/experts/MoE", domain="com.microsoft", k=shape.k, activation_type="silu",
                            normalize_routing_weights=1, use_sparse_mixer=0)
            width = shape.shared * shape.expert_ffn
            gate = mm(hn, "mlp.shared_experts.gate_proj", d, width)
            up = mm(hn, "mlp.shared_experts.up_proj", d, width)
            sig = g.node("Sigmoid", [gate], [f"{n}/mlp/shared_experts/act_fn/Sigmoid/output_0"],
                         f"{n}/mlp/shared_experts/act_fn/Sigmoid")
            act = g.node("Mul", [gate, sig], [f"{n}/mlp/shared_experts/act_fn/Mul/output_0"],
                         f"{n}/mlp/shared_experts/act_fn/Mul")
            m = g.node("Mul", [act, up], [f"{n}/mlp/shared_experts/Mul/output_0"], f"{n}/mlp/shared_experts/Mul")
            shared = mm(m, "mlp.shared_experts.down_proj", width, d)
            mlp = g.node("Add", [routed, shared], [f"{n}/mlp/Add/output_0"], f"{n}/mlp/Add")
        residual = g.node("Add", [residual, mlp], [f"{n}/mlp/residual/output_0"], f"{n}/mlp/residual")
    final_w, _ = w.add("model.norm.weight", (d,))
    h = g.node("SimplifiedLayerNormalization", [residual, final_w], ["/model/norm/output_0"], "/model/norm/LayerNorm",
               epsilon=1e-6, axis=-1, stash_type=1)
    head, head_at = w.add("lm_head.MatMul.weight", (d, shape.vocab))
    _corner(w, head_at, shape.vocab, seed=2)
    g.node("MatMul", [h, head], ["logits"], "/lm_head/MatMul")
    inputs, outputs = _io((1, latent), shape.layers, key_only=True)
    outputs.insert(0, helper.make_tensor_value_info("logits", FP16, ["batch_size", "sequence_length", shape.vocab]))
    _save(g, w, inputs, outputs, out, f"{shape.name} (fp16, MoE and MLA, sparse)")
    config = {"model_type": "deepseek_v3", "architectures": ["DeepseekV3ForCausalLM"], "vocab_size": shape.vocab,
              "hidden_size": d, "intermediate_size": shape.ffn, "moe_intermediate_size": shape.expert_ffn,
              "num_hidden_layers": shape.layers, "first_k_dense_replace": shape.dense_layers,
              "num_attention_heads": h_, "num_key_value_heads": h_, "n_routed_experts": shape.experts,
              "n_shared_experts": shape.shared, "num_experts_per_tok": shape.k, "q_lora_rank": shape.q_rank,
              "kv_lora_rank": shape.kv_rank, "qk_rope_head_dim": shape.rope_dim, "qk_nope_head_dim": shape.nope_dim,
              "v_head_dim": shape.v_dim, "max_position_embeddings": shape.context, "tie_word_embeddings": False,
              "torch_dtype": "float16"}
    (out / "config.json").write_text(json.dumps(config, indent=2))
    return out


def _save(g: Graph, w: Writer, inputs, outputs, out: Path, doc: str) -> None:
    import onnx
    from onnx import helper

    graph = helper.make_graph(g.nodes, "main_graph", inputs, outputs, initializer=w.inits)
    model = helper.make_model(graph, producer_name="gpt-inspector bench/build_giant.py", doc_string=doc,
                              opset_imports=[helper.make_opsetid("", 21), helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = 10
    size = w.finish()
    onnx.save_model(model, out / "model.onnx")
    print(f"{out}: {len(w.inits)} tensors, {size / 1e9:,.1f} GB of external data (sparse: "
          f"{os.stat(out / w.location).st_blocks * 512 / 1e6:.1f} MB on disk)")


def _genai_config(out: Path, kind: str, vocab: int, context: int, d: int, heads: int, kv: int, hd: int, layers: int):
    config = {"model": {"bos_token_id": 128000, "context_length": context, "eos_token_id": [128001, 128009],
                        "pad_token_id": 128001, "type": kind, "vocab_size": vocab,
                        "decoder": {"filename": "model.onnx", "head_size": hd, "hidden_size": d,
                                    "num_attention_heads": heads, "num_hidden_layers": layers,
                                    "num_key_value_heads": kv, "session_options": {"provider_options": []},
                                    "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask",
                                               "past_key_names": "past_key_values.%d.key",
                                               "past_value_names": "past_key_values.%d.value"},
                                    "outputs": {"logits": "logits", "present_key_names": "present.%d.key",
                                                "present_value_names": "present.%d.value"}}},
              "search": {"max_length": context, "past_present_share_buffer": True}}
    (out / "genai_config.json").write_text(json.dumps(config, indent=4))


def build(name: str, folder: Path | None = None) -> Path:
    shape = SHAPES[name]
    out = folder or MODELS / f"giant-{name}"
    return build_deepseek(shape, out) if isinstance(shape, DeepSeekShape) else build_llama(shape, out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("shapes", nargs="*", help=f"which (default: all): {', '.join(SHAPES)}")
    ap.add_argument("--out", type=Path, default=MODELS)
    ap.add_argument("--holes", action="store_true", help="write no value: every weight reads as zero")
    args = ap.parse_args()
    unknown = [s for s in args.shapes if s not in SHAPES]
    if unknown:
        ap.error(f"unknown shape {unknown[0]!r}; choose from {', '.join(SHAPES)}")
    args.shapes = args.shapes or list(SHAPES)
    global HOLES_ONLY
    HOLES_ONLY = args.holes
    for name in args.shapes:
        build(name, args.out / f"giant-{name}{'-holes' if args.holes else ''}")
        print(f"  PyTorch would count {SHAPES[name].parameters():,} parameters")


if __name__ == "__main__":
    sys.exit(main())
