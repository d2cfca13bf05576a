"""`python -m inspector …`: the same core as the app, on the command line.

Every expected failure is one line on stderr and exit status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from .cli_options import add_variant_option
from .errors import InspectorError, safe_text

log = logging.getLogger("inspector")
# each subcommand: the module that adds its parser and the function that does, imported only when that command
# runs (or for the overall --help): `stats --counts-only` never pays for onnxruntime, the engine or compare
COMMANDS = {
    "stats": (__name__, "add_stats_parser"),
    "generate": (".engine.cli", "add_generate_parser"),
    "report": (".report.cli", "add_report_parser"),
    "compare": (".compare.cli", "add_compare_parser"),
    "plan": (".plan.cli", "add_plan_parser"),
    "heads": (".engine.heads_cli", "add_heads_parser"),
}


def cmd_stats(args) -> int:
    from .pipeline import inspect
    from .report.census_data import census_dict
    from .report.text import print_census

    census = inspect(args.model, variant=args.variant, statistics=not args.counts_only)
    if args.json:
        from . import json_output

        json_output.dump(census_dict(census, histograms=not args.no_histograms), sys.stdout)
        sys.stdout.write("\n")
    else:
        print_census(census, tensors=args.tensors)
    return 0


def add_stats_parser(sub) -> None:
    s = sub.add_parser("stats", help="the parameter census of a model")
    s.add_argument("model", help="a .onnx file or an export folder")
    add_variant_option(s)
    s.add_argument("--json", action="store_true", help="one JSON object on stdout")
    s.add_argument("--tensors", action="store_true", help="also list every tensor")
    s.add_argument("--no-histograms", action="store_true", help="leave histograms out of --json")
    s.add_argument("--counts-only", action="store_true",
                   help="the census without reading any value: counts, architecture, scale, in a second")
    s.set_defaults(func=cmd_stats)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand, or of `only` that one (the others' modules are not imported)."""
    ap = argparse.ArgumentParser(prog="python -m inspector",
                                 description="Count, measure and run the parameters of an ONNX GPT.")
    ap.add_argument("--debug", action="store_true", help="log tracebacks of unexpected errors")
    sub = ap.add_subparsers(dest="command", required=True)
    for name, (module, adder) in COMMANDS.items():
        if only is None or name == only:
            getattr(importlib.import_module(module, __package__), adder)(sub)
    return ap


def command_named(argv: list[str]) -> str | None:
    """The subcommand the arguments name (the first word that is not an option), when it is one of ours."""
    word = next((a for a in argv if not a.startswith("-")), None)
    return word if word in COMMANDS else None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(command_named(argv)).parse_args(argv)
    # the core's warnings are for the app's log; here stderr carries one line on failure (--debug: everything)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.ERROR,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except InspectorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except (MemoryError, Exception) as exc:  # a bad file must never end in a traceback
        if args.debug:
            log.exception("unexpected error")
        where = getattr(args, "model", "") or ""
        print(f"error: {safe_text(where)}: could not process the model ({type(exc).__name__}: "
              f"{safe_text(exc, 160)})", file=sys.stderr)
        return 2
