"""Check the sample models and every fixture against the PyTorch reference recorded beside it, and print the table.

    python sample_models/verify.py [NAME …]      # every model, or just these folders

For each model folder (and each variant file in it): is the count exact (parameters, weights
and biases as PyTorch's `num_parameters()` split them, for a quantized file those of the float
model), which family is named and from what, does the family's formula equal the count, how the
file stores its parameters (scheme, bits per parameter), and are the greedy ids those PyTorch
produced and those a bare onnxruntime loop produces on the same file.  Exit status 1 when any
check fails (a quantized or fp16 file may differ from PyTorch, never from onnxruntime).
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
                                 for w in (moe.warnings if moe else []))}


def main() -> int:
    refs = [*HERE.glob("*/reference.json"), *(HERE / "fixtures").glob("*/reference.json")]  # samples, fixtures
    folders = sorted(p.parent for p in refs if len(sys.argv) < 2 or p.parent.name in sys.argv[1:])
    print("| case | stored as | bits/param | parameters | count exact | family (named by) | formula = count "
          "| config warnings | ids = PyTorch | ids = bare onnxruntime | active per token | experts = PyTorch's |")
    print("|---|---|--:|--:|---|---|---|--:|---|---|--:|---|")
    ok = True
    yes = lambda b: "yes" if b else "**NO**"
    for folder in folders:
        for r in rows(folder):
            lost = bool(r["lost"])  # a file that lost experts is not PyTorch's model: it says so
            ok &= (r["exact"] or lost) and r["family_ok"] and r["formula"] and r["checks"] == 0 and r["ort_ids"] and \
                (r["pytorch_ids"] or lost or not r["float"])
            experts = "–" if r["experts"] == "–" else f"{r['experts']} of {r['steps']} steps"
            print(f"| {r['case']} | {r['scheme']} | {r['bpp']:.1f} | {r['count']} | {yes(r['exact'])} | {r['family']} | "
                  f"{yes(r['formula'])} | {r['checks']} | {'yes' if r['pytorch_ids'] else 'no'} | {yes(r['ort_ids'])} | "
                  f"{r['active']} | {experts}{' — ' + r['lost'] if lost else ''} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
