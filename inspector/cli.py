"""`python -m inspector …`: the same core as the app, on the command line.

Every expected failure is one line on stderr and exit status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys

from . import json_output
from .cli_options import add_variant_option
from .compare.cli import add_compare_parser
from .engine.cli import add_generate_parser
from .engine.heads_cli import add_heads_parser
from .errors import InspectorError, safe_text
from .pipeline import inspect
from .report.census_data import census_dict
from .report.cli import add_report_parser
from .report.text import print_census

log = logging.getLogger("inspector")


def cmd_stats(args) -> int:
    census = inspect(args.model, variant=args.variant, statistics=not args.counts_only)
    if args.json:
        json_output.dump(census_dict(census, histograms=not args.no_histograms), sys.stdout)
        sys.stdout.write("\n")
    else:
        print_census(census, tensors=args.tensors)
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m inspector",
                                 description="Count, measure and run the parameters of an ONNX GPT.")
    ap.add_argument("--debug", action="store_true", help="log tracebacks of unexpected errors")
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("stats", help="the parameter census of a model")
    s.add_argument("model", help="a .onnx file or an export folder")
    add_variant_option(s)
    s.add_argument("--json", action="store_true", help="one JSON object on stdout")
    s.add_argument("--tensors", action="store_true", help="also list every tensor")
    s.add_argument("--no-histograms", action="store_true", help="leave histograms out of --json")
    s.add_argument("--counts-only", action="store_true",
                   help="the census without reading any value: counts, architecture, scale, in a second")
    s.set_defaults(func=cmd_stats)
    add_generate_parser(sub)
    add_report_parser(sub)
    add_compare_parser(sub)
    add_heads_parser(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
