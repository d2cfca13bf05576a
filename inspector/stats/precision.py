"""The precision view: how the parameters are stored, what that costs per parameter, and what it means.

"int4, block 32, on 14 of 15 matrices: 5.1 bits per parameter, 6.3× smaller than fp32" —
bits per parameter count what the file spends on the parameters that count (codes, scales
and zero points; a tied copy of the embedding is the stored view's business, not this).
"""

from __future__ import annotations

from collections import defaultdict

from ..messages import Message, joined, sentence

FLOAT_BITS = {"fp32": 32, "fp16": 16, "bf16": 16, "fp64": 64}


def _per_stored(census):
    """Each counted stored tensor once: (its parameters, its bytes with scales and zero points, a tensor)."""
    seen: dict[str, list] = {}
    for t in census.tensors:
        if not t.counted:
            continue
        entry = seen.setdefault(t.stored, [0, 0, t])
        entry[0] += t.count
    for name, entry in seen.items():
        t = entry[2]
        entry[1] = t.nbytes
    return seen.values()


def precision_view(census) -> dict:
    params = census.parameters
    schemes: dict[str, dict] = defaultdict(lambda: {"tensors": 0, "parameters": 0, "bytes": 0})
    total_bytes = scale_bytes = zero_point_bytes = 0
    for count, nbytes, t in _per_stored(census):
        s = schemes[t.scheme]
        s["tensors"] += 1
        s["parameters"] += count
        s["bytes"] += nbytes
        total_bytes += nbytes
        if t.quant:
            tensors = census.model.tensors
            scale_bytes += sum(tensors[n].stored_nbytes for n in [t.quant.scale, *t.quant.extra_aux] if n in tensors)
            zero_point_bytes += tensors[t.quant.zero_point].stored_nbytes if t.quant.zero_point in tensors else 0
    for s in schemes.values():
        s["bits_per_parameter"] = 8 * s["bytes"] / s["parameters"] if s["parameters"] else None
    bpp = 8 * total_bytes / params if params else None
    matrices = [t for t in census.tensors if t.counted and t.kind == "weight" and len(t.shape) == 2]
    quantized = [t for t in matrices if t.quant]
    by_label: dict[str, int] = defaultdict(int)
    for t in quantized:
        by_label[t.scheme] += t.count
    dominant = max(by_label, key=by_label.get) if by_label else None  # by parameters
    view = {
        "quantized": bool(quantized),
        "bits_per_parameter": bpp,
        "vs_fp32": 32 / bpp if bpp else None,
        "schemes": dict(schemes),
        "matrices": {"total": len(matrices), "quantized": len(quantized),
                     "by_scheme": {k: sum(1 for t in quantized if t.scheme == k) for k in by_label}},
        "scale_bytes": scale_bytes,
        "zero_point_bytes": zero_point_bytes,
        "tensors": {t.name: t.scheme for t in census.tensors if t.counted},
    }
    copies = sorted({t.scheme for t in census.tensors if not t.counted and t.quant})
    view["tied_copy_schemes"] = copies  # a tied head's stored copy, quantized though it does not count
    view["dominant"] = dominant
    view["summary"] = summary(view)
    view["stored_as"] = stored_as(view)  # the same without the bits: for tables that give the bits a column
    view["note"] = generation_note(view)
    return view


# What the view says, as the core's sentences (messages.py): the app and a report render them in their language,
# the JSON writes the English.
TIED_COPY = sentence("{0}; the tied head's stored copy: {1}")
NO_PARAMETERS = sentence("no parameters")
BITS = sentence("{0} bits per parameter")
BITS_SMALLER = sentence("{0} bits per parameter, {1}× smaller than fp32")
ON_MATRICES = sentence("{0}, on {1} of {2} matrices")
SCHEME_ON = sentence("{0} on {1}")
OF_MATRICES = sentence("{0} of {1} matrices")
THROUGHOUT = sentence("{0} throughout")
HEAD_TAIL = sentence("{0}: {1}")
QUANTIZED_NOTE = sentence(
    "This model is quantized ({0}). Its weights are rounded to a few levels per block or channel, so its logits "
    "differ from the float model's and its greedy ids can differ wherever two candidates are close.")
LOW_PRECISION_NOTE = sentence(
    "This model is stored in {0}: its weights keep fewer significant bits than fp32, so its logits differ in the "
    "last digits and its greedy ids can differ where two candidates are nearly tied.")


def _parts(view: dict) -> tuple[Message | str, Message | None]:
    """(how the parameters are stored, their bits per parameter and the saving)."""
    bpp, dominant = view["bits_per_parameter"], view.get("dominant")
    if bpp is None:
        return NO_PARAMETERS(), None
    tail = BITS_SMALLER(f"{bpp:.1f}", f"{view['vs_fp32']:.1f}") if bpp < 31.5 else BITS(f"{bpp:.1f}")
    if dominant:
        m = view["matrices"]
        by = sorted(m["by_scheme"].items(), key=lambda kv: (-kv[1], kv[0]))
        if len(by) == 1:
            return ON_MATRICES(dominant, by[0][1], m["total"]), tail
        return OF_MATRICES(joined([SCHEME_ON(label.replace(", ", " "), n) for label, n in by]), m["total"]), tail
    floats = [k for k in view["schemes"] if k in FLOAT_BITS]
    if len(floats) == 1:
        return THROUGHOUT(floats[0]), tail
    return joined(sorted(floats)), tail


def _with_copy(view: dict, text: Message | str) -> Message | str:
    copies = view.get("tied_copy_schemes") or []
    return TIED_COPY(text, ", ".join(copies)) if copies else text


def summary(view: dict) -> Message | str:
    """'int4 block 32, on 15 of 16 matrices: 5.1 bits per parameter, 6.3× smaller than fp32'."""
    head, tail = _parts(view)
    return _with_copy(view, HEAD_TAIL(head, tail) if tail else head)


def stored_as(view: dict) -> Message | str:
    """The summary without the bits: for tables that give the bits a column."""
    return _with_copy(view, _parts(view)[0])


def generation_note(view: dict) -> Message | None:
    """Why this model's greedy ids may differ from the float model's, or None for an fp32 model."""
    if view.get("dominant") or view.get("tied_copy_schemes"):
        return QUANTIZED_NOTE(summary(view))
    low = [k for k in view["schemes"] if k in ("fp16", "bf16")]
    if low:
        return LOW_PRECISION_NOTE(joined(sorted(low)))
    return None
