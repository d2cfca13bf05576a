"""`python -m inspector compare A B [--prompt TEXT --max-new-tokens N] [--text FILE] [--json]`, and
`python -m inspector compare FOLDER --variants [--budget SIZE]`: every file of a folder against its float one."""

from __future__ import annotations

import sys
from pathlib import Path

from .. import json_output, units
from ..errors import InspectorError, terminal_text
from . import messages as say
from .advice import MAX_KL, advise, parse_budget
from .reading import TextChoice
from .run import compare
from .scoreboard import scoreboard
from .text import TEXT_TOKENS, TEXT_WINDOW
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
    c.add_argument("--max-new-tokens", type=int, default=32, metavar="N",
                   help="with --prompt: how many tokens of A's greedy continuation both read (default 32)")
    c.add_argument("--text", metavar="FILE", help="the text both models read for their perplexity and the KL figures "
                   "over it (UTF-8; default: the bundled sample); runs the models even without --prompt")
    c.add_argument("--text-tokens", type=int, default=TEXT_TOKENS, metavar="N",
                   help=f"read the text's first N tokens (default {TEXT_TOKENS}; 0: all of it)")
    c.add_argument("--no-text", action="store_true", help="read no text: the continuation only")
    c.add_argument("--budget", metavar="SIZE", help="with --variants: recommend for this much memory (the files' "
                   "bytes: 800MB, 1.5GB, 4GiB)")
    c.add_argument("--max-kl", type=float, default=MAX_KL, metavar="NATS",
                   help=f"with --variants: the mean KL a recommended file may lose (default {MAX_KL})")
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


def _text(args) -> TextChoice | None:
    if args.no_text:
        if args.text:
            raise InspectorError("--text and --no-text ask for opposite things: give one")
        return None
    if args.text_tokens < 0:
        raise InspectorError("--text-tokens must be 0 (all of the text) or more")
    if args.text and not Path(args.text).is_file():
        raise InspectorError("no such file: the text both models should read", args.text)
    return TextChoice(args.text, args.text_tokens)


def cmd_compare(args) -> int:
    if args.max_new_tokens < 1:
        raise InspectorError("--max-new-tokens must be at least 1")
    text = _text(args)
    admit = None
    if not args.force:  # what the models will run: the prompt's continuation, the text a window at a time
        from ..plan.compare_guard import admit_pair, guard_compare

        runs = _prompt(args) or (DEFAULT_PROMPT if args.variants or args.text else None)
        window = 0 if text is None else min(TEXT_WINDOW, text.tokens or TEXT_WINDOW)
        guard_compare(args, runs, window)
        if runs is not None:
            admit = admit_pair(runs, args.max_new_tokens, args.provider, window)
    if args.variants:
        if args.b:
            raise InspectorError("--variants compares the files of one folder: give only A")
        budget = parse_budget(args.budget) if args.budget else None
        if not args.max_kl >= 0:
            raise InspectorError("--max-kl must be 0 or more (nats)")
        rows = compare_variants(args.a, _prompt(args) or DEFAULT_PROMPT, args.max_new_tokens, args.provider,
                                text=text)
        advice = advise(rows, budget, args.max_kl)
        if args.json:
            json_output.dump({"variants": [r.as_dict() for r in rows], "recommendation": advice.as_dict(),
                              "flags": [{"file": r.file, **say.as_dict(r.flag)} for r in rows if r.flag]}, sys.stdout)
            sys.stdout.write("\n")
        else:
            print_variants(rows, sys.stdout, advice)
        return 0
    if not args.b:
        raise InspectorError("compare needs two models (or one folder and --variants)")
    if args.budget:
        raise InspectorError("--budget chooses among the files of a folder: use it with --variants")
    prompt = _prompt(args)
    if prompt is None and args.text:
        prompt = DEFAULT_PROMPT  # the text needs the models run; the continuation comes with it
    result = compare(args.a, args.b, prompt, args.max_new_tokens, args.variant_a, args.variant_b,
                     args.provider, text=text, admit=admit)
    if args.json:
        json_output.dump(result.as_dict(histograms=args.histograms), sys.stdout)
        sys.stdout.write("\n")
    else:
        print_comparison(result, sys.stdout)
    return 0


