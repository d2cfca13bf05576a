"""What onnxruntime and the process need beside the weights and the cache: a model fitted to measured runs.

The constants live in `runtime_fit.json` beside this file, written by `python bench/plan_bench.py --fit`, which
runs the engine in fresh processes on the benchmark models and records what it measured (the machine, the
onnxruntime version, every point and how far the fit lands from it).  The model, for a prompt of P tokens read
at once (the prefill, the largest step) and a cache of C tokens:

    peak = max(load, run)
    held = process + session + resident[storage] · (weights − tables)      the weights as the session holds them
    load = held + t · largest                                                creating the session
    run  = held
           + a · P · (d_model + ffn) · 4                         activations of the prefill (fp32)
           + b · P · vocab · 4                                   the logits of every prompt position
           + c · heads · P² · 4                                  attention scores (unfused attention only)
           + k · cache(C)                                        the cache's copies: past in, present out

While the session is created, onnxruntime prepacks each matrix into its GEMM's layout with the original still held:
the peak is one matrix more — the largest, as the session holds it (an fp16 matrix as its fp32 copy), times `t`.
`storage` is how the weights are stored and where ("fp32 external", "fp32 inline", …): onnxruntime keeps an
inline file's bytes beside the tensors it makes of them, prepacks matrices for its GEMM and makes fp32 copies of
fp16 weights for its CPU kernels.  `tables` are the lookup tables (token and position embeddings, rotary caches):
mapped from the external file, they become resident only as far as tokens read their rows.  A storage the
fit has not measured uses the nearest measured one and says so.  On CUDA the weights, cache and activations sit on
the GPU and the process in RAM; `cuda_context` is the CUDA context and libraries' own device memory.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

FIT_FILE = Path(__file__).with_name("runtime_fit.json")
FALLBACK = {"int4": "int8", "int8": "fp32", "fp16": "fp32", "bf16": "fp16"}


@dataclass(frozen=True)
class RuntimeFit:
    process_bytes: int
    session_bytes: int  # what opening a session costs whatever its weights (thread pools, kernels, the graph)
    resident: dict[str, float]  # storage -> resident bytes per stored byte, session open
    load_transient: float  # t: the largest matrix's share of the peak while the session is created
    activations: float  # a
    logits: float  # b
    attention: float  # c
    cache_copies: float  # k
    cuda_context_bytes: int | None = None
    cuda_source: str = ""
    source: str = ""
    points: list = field(default_factory=list, repr=False)

    def ratio(self, table: dict[str, float], storage: str, inline: bool) -> tuple[float, str]:
        """The ratio for this storage, or the nearest measured one (and which it was)."""
        where = "inline" if inline else "external"
        kind = storage
        for _ in range(4):
            for key in (f"{kind} {where}", f"{kind} external", f"{kind} inline"):
                if key in table:
                    return table[key], key
            kind = FALLBACK.get(kind, "fp32")
        key = next(iter(table))
        return table[key], key


@functools.lru_cache(maxsize=1)
def fitted() -> RuntimeFit:
    data = json.loads(FIT_FILE.read_text())
    c = data["constants"]
    return RuntimeFit(int(c["process_bytes"]), int(c["session_bytes"]), dict(c["resident"]),
                      float(c["load_transient"]),
                      float(c["activations"]),
                      float(c["logits"]), float(c["attention"]), float(c["cache_copies"]),
                      c.get("cuda_context_bytes"), data.get("cuda_source", ""), data.get("source", ""),
                      data.get("points", []))


@dataclass(frozen=True)
class Runtime:
    process: int
    session: int  # beyond the weights it holds: its own cost, an inline file's bytes, prepacked or fp32 copies
    unread: int  # ≤ 0: lookup tables left mapped in the file, resident only as far as tokens read them
    activations: int  # the prefill's activations and logits, the cache's extra copies
    device_context: int  # the CUDA context (0 on the CPU)
    load_peak: int  # the whole process's peak while the session is created
    storage_used: str  # the storage whose ratios were used

    @property
    def total(self) -> int:
        return self.process + self.session + self.unread + self.activations + self.device_context


def runtime(shape, prompt: int, cache_bytes: int, provider: str = "cpu", fit: RuntimeFit | None = None) -> Runtime:
    """The runtime beside weights and cache for a prefill of `prompt` tokens and a cache of `cache_bytes`."""
    f = fit or fitted()
    resident, used = f.ratio(f.resident, shape.storage, shape.inline)
    p = max(1, prompt)
    attention = 0 if shape.fused_attention else f.attention * shape.n_head * p * p * 4
    act = (f.activations * p * (shape.d_model + shape.ffn_dim) * 4 + f.logits * p * shape.vocab_size * 4
           + attention + f.cache_copies * cache_bytes)
    if provider == "cuda":
        return Runtime(f.process_bytes, 0, 0, int(act), int(f.cuda_context_bytes or 0), f.process_bytes, used)
    held = shape.weights_bytes - (0 if shape.inline else shape.lookup_bytes)  # an inline file is read whole
    session = int(f.session_bytes + (resident - 1.0) * held)
    peak = int(f.process_bytes + f.session_bytes + resident * held + f.load_transient * shape.largest_matrix_bytes)
    return Runtime(f.process_bytes, session, held - shape.weights_bytes, int(act), 0, peak, used)
