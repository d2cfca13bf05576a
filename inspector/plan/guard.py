"""Never killed: the plan checked against what this machine has free, before a session is made.

`check_fits` is the one check the command line (generate, report --prompt, compare) and the app call: the
models to be held at once, the context the run will reach, where it runs.  A model that cannot fit gets a
verdict whose `message` is one line — what it needs, what there is, what would fit — and `ensure_fits` raises it
as DoesNotFit (the command line's exit status 2).  Nothing is allocated: the census and the plan are arithmetic.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from .. import units
from ..errors import InspectorError
from ..messages import Message, joined
from . import devices, messages as say
from .devices import Device
from .planner import Plan, make_plan, verdict
from .shape import ModelShape, shape_of


class DoesNotFit(InspectorError):
    """The run would need more memory than there is; `verdict` says how much and what would fit."""

    def __init__(self, verdict: "Verdict", path: str | None = None):
        super().__init__(verdict.said, path)
        self.verdict = verdict


@dataclass
class Verdict:
    fits: bool
    needed_bytes: int  # where it is short: RAM, or the GPU's memory
    available_bytes: int
    where: str  # "RAM" or the GPU's name
    context: int
    plans: list[Plan] = field(default_factory=list)
    alternatives: list[Message] = field(default_factory=list)  # what would fit
    said: Message | None = None  # the one line, when it does not fit (messages.render says it in a language)

    @property
    def message(self) -> str | None:
        """The one line in English (the command line's)."""
        return str(self.said) if self.said else None


def resolve_provider(provider: str) -> str:
    """"cpu" or "cuda" as the engine would choose (auto: CUDA when a GPU and onnxruntime's CUDA are there)."""
    if provider in ("cpu", "cuda"):
        return provider
    from ..engine.providers import cuda_possible

    return "cuda" if cuda_possible() else "cpu"


def check_fits(models, context: int, prompt: int | None = None, provider: str = "cpu", batch: int = 1,
               kv_dtype: str | None = None, available: int | None = None) -> Verdict:
    """Can `models` (a census or ModelShape, or a list of them held at once) run `context` tokens here?

    `prompt`: the tokens of the first step (by default the whole context); `available`: the bytes free where the
    weights go (by default psutil's available RAM, or the GPU's free memory from NVML)."""
    models = models if isinstance(models, list) else [models]
    shapes = [m if isinstance(m, ModelShape) else shape_of(m) for m in models]
    target = _target(resolve_provider(provider), available)
    plans = [make_plan(s, context=min(context, s.context_length or context), batch=batch, kv_dtype=kv_dtype,
                       device=target, prompt=prompt, compare=False) for s in shapes]
    shared = (len(plans) - 1) * plans[0].runtime["process_bytes"]  # one process holds them all
    if target.kind == "cuda":
        needed = sum(p.device_bytes for p in plans)
    else:
        needed = sum(p.host_bytes for p in plans) - shared
    free = target.free_bytes if target.free_bytes is not None else needed
    v = Verdict(needed <= free, needed, free, target.name if target.kind == "cuda" else "RAM", context, plans)
    if not v.fits:
        v.alternatives = _alternatives(shapes[0], plans[0], target) if len(shapes) == 1 else []
        v.said = _said(v, plans, target)
    return v


def ensure_fits(models, context: int, prompt: int | None = None, provider: str = "cpu", batch: int = 1,
                kv_dtype: str | None = None, path: str | None = None) -> Verdict:
    v = check_fits(models, context, prompt, provider, batch, kv_dtype)
    if not v.fits:
        raise DoesNotFit(v, path)
    return v


def _target(provider: str, available: int | None) -> Device:
    if provider == "cuda":
        local = devices.local_gpus()
        if local:
            gpu = local[0]
            return dataclasses.replace(gpu, free_bytes=available if available is not None else gpu.free_bytes)
    cpu = devices.this_cpu(probe=False)
    return dataclasses.replace(cpu, free_bytes=available if available is not None else cpu.free_bytes)


def _fits(plan: Plan, target: Device) -> bool:
    need = plan.device_bytes if target.kind == "cuda" else plan.host_bytes
    return target.free_bytes is None or need <= target.free_bytes


def _alternatives(shape: ModelShape, plan: Plan, target: Device) -> list[Message]:
    """What would fit: a shorter context here, int4 weights here, or a common GPU (as stored, or at int4)."""
    out = []
    again = lambda s, c: make_plan(s, context=c, batch=plan.batch, kv_dtype=plan.kv_dtype, device=target,
                                   prompt=min(plan.prompt, c), compare=False)
    if plan.context > 1 and _fits(again(shape, 1), target):
        lo, hi = 1, plan.context - 1  # the longest context that fits
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if _fits(again(shape, mid), target) else (lo, mid - 1)
        out.append(say.ALT_CONTEXT(f"{lo:,}"))
    int4 = _at_int4(shape)
    if int4 is not None and _fits(again(int4, plan.context), target):
        out.append(say.ALT_INT4(units.nbytes(again(int4, plan.context).total_bytes)))
    for gpu in sorted(devices.common_gpus(), key=lambda d: d.memory_bytes):
        v = verdict(shape, gpu, plan.context, plan.batch, plan.kv_dtype, plan.prompt)
        if v.fits == say.FITS:
            out.append(say.ALT_GPU(f"{gpu.memory_bytes / devices.GIB:.0f}", gpu.name))
            break
        if v.fits == say.FITS_INT4 and int4 is not None:
            out.append(say.ALT_GPU_INT4(f"{gpu.memory_bytes / devices.GIB:.0f}", gpu.name))
            break
    return out


def _at_int4(shape: ModelShape) -> ModelShape | None:
    if not shape.int4_bytes or shape.int4_bytes >= shape.weights_bytes:
        return None
    share = shape.int4_bytes / shape.weights_bytes
    return dataclasses.replace(shape, weights_bytes=shape.int4_bytes, storage="int4", inline=False,
                               lookup_bytes=int(shape.lookup_bytes * share),
                               lookup_row_bytes=int(shape.lookup_row_bytes * share),
                               expert_bytes=int(shape.expert_bytes * share))


def _said(v: Verdict, plans: list[Plan], target: Device) -> Message:
    would = say.WOULD_FIT(joined(v.alternatives, say.EITHER)) if v.alternatives else say.NOTHING_FITS()
    if len(plans) > 1:
        return say.NEEDS_BOTH(units.nbytes(v.needed_bytes), f"{v.context:,}", units.nbytes(v.available_bytes), would)
    p = plans[0]
    if target.kind == "cuda":
        runtime = p.device_bytes - p.weights_bytes - p.kv_cache_bytes
        return say.NEEDS_GPU(units.nbytes(v.needed_bytes), target.name, f"{p.context:,}", units.nbytes(p.weights_bytes),
                             units.nbytes(p.kv_cache_bytes), units.nbytes(runtime), units.nbytes(v.available_bytes),
                             would)
    return say.NEEDS_RAM(units.nbytes(v.needed_bytes), f"{p.context:,}", units.nbytes(p.weights_bytes),
                         units.nbytes(p.kv_cache_bytes), units.nbytes(p.runtime_bytes), units.nbytes(v.available_bytes),
                         would)


def ensure_files_fit(files: list[tuple[str, str | None]], context: int, prompt: int | None = None,
                     provider: str = "cpu") -> Verdict:
    """`ensure_fits` for models named by (path, variant), held at once (compare's A and B): their counts are taken
    here (no value is read) and released before anything runs."""
    from ..pipeline import inspect

    censuses = []
    try:
        for path, variant in files:
            censuses.append(inspect(path, variant=variant, statistics=False))
        shapes = [shape_of(c) for c in censuses]
    finally:
        for c in censuses:
            c.model.close()
    return ensure_fits(shapes, context, prompt, provider, path=str(files[0][0]) if len(files) == 1 else None)
