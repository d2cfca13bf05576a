"""The census as text for a terminal: `python -m inspector stats MODEL`."""

from __future__ import annotations

import sys

from .. import units
from ..errors import safe_text
from ..model.moe import ACTIVE_WHAT, moe_of
from ..stats.precision import precision_view
from ..stats.scale import AS_EXPORTED, MLA_CACHE, scale_view


def print_census(census, tensors: bool = False, out=sys.stdout) -> None:
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
    moe = moe_of(census)
    if moe is not None and moe.active_parameters is not None:
        w(f"  {moe.summary()}")
        w(f"    {ACTIVE_WHAT}")
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
    for warning in (moe.warnings if moe is not None else []):
        w(f"  ! {warning['text']}")  # a Message: its English
    for note in a.notes:
        w(f"  note: {note}")
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
        if kv.get("latent"):
            w(f"    {MLA_CACHE(a.kv_lora_rank, a.qk_rope_head_dim)}" + (
                f" ({AS_EXPORTED(units.nbytes(kv['as_exported']['fp32']))})" if kv.get("as_exported") else ""))
    if sv["formula"]:
        f = sv["formula"]
        verdict = "matches the count" if f["matches"] else f"differs by {f['difference']:+,}"
        w(f"  formula ({f['label']}): {f['formula']} = {f['value']:,} — {verdict}")
        w(f"    where {f['where']}")
    for p in sv["published"]:
        active = f", {units.count(p['active_parameters'])} active" if p.get("active_parameters") else ""
        w(f"  {p['name']:<18} {units.count(p['parameters']):>7}{active}  = {units.ratio(p['times_this_model'])} "
          f"this model  ({units.nbytes(p['fp16_bytes'])} at fp16)")
