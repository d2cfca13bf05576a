"""What a run needs — memory and the decode-speed bound — for a model, a context, a batch, a cache precision and a
device; and whether it fits this machine and the common GPUs.

Memory is the weights as stored, the KV cache by layer (shape.py) and the runtime beside them (runtime.py).  Speed
is bounded by memory bandwidth: a decode step reads every weight a token touches once (a row of each lookup
table; of a mixture's experts the chosen ones) and each sequence's cache, so tokens/s ≤ bandwidth / bytes per
token.  On the CPU the bandwidth is measured (bandwidth.py); a GPU's is its published figure (devices.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..errors import InspectorError
from . import devices, messages as say
from .devices import Device
from .runtime import Runtime, fitted, runtime
from .shape import BYTES, ModelShape

DEFAULT_CONTEXT = 2048  # when neither the graph nor a config gives the model's context
KV_DTYPES = ("fp16", "fp32", "int8")


@dataclass
class DeviceVerdict:
    name: str
    memory_gb: float
    bandwidth_gbs: float | None
    needs_bytes: int  # as stored
    fits: str  # messages.FITS, FITS_INT4 or DOES_NOT_FIT (a declared word: JSON and the app render it)
    int4_needs_bytes: int
    tokens_per_s_bound: float | None  # as it would run there (at int4 where only that fits)


@dataclass
class Plan:
    model: str
    device: str
    provider: str  # "cpu" or "cuda": where the weights sit
    context: int
    prompt: int
    batch: int
    kv_dtype: str
    weights_bytes: int
    kv_cache_bytes: int
    runtime_bytes: int
    total_bytes: int
    host_bytes: int  # in RAM
    device_bytes: int  # on the GPU (0 on the CPU)
    available_bytes: int | None  # free where it would sit on this machine (RAM, or the GPU's free memory)
    bytes_per_token: int
    bandwidth_gbs: float | None
    bandwidth_source: str
    tokens_per_s_bound: float | None
    fits_this_machine: bool | None
    runtime: dict = field(default_factory=dict)  # process, session, activations, device_context, load_peak
    cache: dict = field(default_factory=dict)  # per kind of layer: layers, tokens kept, bytes
    devices: list[DeviceVerdict] = field(default_factory=list)
    notes: list = field(default_factory=list)  # messages (plan/messages.py)

    def as_dict(self) -> dict:
        return asdict(self)


def make_plan(shape: ModelShape, context: int | None = None, batch: int = 1, kv_dtype: str | None = None,
              device: str | Device = "cpu", prompt: int | None = None, compare: bool = True) -> Plan:
    """The plan for `context` tokens of `batch` sequences (a prefill of `prompt` tokens, by default the whole
    context) on `device`: "cpu" (this machine's RAM), "cuda" (this machine's first GPU), a GPU's name from
    devices.GPUS, or a Device.  `compare`: also the verdicts for the common GPUs."""
    if batch < 1:
        raise InspectorError("the batch must be at least 1")
    if kv_dtype is not None and kv_dtype not in KV_DTYPES:
        raise InspectorError(f"unknown KV-cache precision {kv_dtype!r}; choose one of {', '.join(KV_DTYPES)}")
    context = int(context or shape.context_length or DEFAULT_CONTEXT)
    if context < 1:
        raise InspectorError("the context must be at least 1 token")
    prompt = min(context, prompt) if prompt else context
    kv = kv_dtype or shape.cache_dtype
    target = _device(device)
    provider = target.kind
    cache_bytes = shape.cache_bytes(context, batch, kv)
    rt = runtime(shape, prompt * batch, cache_bytes, provider)
    weights = shape.weights_bytes
    if provider == "cuda":
        device_bytes = weights + cache_bytes + rt.activations + rt.device_context
        host = rt.process
    else:
        device_bytes, host = 0, max(weights + cache_bytes + rt.total, rt.load_peak)
    total = host + device_bytes
    per_token = (shape.touched_bytes(batch) + batch * shape.cache_bytes(context, 1, kv)) // batch
    bound = target.bandwidth_gbs * 1e9 / per_token if target.bandwidth_gbs and per_token else None
    available = target.free_bytes
    need_here = device_bytes if provider == "cuda" else host
    fits = None if available is None else need_here <= available
    plan = Plan(shape.name, target.name, provider, context, prompt, batch, kv, weights, cache_bytes,
                total - weights - cache_bytes, total, host, device_bytes, available, per_token, target.bandwidth_gbs,
                target.source, bound, fits, _runtime_dict(rt), _cache_dict(shape, context, batch, kv))
    if provider == "cpu" and rt.load_peak > weights + cache_bytes + rt.total:
        plan.notes.append(say.NOTE_LOAD_PEAK())
    if provider == "cuda" and fitted().cuda_context_bytes is None:
        plan.notes.append(say.NOTE_CUDA_UNMEASURED())
    if compare:
        plan.devices = [verdict(shape, d, context, batch, kv, prompt) for d in devices.common_gpus()]
    return plan


def verdict(shape: ModelShape, device: Device, context: int, batch: int, kv: str, prompt: int) -> DeviceVerdict:
    """Does the model fit this GPU as stored, only at int4, or not at all (weights, cache and runtime on it)?"""
    cache = shape.cache_bytes(context, batch, kv)
    rt = runtime(shape, prompt * batch, cache, "cuda")

    def need(weights: int) -> int:
        return weights + cache + rt.activations + rt.device_context

    as_stored, at_int4 = need(shape.weights_bytes), need(min(shape.int4_bytes or shape.weights_bytes,
                                                             shape.weights_bytes))
    fits = say.FITS if as_stored <= device.memory_bytes else say.FITS_INT4 if at_int4 <= device.memory_bytes \
        else say.DOES_NOT_FIT
    touched = shape.touched_bytes(batch)
    if fits == say.FITS_INT4:
        touched = int(touched * at_int4 / max(1, as_stored))
    per_token = (touched + batch * shape.cache_bytes(context, 1, kv)) // batch
    bound = device.bandwidth_gbs * 1e9 / per_token if fits != say.DOES_NOT_FIT and per_token else None
    return DeviceVerdict(device.name, round(device.memory_gb, 1), device.bandwidth_gbs, as_stored, fits, at_int4, bound)


def _device(device: str | Device) -> Device:
    if isinstance(device, Device):
        return device
    key = device.strip().lower()
    if key == "cpu":
        return devices.this_cpu()
    if key in ("cuda", "gpu"):
        local = devices.local_gpus()
        if not local:
            raise InspectorError("no NVIDIA GPU was found on this machine: plan for one by name "
                                 f"(--device \"{devices.COMMON[2]}\"), or for the CPU")
        return local[0]
    named = devices.named(device)
    if named is None:
        names = ", ".join(d.name for d, _p in devices.GPUS)
        raise InspectorError(f"unknown device {device!r}: cpu, cuda, or one of {names}")
    return named


def _runtime_dict(rt: Runtime) -> dict:
    return {"process_bytes": rt.process, "session_bytes": rt.session, "unread_tables_bytes": rt.unread,
            "activations_bytes": rt.activations,
            "device_context_bytes": rt.device_context, "load_peak_bytes": rt.load_peak,
            "storage_fitted_as": rt.storage_used}


def _cache_dict(shape: ModelShape, context: int, batch: int, kv: str) -> dict:
    out: dict[str, dict] = {}
    for layer in shape.cache:
        entry = out.setdefault(layer.kind, {"layers": 0, "tokens": layer.tokens(context), "window": layer.window,
                                            "bytes": 0, "bytes_per_token": 0})
        entry["layers"] += 1
        entry["bytes"] += batch * layer.values_per_token * layer.tokens(context) * BYTES[kv]
        entry["bytes_per_token"] += layer.values_per_token * BYTES[kv]
    return out


def by_context(shape: ModelShape, contexts, batch: int = 1, kv_dtype: str | None = None,
               device: str | Device = "cpu") -> dict[str, list]:
    """The plan along a range of contexts, for a chart (the app's Cost view: a slider from 1 to the model's
    context, memory stacked against this machine's): `context`, `weights_bytes`, `kv_cache_bytes`,
    `runtime_bytes`, `total_bytes`, `tokens_per_s_bound` — one value per context.  The device is resolved once."""
    target = _device(device)
    out: dict[str, list] = {k: [] for k in ("context", "weights_bytes", "kv_cache_bytes", "runtime_bytes",
                                            "total_bytes", "tokens_per_s_bound")}
    for c in contexts:
        p = make_plan(shape, context=int(c), batch=batch, kv_dtype=kv_dtype, device=target, compare=False)
        for key in out:
            out[key].append(getattr(p, key))
    return out
