"""`python -m inspector generate MODEL --ablate SPEC [--ablate-step K]`: the run with the parts switched off,
streamed, and what changed against the intact model (stderr), or one JSON object with --json."""

from __future__ import annotations

import sys

from .. import ablation_text as say
from .. import json_output, units
from ..errors import terminal_text
from ..model.ablation import Ablation, AblationError, parse_spec


def add_ablation_options(g) -> None:
    g.add_argument("--ablate", metavar="SPEC",
                   help="switch parts off and show what changed against the intact model: comma-separated B.H "
                        "(head H of block B), B.attn (block B's attention output), B.mlp (its MLP output); "
                        "blocks and heads counted from 0, as the Inside view shows them")
    g.add_argument("--ablate-step", type=int, metavar="K",
                   help="with --ablate: switch the parts off only for step K (1: the first generated token)")


def ablation_from_args(args) -> Ablation:
    """The Ablation --ablate and --ablate-step ask for; a bad one raises AblationError (one line)."""
    parts = parse_spec(args.ablate)
    steps = None
    if args.ablate_step is not None:
        if args.ablate_step < 1:
            raise AblationError(say.STEP_BAD(args.ablate_step))
        steps = frozenset({args.ablate_step - 1})
    return Ablation(parts, steps)


def cmd_ablate(args, config, prompt, print_summary) -> int:
    """`config` and `prompt` as generate reads them; `print_summary` prints a run's one-line summary."""
    from .ablation_run import compare_ablation
    from .generator import Generator
    from .serialize import result_dict

    ablation = ablation_from_args(args)  # before the model is read: a typo fails at once
    gen = Generator(args.model, provider=args.provider, threads=args.threads, variant=getattr(args, "variant", None))
    gen.hooks.check(ablation)  # a block or head the model lacks: one line, before any text
    if args.json:
        comparison = compare_ablation(gen, prompt, config, ablation)
        out = result_dict(comparison.ablated)
        out["ablation"] = comparison.as_dict()
        json_output.dump(out, sys.stdout)
        sys.stdout.write("\n")
        return 0
    if gen.note:
        print(f"note: {gen.note}", file=sys.stderr)
    show = terminal_text if sys.stdout.isatty() else (lambda text: text)
    if args.prompt is not None:
        sys.stdout.write(show(args.prompt))

    def stream(step) -> None:
        sys.stdout.write(show(step.shown))
        sys.stdout.flush()

    comparison = compare_ablation(gen, prompt, config, ablation, on_step=stream)
    sys.stdout.write("\n")
    print_summary(comparison.ablated, sys.stderr)
    print_comparison(comparison, args.prompt, sys.stderr)
    return 0


def print_comparison(c, prompt: str | None, out) -> None:
    """What changed: the parts, the intact text, where the runs part, and the first step's and the parting
    step's distributions against the intact model's."""
    show = terminal_text if out.isatty() else (lambda text: text)

    def tok(i: int) -> str:
        return show(units.token(c.texts.get(i, str(i))))

    if c.note:
        print(f"note: {c.note}", file=out)
    print(c.label(), file=out)
    print(say.INTACT_TEXT(show((prompt or '') + c.intact.text)), file=out)
    d = c.divergence
    if d is None:
        print(say.SAME_TOKENS(len(c.ablated.new_ids)), file=out)
    else:
        a = c.intact.new_ids[d] if d < len(c.intact.new_ids) else None
        b = c.ablated.new_ids[d] if d < len(c.ablated.new_ids) else None
        print(say.PART_AT(d + 1, tok(a) if a is not None else "–", tok(b) if b is not None else "–"), file=out)
    shown = sorted({0, d if d is not None and d < len(c.changes) else 0}) if c.changes else []
    for i in shown:
        ch = c.changes[i]
        print(say.STEP_CHANGE(i + 1, units.number(ch.kl, 3), tok(ch.id), units.number(ch.prob, 3),
                              units.number(ch.intact_prob, 3), tok(ch.intact_id)), file=out)
        for said, shifts in ((say.ROSE, ch.rose), (say.FELL, ch.fell)):
            if shifts:
                items = ", ".join(f"{tok(s.id)} {units.number(s.intact, 3)} → {units.number(s.ablated, 3)}"
                                  for s in shifts)
                print(f"  {said(items)}", file=out)
