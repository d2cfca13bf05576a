"""Check the sample models and every fixture against the PyTorch reference recorded beside it, and print the table.

    python sample_models/verify.py [NAME …]             # every model, or just these folders
    python sample_models/verify.py --families [NAME …]  # one row per model folder, with its inside view

For each model folder (and each variant file in it): is the count exact (parameters, weights
and biases as PyTorch's `num_parameters()` split them, for a quantized file those of the float
model), which family is named and from what, does the family's formula equal the count, how the
file stores its parameters (scheme, bits per parameter), and are the greedy ids those PyTorch
produced and those a bare onnxruntime loop produces on the same file.  Exit status 1 when any
check fails (a quantized or fp16 file may differ from PyTorch, never from onnxruntime).
`--families` checks each folder's own file once, and its inside view too: the attention rows and the
logit lens of the steps PyTorch recorded (only the lens where attention is one fused op).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from inspector.engine import GenerationConfig, Generator  # noqa: E402
from inspector.model import load_model, take_census  # noqa: E402
from inspector.model.moe import moe_of  # noqa: E402
from inspector.model.sources import open_source  # noqa: E402
from inspector.stats.precision import precision_view  # noqa: E402
from inspector.stats.scale import formula_for  # noqa: E402
from tests.ort_loop import plain_greedy  # noqa: E402 - onnxruntime alone: the whole sequence each step


def rows(folder: Path):
    ref = json.loads((folder / "reference.json").read_text())
    want = (ref["parameters"], ref["weights"], ref["biases"])
    for variant in open_source(folder).variants:
        c = take_census(load_model(folder, variant=variant.name))
        a = c.architecture
        formula = formula_for(a)
        gen = Generator(folder, provider="cpu", variant=variant.name)
        cfg = GenerationConfig(max_new_tokens=max(20, len(ref["greedy_ids"])),
                               stop_at_eos=not ref.get("greedy_through_eos", False))
        result = gen.generate(ref["prompt"], cfg)
        ids = result.new_ids
        # a genai build with a sliding window needs its runtime's preallocated cache: its own ids are the oracle
        bare = ref["genai_greedy_ids"][:len(ids)] if "genai_greedy_ids" in ref else \
            plain_greedy(gen.path, ref["prompt_ids"], len(ids), a.head_dim)
        moe, moe_ref = moe_of(c), ref.get("moe")
        routed = [[[e for e, _w in layer] for layer in s.experts] for s in result.steps if s.experts is not None]
        view = precision_view(c)
        yield {"case": f"{folder.name}/{variant.name}", "dtype": variant.dtype,
               "scheme": str(view["stored_as"]),  # the tied head's stored copy included
               "float": not (view["quantized"] or view["tied_copy_schemes"]) and set(view["schemes"]) <= {"fp32"},
               "bpp": view["bits_per_parameter"],
               "count": f"{c.parameters:,}", "exact": (c.parameters, c.weights, c.biases) == want,
               "family": f"{a.family} ({a.family_source})", "family_ok": a.family == ref["architecture"]["family"],
               # a file that lost experts: the family's formula gives the trained model's count (PyTorch's)
               "formula": bool(formula and formula[1] in (c.parameters, ref["parameters"] if moe and moe.warnings
                                                          else c.parameters)), "checks": len(a.config_checks),
               "pytorch_ids": ids == ref["greedy_ids"][:len(ids)], "ort_ids": ids[:len(bare)] == bare,
               "active": "–" if moe is None else f"{moe.active_parameters:,}" + (
                   "" if moe_ref and moe_ref["active_parameters"] == moe.active_parameters else " (PyTorch: "
                   f"{moe_ref['active_parameters']:,})" if moe_ref else ""),
               "experts": "–" if moe_ref is None else sum(r == [[e for e, _w in layer] for layer in w]
                                                          for r, w in zip(routed, moe_ref["routing"])),
               "steps": len(moe_ref["routing"]) if moe_ref else 0,
               "lost": "; ".join(f"{w['layer']} holds {w['graph']} of the {w['config']} experts {w['source']} gives it"
                                 for w in (moe.warnings if moe else [])),
               # the build found that this file itself computes something else than PyTorch (its recorded ids)
               "own_ids": ids == ref.get("variant_greedy_ids", {}).get(variant.name, [])[:len(ids)]}


def inside_equals_pytorch(folder: Path, ref: dict, sinks: bool = False) -> str:
    """Does the inside view give PyTorch's attention and lens at the steps the reference recorded? With attention
    sinks (gpt-oss) a row ends with the sink's weight, which PyTorch's eager attention drops after its softmax."""
    import numpy as np

    want = ref.get("inside", {}).get("steps", {})
    if not want:
        return "no reference"
    gen = Generator(folder, provider="cpu")
    gen.start(ref["prompt_ids"], GenerationConfig(max_new_tokens=max(map(int, want)) + 1, stop_at_eos=False,
                                                  inside=True, candidates=ref["inside"]["k"]))
    steps = list(gen.steps())
    attention = lens = True
    for index, w in want.items():
        step = steps[int(index)]
        lens &= [[i for i, _p in row] for row in step.lens] == [[i for i, _p in row] for row in w["lens"]]
        if step.attention is None:
            attention = None
        elif attention is not None:
            attention &= all(np.allclose(np.asarray(got)[..., :-1] if sinks else got, np.asarray(exp), atol=1e-4)
                             for got, exp in zip(step.attention, w["attention"]))
    if attention is None:
        return "lens yes (fused attention)" if lens else "**NO** (lens)"
    return "yes" if attention and lens else "**NO** (" + " and ".join(
        n for n, ok in (("attention", attention), ("lens", lens)) if not ok) + ")"


def family_row(folder: Path) -> dict:
    """One folder, its own file: the count, the family, its formula, the greedy ids and the inside view."""
    ref = json.loads((folder / "reference.json").read_text())
    c = take_census(load_model(folder))
    a = c.architecture
    formula = formula_for(a)
    moe = moe_of(c)
    lost = "; ".join(f"{w['layer']} holds {w['graph']} of the {w['config']} experts {w['source']} gives it"
                     for w in (moe.warnings if moe else []))
    gen = Generator(folder, provider="cpu")
    ids = gen.generate(ref["prompt"], GenerationConfig(max_new_tokens=20, stop_at_eos=not ref.get(
        "greedy_through_eos", False))).new_ids
    variant = c.model.source.variant.name if c.model.source and c.model.source.variant else None
    bare = ref.get("variant_greedy_ids", {}).get(variant)  # a quantized file: what onnxruntime alone made of it
    genai = ref.get("genai_greedy_ids", [])[:len(ids)]  # onnxruntime-genai's own generator (it may stop sooner)
    pytorch = ids == ref["greedy_ids"][:len(ids)]
    return {"case": folder.name, "count": f"{c.parameters:,}",
            "exact": (c.parameters, c.weights, c.biases) == (ref["parameters"], ref["weights"], ref["biases"]),
            "lost": lost,
            "family": f"{a.family} ({a.family_source})", "family_ok": a.family == ref["architecture"]["family"],
            # a file that lost experts: the family's formula gives the trained model's count (PyTorch's)
            "formula": bool(formula and formula[1] == (ref["parameters"] if lost else c.parameters)),
            "checks": len(a.config_checks),
            "pytorch_ids": "yes" if pytorch else
            f"onnxruntime's ({variant})" if bare is not None and ids == bare[:len(ids)] else
            "onnxruntime-genai's" if genai and ids[:len(genai)] == genai else "**NO**",
            # a file that computes something else (quantized, built otherwise, or short of experts: the prompt's
            # tokens may have gone to the missing ones) has no PyTorch inside to match
            "inside": "not compared" if lost or not pytorch else inside_equals_pytorch(folder, ref,
                                                                                       a.holds("attn.sinks"))}


def families_table(folders: list[Path]) -> int:
    print("| model | parameters | = PyTorch | family (named by) | formula = count | config warnings | ids = PyTorch "
          "| inside = PyTorch |")
    print("|---|--:|---|---|---|--:|---|---|")
    ok = True
    yes = lambda b: "yes" if b else "**NO**"
    for folder in folders:
        r = family_row(folder)
        ok &= (r["exact"] or bool(r["lost"])) and r["family_ok"] and r["formula"] and r["checks"] == 0 and \
            not r["pytorch_ids"].startswith("**NO**") and not r["inside"].startswith("**NO**")
        exact = f"no — {r['lost']}" if r["lost"] else yes(r["exact"])  # a file that lost experts says so
        print(f"| {r['case']} | {r['count']} | {exact} | {r['family']} | {yes(r['formula'])} | "
              f"{r['checks']} | {r['pytorch_ids']} | {r['inside']} |")
    return 0 if ok else 1


def main() -> int:
    refs = [*HERE.glob("*/reference.json"), *(HERE / "fixtures").glob("*/reference.json")]  # samples, fixtures
    names = [a for a in sys.argv[1:] if not a.startswith("--")]
    folders = sorted(p.parent for p in refs if not names or p.parent.name in names)
    if "--families" in sys.argv[1:]:
        return families_table(folders)
    print("| case | stored as | bits/param | parameters | count exact | family (named by) | formula = count "
          "| config warnings | ids = PyTorch | ids = bare onnxruntime | active per token | experts = PyTorch's |")
    print("|---|---|--:|--:|---|---|---|--:|---|---|--:|---|")
    ok = True
    yes = lambda b: "yes" if b else "**NO**"
    for folder in folders:
        for r in rows(folder):
            lost = bool(r["lost"])  # a file that lost experts is not PyTorch's model: it says so
            ok &= (r["exact"] or lost) and r["family_ok"] and r["formula"] and r["checks"] == 0 and r["ort_ids"] and \
                (r["pytorch_ids"] or lost or not r["float"] or r["own_ids"])
            experts = "–" if r["experts"] == "–" else f"{r['experts']} of {r['steps']} steps"
            print(f"| {r['case']} | {r['scheme']} | {r['bpp']:.1f} | {r['count']} | {yes(r['exact'])} | {r['family']} | "
                  f"{yes(r['formula'])} | {r['checks']} | {'yes' if r['pytorch_ids'] else 'no'} | {yes(r['ort_ids'])} | "
                  f"{r['active']} | {experts}{' — ' + r['lost'] if lost else ''} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
