"""PyTorch's next-token distribution with parts of a fixture switched off, for `generate --ablate` to equal
(issue 25): `python sample_models/build.py ablation` writes `ablation_reference.json` beside each fixture named
below.  Build-time only (torch, transformers)."""

from __future__ import annotations

import json
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent


# PyTorch's next-token distribution with parts switched off, for the inspector's --ablate to equal.  The model is
# not rebuilt from seeds (the family fixtures were trained, and training is only as repeatable as the CPU's sums):
# the ONNX file's own weights are loaded back into transformers' model of its config.json, and that model must
# give the fixture's reference.json (greedy ids, top-5 probabilities) before anything is recorded.
ABLATION_FIXTURES = ("tiny-gpt2", "tiny-llama", "tiny-gpt-neox", "tiny-opt", "tiny-phi3", "tiny-mistral", "tjs-qwen2")
ABLATION_SPECS = {"head": "1.1", "attention": "0.attn", "mlp": "1.mlp", "two heads": "0.0,1.1",
                  "mixed": "0.1,1.attn,0.mlp"}  # blocks and heads from 0, as the inspector numbers them
ABLATION_GREEDY = 8  # tokens of greedy continuation with the parts off throughout


def _onnx_file(folder: Path) -> Path:
    return folder / "model.onnx" if (folder / "model.onnx").exists() else folder / "onnx" / "model.onnx"


