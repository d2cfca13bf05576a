"""A generation run as plain data: the `generate --json` contract, also embedded in reports."""

from __future__ import annotations

from dataclasses import asdict

from .. import units


def settings_dict(config) -> dict:
    s = asdict(config.sampling)
    return {"max_new_tokens": config.max_new_tokens, "candidates": config.candidates,
            "stop_strings": list(config.stop_strings), "stop_at_eos": config.stop_at_eos, **s}


def result_dict(result) -> dict:
    m = result.metrics.summary()
    return {
        "prompt": result.prompt, "prompt_ids": result.prompt_ids, "new_ids": result.new_ids, "text": result.text,
        "steps": [{"id": s.id, "text": s.text, "latency_ms": s.latency_ms, "prefill": s.prefill,
                   "top": [[i, p] for i, p in s.top], "prob": s.prob, "entropy_bits": s.entropy,
                   "kv_len": s.kv_len, "rss_mb": units.mb(s.rss),
                   "gpu_mb": units.mb(s.gpu)} for s in result.steps],
        "ttft_ms": m["ttft_ms"], "tokens_per_s": m["tokens_per_s"], "peak_rss_mb": m["peak_rss_mb"],
        "peak_gpu_mb": m["peak_gpu_mb"], "latency_p50_ms": m["latency_p50_ms"],
        "latency_p95_ms": m["latency_p95_ms"], "latency_max_ms": m["latency_max_ms"],
        "provider": result.provider, "finish": result.finish, "settings": settings_dict(result.config),
        "note": result.note,
    }
