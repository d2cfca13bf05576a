"""`python -m inspector report MODEL -o FILE [--format …] [--prompt TEXT …]`."""

from __future__ import annotations

import sys

from ..cli_options import add_variant_option
from ..engine.cli import add_generation_options, prompt_from_args, run_generation
from ..errors import InspectorError, safe_text
from ..pipeline import inspect
from .content import build_report
from .formats import FORMATS, export, format_for
from ..messages import DEFAULT, LANGUAGES


def add_report_parser(sub) -> None:
    names = ", ".join(FORMATS)
    r = sub.add_parser("report", help=f"export what the inspector found ({names})")
    r.add_argument("model", help="a .onnx file or an export folder")
    add_variant_option(r)
    r.add_argument("-o", "--output", required=True, help="the report file")
    r.add_argument("--format", choices=list(FORMATS), help="default: from the extension")
    r.add_argument("--lang", choices=list(LANGUAGES), default=DEFAULT,
                   help="the report's language: " + ", ".join(f"{k} ({v})" for k, v in LANGUAGES.items()))
    add_generation_options(r, prompt_required=False)
    r.add_argument("--compare", metavar="MODEL", help="also compare the model with this one (weights; and tokens "
                                                       "when --prompt is given)")
    r.add_argument("--compare-variant", metavar="FILE", help="which file of --compare's folder")
    r.add_argument("--attention-steps", metavar="N,…", help="with --inside: the steps whose attention the report "
                   "draws, comma-separated, the first generated token being step 1 (default: the first and the last)")
    r.add_argument("--heads", action="store_true", help="also what each head does (as `heads` reads it): the "
                                                         "table and the map of block × head by role")
    r.add_argument("--heads-length", type=int, help="with --heads: random tokens in each half of the probe")
    r.add_argument("--heads-seed", type=int, default=0, help="with --heads: the probe's seed (default 0)")
    r.set_defaults(func=cmd_report)


def cmd_report(args) -> int:
    fmt = format_for(args.output, args.format)  # fail before any work on a bad name
    census = inspect(args.model, variant=args.variant)
    run = None
    if args.prompt is not None or args.prompt_ids is not None:
        _gen, run = run_generation(args)
    steps = None
    if args.attention_steps:
        try:
            asked = [int(x) for x in args.attention_steps.replace(" ", "").split(",") if x]
        except ValueError:
            raise InspectorError("--attention-steps must be comma-separated step numbers") from None
        if any(n < 1 for n in asked):
            raise InspectorError("--attention-steps counts from 1, the first generated token")
        steps = [n - 1 for n in asked]  # the run's steps in order: index 0 is step 1
    comparison = None
    if args.compare:
        from ..compare.run import compare

        comparison = compare(args.model, args.compare, prompt_from_args(args), args.max_new_tokens, args.variant,
                             args.compare_variant, args.provider, census_a=census)
    heads = None
    if args.heads:
        from ..engine.generator import Generator
        from ..engine.heads import DEFAULT_LENGTH, read_heads

        gen = Generator(args.model, provider=args.provider, threads=args.threads, variant=args.variant)
        heads = read_heads(gen, args.heads_length or DEFAULT_LENGTH, args.heads_seed)
    path = export(build_report(census, run, attention_at=steps, comparison=comparison, lang=args.lang, heads=heads),
                  args.output, fmt, protected=census.model.external_files)
    print(f"wrote {safe_text(path, 400)}", file=sys.stderr)
    return 0
