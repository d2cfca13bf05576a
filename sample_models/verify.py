"""Check the sample models and every fixture against the PyTorch reference recorded beside it, and print the table.

    python sample_models/verify.py
    python sample_models/verify.py --families    # one row per model folder, with its inside view


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
        cfg = GenerationConfig(max_new_tokens=20, stop_at_eos=not ref.get("greedy_through_eos", False))
        ids = gen.generate(ref["prompt"], cfg).new_ids
        bare = plain_greedy(gen.path, ref["prompt_ids"], len(ids), a.head_dim)
        view = precision_view(c)
        yield {"case": f"{folder.name}/{variant.name}", "dtype": variant.dtype,
               "scheme": view["summary"].split(":")[0] + "".join(f" (tied head's copy: {s})"
                                                                 for s in view["tied_copy_schemes"]),
               "bpp": view["bits_per_parameter"],
               "count": f"{c.parameters:,}", "exact": (c.parameters, c.weights, c.biases) == want,
               "family": f"{a.family} ({a.family_source})", "family_ok": a.family == ref["architecture"]["family"],
               "formula": bool(formula and formula[1] == c.parameters), "checks": len(a.config_checks),
               "pytorch_ids": ids == ref["greedy_ids"][:len(ids)], "ort_ids": ids == bare,
               # the build found that this file itself computes something else than PyTorch (its recorded ids)
               "own_ids": ids == ref.get("variant_greedy_ids", {}).get(variant.name, [])[:len(ids)]}


def inside_equals_pytorch(folder: Path, ref: dict) -> str:
    """Does the inside view give PyTorch's attention and lens at the steps the reference recorded?"""
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
            attention &= all(np.allclose(got, np.asarray(exp), atol=1e-4)
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
    gen = Generator(folder, provider="cpu")
    ids = gen.generate(ref["prompt"], GenerationConfig(max_new_tokens=20, stop_at_eos=not ref.get(
        "greedy_through_eos", False))).new_ids
    variant = c.model.source.variant.name if c.model.source and c.model.source.variant else None
    bare = ref.get("variant_greedy_ids", {}).get(variant)  # a quantized file: what onnxruntime alone made of it
    return {"case": folder.name, "count": f"{c.parameters:,}",
            "exact": (c.parameters, c.weights, c.biases) == (ref["parameters"], ref["weights"], ref["biases"]),
            "family": f"{a.family} ({a.family_source})", "family_ok": a.family == ref["architecture"]["family"],
            "formula": bool(formula and formula[1] == c.parameters), "checks": len(a.config_checks),
            "pytorch_ids": "yes" if ids == ref["greedy_ids"][:len(ids)] else
            f"onnxruntime's ({variant})" if bare is not None and ids == bare[:len(ids)] else "**NO**",
            # a file that computes something else (quantized, or built otherwise) has no PyTorch inside to match
            "inside": inside_equals_pytorch(folder, ref) if ids == ref["greedy_ids"][:len(ids)] else "not compared"}


def families_table(folders: list[Path]) -> int:
    print("| model | parameters | = PyTorch | family (named by) | formula = count | config warnings | ids = PyTorch "
          "| inside = PyTorch |")
    print("|---|--:|---|---|---|--:|---|---|")
    ok = True
    yes = lambda b: "yes" if b else "**NO**"
    for folder in folders:
        r = family_row(folder)
        ok &= r["exact"] and r["family_ok"] and r["formula"] and r["checks"] == 0 and \
            not r["pytorch_ids"].startswith("**NO**") and not r["inside"].startswith("**NO**")
        print(f"| {r['case']} | {r['count']} | {yes(r['exact'])} | {r['family']} | {yes(r['formula'])} | "
              f"{r['checks']} | {r['pytorch_ids']} | {r['inside']} |")
    return 0 if ok else 1


def main() -> int:
    refs = [*HERE.glob("*/reference.json"), *(HERE / "fixtures").glob("*/reference.json")]  # samples, fixtures
    folders = sorted(p.parent for p in refs)
    if "--families" in sys.argv[1:]:
        return families_table(folders)
    print("| case | stored as | bits/param | parameters | count exact | family (named by) | formula = count "
          "| config warnings | ids = PyTorch | ids = bare onnxruntime |")
    print("|---|---|--:|--:|---|---|---|--:|---|---|")
    ok = True
    yes = lambda b: "yes" if b else "**NO**"
    for folder in folders:
        for r in rows(folder):
            ok &= r["exact"] and r["family_ok"] and r["formula"] and r["checks"] == 0 and r["ort_ids"] and \
                (r["pytorch_ids"] or not r["scheme"].startswith("fp32") or r["own_ids"])
            print(f"| {r['case']} | {r['scheme']} | {r['bpp']:.1f} | {r['count']} | {yes(r['exact'])} | {r['family']} | "
                  f"{yes(r['formula'])} | {r['checks']} | {'yes' if r['pytorch_ids'] else 'no'} | {yes(r['ort_ids'])} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
