"""A generation run as plain data: the `generate --json` contract, also embedded in reports."""

from __future__ import annotations

from dataclasses import asdict

from .. import units


def settings_dict(config) -> dict:
    s = asdict(config.sampling)
    return {"max_new_tokens": config.max_new_tokens, "candidates": config.candidates,
            "stop_strings": list(config.stop_strings), "stop_at_eos": config.stop_at_eos, **s}


def _attention(step) -> list | None:
    if step.attention is None:
        return None
    return [None if layer is None else layer.tolist() for layer in step.attention]


def _lens(step) -> list | None:
    if step.lens is None:
        return None
    return [None if layer is None else [[i, p] for i, p in layer] for layer in step.lens]


def inside_dict(result) -> dict | None:
    """With the inside view: the note on what could not be read, and the text of every id the steps name."""
    if not result.inside:
        return None
    return {"note": result.inside_note, "token_text": {str(i): t for i, t in result.texts.items()},
            "layers": next((len(s.lens) for s in result.steps if s.lens), None)}


def moe_dict(result) -> dict | None:
    """A mixture of experts' run: its MoE blocks, experts per block, and how often each expert was chosen."""
    routers = result.routers
    if routers is None:
        return None
    load = result.expert_load()
    return {"layers": routers.blocks, "experts": routers.experts, "load": load.tolist() if load is not None else None}


def result_dict(result) -> dict:
    m = result.metrics.summary()
    steps = [{"id": s.id, "text": s.text, "latency_ms": s.latency_ms, "prefill": s.prefill,
              "top": [[i, p] for i, p in s.top], "prob": s.prob, "entropy_bits": s.entropy,
              "kv_len": s.kv_len, "rss_mb": units.mb(s.rss), "gpu_mb": units.mb(s.gpu)} for s in result.steps]
    if result.inside:  # attention over the positions so far, and the logit lens, per layer
        for d, s in zip(steps, result.steps):
            d["attention"], d["lens"] = _attention(s), _lens(s)
    if result.routers is not None:  # a mixture of experts: per MoE block, the experts chosen and their weights
        for d, s in zip(steps, result.steps):
            d["experts"] = None if s.experts is None else [[[e, w] for e, w in layer] for layer in s.experts]
    return {
        "prompt": result.prompt, "prompt_ids": result.prompt_ids, "new_ids": result.new_ids, "text": result.text,
        "steps": steps,
        "ttft_ms": m["ttft_ms"], "tokens_per_s": m["tokens_per_s"], "peak_rss_mb": m["peak_rss_mb"],
        "rss_at_start_mb": m["rss_at_start_mb"],
        "peak_gpu_mb": m["peak_gpu_mb"], "latency_p50_ms": m["latency_p50_ms"],
        "latency_p95_ms": m["latency_p95_ms"], "latency_max_ms": m["latency_max_ms"],
        "provider": result.provider, "finish": result.finish, "settings": settings_dict(result.config),
        "note": result.note, "inside": inside_dict(result), "moe": moe_dict(result),
    }
