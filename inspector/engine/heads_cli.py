"""`python -m inspector heads MODEL [--json] [--length N] [--seed S]`: what each head does on the induction probe
(engine/heads.py), as a table or one JSON object.  Light to import: the engine loads when the command runs."""

from __future__ import annotations

import sys

from .. import ablation_text as say
from .. import json_output
from ..cli_options import add_variant_option


def add_heads_options(p) -> None:
    from .heads import DEFAULT_LENGTH

    p.add_argument("--length", type=int, default=DEFAULT_LENGTH,
                   help=f"random tokens in each half of the probe (default {DEFAULT_LENGTH})")
    p.add_argument("--seed", type=int, default=0, help="the probe's random seed (default 0)")


def add_heads_parser(sub) -> None:
    h = sub.add_parser("heads", help="what each head does: previous-token, induction or first-token, and the loss "
                                     "rise when it is switched off (blocks and heads counted from 0)")
    h.add_argument("model", help="a .onnx file or an export folder")
    add_variant_option(h)
    add_heads_options(h)
    h.add_argument("--provider", default="auto", help="auto, cpu or cuda")
    h.add_argument("--threads", type=int, help="CPU threads (default: physical cores)")
    h.add_argument("--json", action="store_true", help="one JSON object on stdout")
    h.set_defaults(func=cmd_heads)


def read_from_args(args):
    from .generator import Generator
    from .heads import read_heads

    gen = Generator(args.model, provider=args.provider, threads=args.threads, variant=getattr(args, "variant", None))
    return read_heads(gen, args.length, args.seed)


def cmd_heads(args) -> int:
    reading = read_from_args(args)
    if args.json:
        out = {"model": str(args.model), **reading.as_dict()}
        json_output.dump(out, sys.stdout)
        sys.stdout.write("\n")
        return 0
    print_heads(reading, sys.stdout)
    return 0


def print_heads(reading, out) -> None:
    from .heads import NONE, ROLES, THRESHOLD

    if reading.note:
        print(f"note: {reading.note}", file=out)
    print(reading.summary(), file=out)
    print(say.HEADS_RULE(THRESHOLD, say.NUMBERING), file=out)
    print(f"{'block':>5} {'head':>5}  {'role':<15}{'previous':>9}{'induction':>10}{'first':>8}{'loss rise':>11}",
          file=out)
    for h in reading.heads:
        s = h.scores or {}
        cells = "".join(f"{s[r]:>{w}.3f}" if r in s else f"{'–':>{w}}" for r, w in zip(ROLES, (9, 10, 8)))
        rise = f"{h.loss_rise:>+11.3f}" if h.loss_rise is not None else f"{'–':>11}"
        print(f"{h.block:>5} {h.head:>5}  {say.ROLE_NAMES[h.role]:<15}{cells}{rise}", file=out)
    print(say.HEADS_COUNT(*(reading.count(r) for r in (*ROLES, NONE)), len(reading.heads)), file=out)
