"""`python -m inspector …`: the same core as the app, on the command line.

Every expected failure is one line on stderr and exit status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys

from . import json_output, units
from .cli_options import add_variant_option
from .errors import InspectorError, safe_text

log = logging.getLogger("inspector")


def census_for(path: str, stats: bool = True, variant: str | None = None):
    from .model import load_model, take_census
    from .stats import compute_statistics

    model = load_model(path, variant=variant)
    census = take_census(model)
    if stats:
        compute_statistics(census)
    return census


def print_census(census, tensors: bool = False, out=sys.stdout) -> None:
    from .stats.precision import precision_view
    from .stats.scale import scale_view

    a, m, total = census.architecture, census.model, census.parameters
    w = lambda s="": print(s, file=out)
    heads = f"{a.n_head} heads ({a.n_kv_head} KV), head_dim {a.head_dim}" if a.n_head else "heads unknown"
    w(f"{safe_text(m.path)}")
    ctx_from = f" ({a.context_source})" if a.context_source not in (None, "graph") else ""
    q = lambda v: "?" if v is None else v
    w(f"  {a.family}: {q(a.n_layer)} layers, d_model {q(a.d_model)}, {heads}, vocab {q(a.vocab_size)}, "
      f"context {a.context_length or '?'}{ctx_from}, {'tied' if a.tied_embeddings else 'untied'} head")
    variants = m.source.variants if m.source else []
    if len(variants) > 1:
        w("  variants: " + ", ".join(f"{safe_text(v.name, 60)}{' (this one)' if v.path == m.path else ''} "
                                     f"[{v.dtype}, {units.nbytes(v.nbytes)}]" for v in variants))
    w(f"  parameters {total:,}   weights {census.weights:,} ({units.percent(census.weights / total if total else None)})"
      f"   biases {census.biases:,} ({units.percent(census.biases / total if total else None)})")
    s = census.stored
    w(f"  stored: {units.nbytes(s.file_bytes)} file + {units.nbytes(s.external_bytes)} external, "
      f"{s.unique_tensors} parameter tensors, {s.aliases} aliases, {s.tied_copies} tied copies, "
      f"{s.constants} non-parameter constants; dtypes {', '.join(f'{k} {units.count(v)}' for k, v in s.dtypes.items())}")
    pv = precision_view(census)
    w(f"  stored as {pv['summary']}" + (f" (scales {units.nbytes(pv['scale_bytes'])}, zero points "
                                         f"{units.nbytes(pv['zero_point_bytes'])})" if pv["quantized"] else ""))
    if m.repaired_names:
        w(f"  ! {m.repaired_names} names in the file are not valid UTF-8; they are shown with \\x escapes")
    for c in a.config_checks:
        w(f"  ! {c.get('source', 'config.json')} says {c['field']} = {safe_text(c['config'], 40)}, "
          f"the graph says {safe_text(c['graph'], 40)}")
    w()
    w(f"  {'layer':<14}{'parameters':>14}{'weights':>14}{'biases':>11}{'share':>9}{'bytes':>11}"
      f"{'w mean':>11}{'w std':>10}{'w absmax':>10}")
    for layer in census.layers:
        st = layer.stats.get("weight")
        sm = st.summary() if st else {}
        w(f"  {safe_text(layer.name, 14):<14}{layer.parameters:>14,}{layer.weights:>14,}{layer.biases:>11,}"
          f"{units.percent(layer.parameters / total if total else None):>9}{units.nbytes(layer.nbytes):>11}"
          f"{units.number(sm.get('mean')):>11}{units.number(sm.get('std')):>10}{units.number(sm.get('absmax')):>10}")
        if tensors:
            for t in layer.tensors:
                sm = t.stats.summary() if t.stats else {}
                tie = f" tied to {safe_text(t.tied_to, 40)}" if t.tied_to else ""
                w(f"      {safe_text(t.name, 48):<48} {t.role:<11} {t.kind:<6} {str(list(t.shape)):<14} "
                  f"{t.scheme:<16} {t.parameters:>11,} std {units.number(sm.get('std'))}{tie}")
    sv = scale_view(total, a)
    w()
    w("  memory: " + "  ".join(f"{k} {units.nbytes(v)}" for k, v in sv["memory_bytes"].items()))
    if sv["kv_cache_bytes_per_token"]:
        kv = sv["kv_cache_bytes_per_token"]
        w(f"  KV cache per token: {units.nbytes(kv['fp32'])} fp32, {units.nbytes(kv['fp16'])} fp16")
    if sv["formula"]:
        f = sv["formula"]
        verdict = "matches the count" if f["matches"] else f"differs by {f['difference']:+,}"
        w(f"  formula ({f['label']}): {f['formula']} = {f['value']:,} — {verdict}")
        w(f"    where {f['where']}")
    for p in sv["published"]:
        w(f"  {p['name']:<18} {units.count(p['parameters']):>7}  = {units.ratio(p['times_this_model'])} this model"
          f"  ({units.nbytes(p['fp16_bytes'])} at fp16)")


def cmd_stats(args) -> int:
    from .report.census_data import census_dict

    census = census_for(args.model, variant=args.variant)
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
    s.set_defaults(func=cmd_stats)
    try:
        from .engine.cli import add_generate_parser
        add_generate_parser(sub)
    except ImportError:  # pragma: no cover - engine is part of the package
        pass
    try:
        from .report.cli import add_report_parser
        add_report_parser(sub)
    except ImportError:  # pragma: no cover
        pass
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