def load_onnx_weights(model, path: Path) -> None:
    """Every parameter of `model` from the ONNX file's initializers: by its PyTorch name, through an Identity
    alias, or, for a weight the exporter renamed, by the name of the MatMul/Gemm node that reads it (stored
    [in, out] for a Linear: transposed back).  A parameter left unassigned is an error."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    from inspector.model.roles import owner_path

    proto = onnx.load(str(path))  # external data beside it is read too
    graph = proto.graph
    values = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    readers: dict[str, list] = {}
    for n in graph.node:
        for slot, v in enumerate(n.input):
            readers.setdefault(v, []).append((n, slot))
        if n.op_type == "Identity" and n.input[0] in values:  # a deduplicated tensor under another name
            values.setdefault(n.output[0], values[n.input[0]])
    params = dict(model.named_parameters())
    assigned: dict[str, str] = {}
    for name, arr in values.items():
        target, transpose = (name, False) if name in params else (None, False)
        if target is None:
            for node, slot in readers.get(name, []):
                if node.op_type not in ("MatMul", "Gemm") or slot != 1:
                    continue
                path_ = owner_path(node.name) + ".weight"
                found = [p for p in params if p == path_ or p.endswith("." + path_)]
                if len(found) == 1:
                    module = model.get_submodule(found[0].rsplit(".", 1)[0])
                    trans_b = any(a.name == "transB" and a.i for a in node.attribute)
                    target, transpose = found[0], isinstance(module, torch.nn.Linear) and not trans_b
                    break
        if target is None:
            continue
        tensor = torch.from_numpy(np.array(arr.T if transpose else arr)).to(params[target].dtype)
        if tensor.shape != params[target].shape:
            raise ValueError(f"{path}: {name} has shape {list(tensor.shape)}, {target} {list(params[target].shape)}")
        with torch.no_grad():
            params[target].copy_(tensor)
        assigned[target] = name
    missing = [p for p in params if p not in assigned]
    if missing:
        raise ValueError(f"{path}: no initializer found for {', '.join(missing[:5])}")


def _greedy(model, ids: list[int], n: int) -> tuple[list[int], float]:
    """n argmax tokens (run on past end-of-text) and the smallest gap between the top two probabilities."""
    out, margin = list(ids), 1.0
    with torch.no_grad():
        for _ in range(n):
            probs = torch.softmax(model(input_ids=torch.tensor([out])).logits[0, -1].double(), -1)
            top = torch.topk(probs, 2)
            margin = min(margin, float(top.values[0] - top.values[1]))
            out.append(int(top.indices[0]))
    return out[len(ids):], margin


def _blocks(model):
    base = model.base_model
    base = getattr(base, "decoder", base)  # OPT
    for name in ("h", "layers"):
        if hasattr(base, name):
            return list(getattr(base, name))
    raise ValueError(f"no blocks found in {type(model).__name__}")


def _child(module, names: tuple[str, ...]):
    return next((getattr(module, n) for n in names if hasattr(module, n)), None)


def ablation_hooks(model, spec: str) -> list:
    """PyTorch hooks that switch the parts of `spec` off: a head's slice of the input to the attention's
    out-projection zeroed, the attention module's output zeroed, the MLP's output zeroed (OPT has no MLP module:
    its fc2's output).  Returns the handles, to be removed."""
    cfg = model.config
    head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads
    blocks, handles = _blocks(model), []
    heads: dict[int, list[int]] = {}
    for item in spec.split(","):
        b, what = item.split(".")
        block = blocks[int(b)]
        attn = _child(block, ("attn", "self_attn", "attention"))
        if what == "attn":
            handles.append(attn.register_forward_hook(
                lambda _m, _i, out: (torch.zeros_like(out[0]),) + tuple(out[1:]) if isinstance(out, tuple)
                else torch.zeros_like(out)))
        elif what == "mlp":
            mlp = _child(block, ("mlp", "fc2"))
            handles.append(mlp.register_forward_hook(lambda _m, _i, out: torch.zeros_like(out)))
        else:
            heads.setdefault(int(b), []).append(int(what))
    for b, hs in heads.items():
        proj = _child(_child(blocks[b], ("attn", "self_attn", "attention")), ("c_proj", "o_proj", "out_proj", "dense"))

        def zero_heads(_m, args, hs=tuple(hs)):
            x = args[0].clone()
            for h in hs:
                x[..., h * head_dim:(h + 1) * head_dim] = 0
            return (x,) + tuple(args[1:])

        handles.append(proj.register_forward_pre_hook(zero_heads))
    return handles


def ablation_reference(folder: Path) -> dict:
    from transformers import AutoConfig, AutoModelForCausalLM

    import transformers

    ref = json.loads((folder / "reference.json").read_text())
    cfg = AutoConfig.from_pretrained(folder)
    model = AutoModelForCausalLM.from_config(cfg).eval()
    load_onnx_weights(model, _onnx_file(folder))
    ids = ref["prompt_ids"]

    def top5() -> tuple[list[int], list[float], torch.Tensor]:
        with torch.no_grad():
            probs = torch.softmax(model(input_ids=torch.tensor([ids])).logits[0, -1].double(), -1)
        top = torch.topk(probs, 5)
        return top.indices.tolist(), top.values.tolist(), probs

    intact_ids, intact_probs, intact = top5()
    greedy, _margin = _greedy(model, ids, len(ref["greedy_ids"]))
    if intact_ids != ref["top5_ids"] or max(abs(a - b) for a, b in zip(intact_probs, ref["top5_probs"])) > 1e-6 \
            or greedy != ref["greedy_ids"]:
        raise ValueError(f"{folder.name}: the weights loaded from the ONNX file do not give reference.json")
    ablations = []
    for kind, spec in ABLATION_SPECS.items():
        handles = ablation_hooks(model, spec)
        try:
            top_ids, top_probs, probs = top5()
            greedy, margin = _greedy(model, ids, ABLATION_GREEDY)
        finally:
            for h in handles:
                h.remove()
        kl = float((intact * (intact.log() - probs.log())).sum())
        ablations.append({"kind": kind, "spec": spec, "top5_ids": top_ids, "top5_probs": top_probs, "kl": kl,
                          "greedy_ids": greedy, "greedy_margin": margin})
    return {"prompt_ids": ids, "numbering": "blocks and heads from 0", "model_from": _onnx_file(folder).name,
            "weights": "loaded from the ONNX file into transformers' model; checked against reference.json",
            "hooks": "head: its slice of the out-projection's input zeroed; attention: the attention module's "
                     "output zeroed; mlp: the MLP module's output zeroed (OPT: fc2's)",
            "ablations": ablations, "torch": torch.__version__, "transformers": transformers.__version__}


def build_ablation_references(only: list[str] | None = None) -> None:
    for name in ABLATION_FIXTURES:
        if only and name not in only:
            continue
        folder = HERE / "fixtures" / name
        ref = ablation_reference(folder)
        with open(folder / "ablation_reference.json", "w") as fh:
            json.dump(ref, fh, indent=1)
        print(f"{name}: ablation references " + ", ".join(f"{a['spec']} KL {a['kl']:.3g}" for a in ref["ablations"]))
