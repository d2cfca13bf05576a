"""`python -m inspector plan MODEL [--context N] [--batch B] [--kv-dtype …] [--device cpu|cuda|NAME] [--json]`:
what a run needs and how fast it can decode, here and on the common GPUs."""

from __future__ import annotations

import sys

from .. import units
from ..cli_options import add_variant_option
from .planner import KV_DTYPES


def add_plan_parser(sub) -> None:
    p = sub.add_parser("plan", help="the memory a run needs and its decode-speed bound, here and on common GPUs")
    p.add_argument("model", help="a .onnx file or an export folder")
    add_variant_option(p)
    p.add_argument("--context", type=int, help="tokens of context (default: the model's)")
    p.add_argument("--prompt-tokens", type=int, metavar="N",
                   help="tokens the first step reads at once (default: the whole context)")
    p.add_argument("--batch", type=int, default=1, help="sequences decoded together")
    p.add_argument("--kv-dtype", choices=KV_DTYPES, help="the KV cache's precision (default: the model's)")
    p.add_argument("--device", default="cpu",
                   help="cpu (this machine), cuda (this machine's GPU) or a GPU by name, e.g. \"RTX 4090\"")
    p.add_argument("--json", action="store_true", help="one JSON object on stdout")
    p.set_defaults(func=cmd_plan)


def cmd_plan(args) -> int:
    from ..pipeline import inspect
    from .planner import make_plan
    from .shape import shape_of

    census = inspect(args.model, variant=args.variant, statistics=False)
    try:
        shape = shape_of(census)
        plan = make_plan(shape, context=args.context, batch=args.batch, kv_dtype=args.kv_dtype, device=args.device,
                         prompt=args.prompt_tokens)
    finally:
        census.model.close()
    if args.json:
        from .. import json_output

        data = plan.as_dict()
        data["parameters"] = census.parameters
        json_output.dump(data, sys.stdout)
        sys.stdout.write("\n")
    else:
        print_plan(plan, shape, census.parameters, sys.stdout)
    return 0


def print_plan(plan, shape, parameters: int, out) -> None:
    mb = units.nbytes
    where = "inline" if shape.inline else "external data"
    print(f"{plan.model}: {units.count(parameters)} parameters, stored {shape.storage} ({where})", file=out)
    print(f"at {plan.context:,} tokens of context (a first step of {plan.prompt:,}), batch {plan.batch}, "
          f"KV cache {plan.kv_dtype}, on {plan.device}", file=out)
    print(f"  {'weights':<10}{mb(plan.weights_bytes):>10}   as stored", file=out)
    kinds = ", ".join(f"{c['layers']} {kind} layer{'s' if c['layers'] != 1 else ''} × {c['tokens']:,} tokens"
                      + (f" (window {c['window']:,})" if c['window'] else "") for kind, c in plan.cache.items())
    print(f"  {'KV cache':<10}{mb(plan.kv_cache_bytes):>10}   {kinds or 'none: the graph keeps no cache'}"
          f"{'' if not plan.cache else ', ' + mb(sum(c['bytes_per_token'] for c in plan.cache.values())) + ' a token'}",
          file=out)
    rt = plan.runtime
    parts = (f"process {mb(rt['process_bytes'])}, session {mb(rt['session_bytes'])}, activations "
             f"{mb(rt['activations_bytes'])}" + (f", CUDA {mb(rt['device_context_bytes'])}"
                                                 if rt['device_context_bytes'] else "")
             + (f", tables left unread in the file {mb(rt['unread_tables_bytes'])}"
                if rt['unread_tables_bytes'] else ""))
    print(f"  {'runtime':<10}{mb(plan.runtime_bytes):>10}   fitted to runs of {rt['storage_fitted_as']} files:\n"
          f"{'':<23}{parts}", file=out)
    here = "GPU memory" if plan.provider == "cuda" else "RAM"
    verdict = "" if plan.fits_this_machine is None else (": fits" if plan.fits_this_machine else ": does not fit")
    free = f", {mb(plan.available_bytes)} free now" if plan.available_bytes is not None else ""
    print(f"  {'total':<10}{mb(plan.total_bytes):>10}   {mb(plan.device_bytes or plan.host_bytes)} in {here}"
          f"{free}{verdict}", file=out)
    if plan.bandwidth_gbs:
        print(f"decode: {mb(plan.bytes_per_token)} read per token; at {plan.bandwidth_gbs:,.1f} GB/s "
              f"({plan.bandwidth_source}) at most {_rate(plan.tokens_per_s_bound)} tokens/s", file=out)
    else:
        print(f"decode: {mb(plan.bytes_per_token)} read per token; this device's bandwidth is unknown", file=out)
    for note in plan.notes:
        print(f"note: {note}", file=out)
    if plan.devices:
        print(f"\n{'common GPUs':<26}{'memory':>8}{'bandwidth':>12}   {'':<15}{'tokens/s ≤':>10}", file=out)
        for d in plan.devices:
            print(f"  {d.name:<24}{d.memory_gb:>5.0f} GB{d.bandwidth_gbs:>8,.0f} GB/s   {d.fits:<15}"
                  f"{_rate(d.tokens_per_s_bound):>10}", file=out)


def _rate(x: float | None) -> str:
    return "–" if x is None else f"{x:,.0f}" if x >= 100 else units.number(x, 3)