def _num(x, digits=4) -> str:
    return units.number(x, digits)


def _pct(x) -> str:
    return units.percent(x, 0)


def print_variants(rows, out, advice=None) -> None:
    """The table, best first (the rank by quality per byte), then the flags and the recommendation."""
    show = terminal_text if out.isatty() else (lambda t: t)
    print(f"{'file':<32}{'size':>10}{'bits/param':>12}{'mean KL':>11}{'p99.9 KL':>10}{'top-1':>8}{'PPL B/A':>9}"
          f"{'drift':>7}{'tokens/s':>10}  stored as", file=out)
    ranked = sorted(rows, key=lambda r: (r.rank is None, r.rank or 0))
    for r in ranked:
        if r.error:
            print(f"{show(r.file):<32}{units.nbytes(r.bytes):>10}  {show(r.error)}", file=out)
            continue
        kl = "reference" if r.reference else _num(r.kl_mean, 3)
        p999 = "" if r.reference else _num(r.scores.get("kl_p999"), 3)
        peak = (r.drift_peak or "–").replace("embeddings", "emb").replace("block ", "b")
        tail = show(str(r.stored_as)) + (f" (no better than {show(r.dominated_by)})" if r.dominated_by else "")
        print(f"{show(r.file):<32}{units.nbytes(r.bytes):>10}{_num(r.bits_per_parameter, 3):>12}{kl:>11}{p999:>10}"
              f"{_pct(r.top1_agreement):>8}{_num(r.ppl_ratio, 4):>9}{peak:>7}{_num(r.tokens_per_s, 4):>10}  {tail}",
              file=out)
    for r in rows:
        if r.flag:
            print(f"note: {show(str(r.flag))}", file=out)
    if advice is not None and advice.sentences:
        print(show(advice.text), file=out)


def print_comparison(c, out) -> None:
    show = terminal_text if out.isatty() else (lambda t: t)
    for label, s in (("A", c.a), ("B", c.b)):
        print(f"{label}: {show(s.name)} — {s.parameters:,} parameters, {show(str(s.stored_as))}, "
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
    first = t.first_divergence + 1 if t.first_divergence is not None else None  # counted from 1 (JSON: from 0)
    print(f"\ntokens: A's greedy continuation of {len(t.ids)}, read by both: KL(A‖B) mean {_num(t.kl_mean, 3)} nats, "
          f"p99 {_num(t.kl_p99, 3)}; top-1 agreement {units.percent(t.top1_agreement, 1)}; "
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
    print_scores(c, out)
    print_drift(c.drift, out)


def print_scores(c, out) -> None:
    text = c.text
    where = "the bundled sample" if text is not None and text.file is None else text.file if text else ""
    heading = (f"the text ({terminal_text(where)}, windows of {text.window} moving by {text.stride})" if text
               else "the text")
    print(f"\n{'llama.cpp figures':<54}{'continuation':>24}  {heading}", file=out)
    for row in scoreboard(c.tokens, text):
        print(f"  {row.label:<52}{row.continuation:>24}  {row.text}", file=out)


def print_drift(drift, out) -> None:
    if drift is None:
        return
    print(f"\nB's residual stream against A's, mean over {drift.positions} positions of ‖h_B − h_A‖ / ‖h_A‖:",
          file=out)
    if drift.note:
        print(f"  {drift.note}", file=out)
    if not drift.blocks:
        return
    print(f"  {'block':<8}{'entering':>10}{'after attention':>17}{'after MLP':>11}{'growth':>10}{'rank':>6}", file=out)
    for b in drift.blocks:
        print(f"  {b.block:<8}{_num(b.input_rel_l2, 3):>10}{_num(b.attn_rel_l2, 3):>17}{_num(b.rel_l2, 3):>11}"
              f"{_num(b.growth, 3):>10}{b.rank or '–':>6}", file=out)
