"""`python -m inspector compare A B [--prompt TEXT --max-new-tokens N] [--json]`, and
`python -m inspector compare FOLDER --variants`: every file of a folder against its float one."""

from __future__ import annotations

import sys

from .. import json_output, units
from ..errors import InspectorError, terminal_text
from .run import compare
from .variants import DEFAULT_PROMPT, compare_variants

LAYERS_SHOWN = 12


def add_compare_parser(sub) -> None:
    c = sub.add_parser("compare", help="two models weight by weight and token by token, or every variant of a folder")
    c.add_argument("a", help="the reference: a .onnx file or an export folder")
    c.add_argument("b", nargs="?", help="the model to compare with it (not with --variants)")
    c.add_argument("--variant-a", metavar="FILE", help="which file of A's folder")
    c.add_argument("--variant-b", metavar="FILE", help="which file of B's folder")
    c.add_argument("--variants", action="store_true",
                   help="compare every model file of folder A with its float one (a table to choose a file from)")
    c.add_argument("--prompt", help="also compare the tokens: A's greedy continuation of this prompt, read by both")
    c.add_argument("--prompt-ids", help="the prompt as comma-separated token ids")
    c.add_argument("--max-new-tokens", type=int, default=32)
    c.add_argument("--provider", default="auto", help="auto, cpu or cuda")
    c.add_argument("--histograms", action="store_true", help="with --json: each tensor's histograms too")
    c.add_argument("--json", action="store_true", help="one JSON object on stdout")
    c.add_argument("--force", action="store_true",
                   help="run the models even when the plan says they do not fit this machine's free memory")
    c.set_defaults(func=cmd_compare)


def _prompt(args):
    if args.prompt_ids is not None:
        try:
            return [int(x) for x in args.prompt_ids.replace(" ", "").split(",") if x]
        except ValueError:
            raise InspectorError("--prompt-ids must be comma-separated integers") from None
    return args.prompt


def cmd_compare(args) -> int:
    if args.max_new_tokens < 1:
        raise InspectorError("--max-new-tokens must be at least 1")
    if not args.force:
        from ..plan.compare_guard import guard_compare

        guard_compare(args, _prompt(args) or (DEFAULT_PROMPT if args.variants else None))
    if args.variants:
        if args.b:
            raise InspectorError("--variants compares the files of one folder: give only A")
        rows = compare_variants(args.a, _prompt(args) or DEFAULT_PROMPT, args.max_new_tokens, args.provider)
        if args.json:
            json_output.dump({"variants": [r.as_dict() for r in rows]}, sys.stdout)
            sys.stdout.write("\n")
        else:
            print_variants(rows, sys.stdout)
        return 0
    if not args.b:
        raise InspectorError("compare needs two models (or one folder and --variants)")
    result = compare(args.a, args.b, _prompt(args), args.max_new_tokens, args.variant_a, args.variant_b,
                     args.provider)
    if args.json:
        json_output.dump(result.as_dict(histograms=args.histograms), sys.stdout)
        sys.stdout.write("\n")
    else:
        print_comparison(result, sys.stdout)
    return 0


def _num(x, digits=4) -> str:
    return units.number(x, digits)


def print_variants(rows, out) -> None:
    show = terminal_text if out.isatty() else (lambda t: t)
    print(f"{'file':<32}{'size':>10}{'bits/param':>12}{'mean KL':>11}{'top-1':>8}{'tokens/s':>10}  stored as", file=out)
    for r in rows:
        if r.error:
            print(f"{show(r.file):<32}{units.nbytes(r.bytes):>10}  {show(r.error)}", file=out)
            continue
        agree = f"{100 * r.top1_agreement:.0f} %" if r.top1_agreement is not None else "–"
        kl = "reference" if r.reference else _num(r.kl_mean, 3)
        print(f"{show(r.file):<32}{units.nbytes(r.bytes):>10}{_num(r.bits_per_parameter, 3):>12}{kl:>11}{agree:>8}"
              f"{_num(r.tokens_per_s, 4):>10}  {show(r.stored_as)}", file=out)


def print_comparison(c, out) -> None:
    show = terminal_text if out.isatty() else (lambda t: t)
    for label, s in (("A", c.a), ("B", c.b)):
        print(f"{label}: {show(s.name)} — {s.parameters:,} parameters, {show(s.stored_as)}, "
              f"{_num(s.bits_per_parameter, 3)} bits/parameter, {units.nbytes(s.bytes)}", file=out)
    w = c.weights
    print(f"{len(w.tensors)} tensors matched by layer and role; "
          + (f"{len(w.unmatched)} unmatched:" if w.unmatched else "none unmatched"), file=out)
    for u in w.unmatched:
        print(f"  {u['side']}: {show(u['name'])} ({u['layer']}, {u['role']} {u['kind']}): {u['why']}", file=out)
    print(f"\n{'layer (most changed first)':<28}{'rel L2':>10}{'max |B-A|':>11}{'cosine':>11}  bits/param A → B", file=out)
    for layer in w.layers[:LAYERS_SHOWN]:
        d = layer.as_dict()
        print(f"{layer.name:<28}{_num(d['rel_l2'], 3):>10}{_num(d['max_abs'], 3):>11}{_num(d['cosine'], 6):>11}  "
              f"{_num(d['bits_per_parameter_a'], 3)} → {_num(d['bits_per_parameter_b'], 3)}", file=out)
    bad = sum(layer.nonfinite for layer in w.layers)
    if bad:
        print(f"{bad:,} values are NaN or Inf in A or B: left out of every figure (--json: `nonfinite`)", file=out)
    if len(w.layers) > LAYERS_SHOWN:
        print(f"… and {len(w.layers) - LAYERS_SHOWN} more (--json has every layer and tensor)", file=out)
    t = c.tokens
    if t is None:
        return
    first = t.first_divergence
    print(f"\ntokens: A's greedy continuation of {len(t.ids)}, read by both: KL(A‖B) mean {_num(t.kl_mean, 3)} nats, "
          f"p99 {_num(t.kl_p99, 3)}; top-1 agreement {100 * t.top1_agreement:.1f} %; "
          + (f"B's own choice first differs at position {first}" if first is not None else "B would choose the same"),
          file=out)
    for label, s in (("A", t.speed_a), ("B", t.speed_b)):
        if s is not None:
            print(f"  {label}: {_num(s.tokens_per_s, 4)} tokens/s, time to first token {_num(s.ttft_ms, 3)} ms, "
                  f"peak RSS {_num(s.peak_rss_mb, 4)} MB", file=out)
    marked = "".join(units.token(t.texts.get(i, str(i)), quoted=False) if agree
                     else f"[{units.token(t.texts.get(i, str(i)), quoted=False)}]"
                     for i, agree in zip(t.ids, t.top1_agree))
    print(f"  continuation, [where B's top token differs]: {show(marked)}", file=out)
