"""The memory guard for `compare`: the models it runs at once, checked before any session is made.

Two models compared token by token are both open while A's continuation (and the text, a window at a time) is
read by B; a folder's variants are read against the float reference one at a time, so the reference and the
largest other variant are what must fit.  Weights are compared a slice at a time, memory-mapped: when nothing is
run, nothing is checked.
"""

from __future__ import annotations

from .guard import ensure_files_fit


def guard_compare(args, prompt, window: int = 0) -> None:
    """`args`: compare's arguments; `prompt`: the text or ids it will continue (None: it runs nothing);
    `window`: the most tokens of the text read at once (0: no text)."""
    from ..model.sources import open_source

    if prompt is None:
        return
    if args.variants:
        variants = open_source(args.a).variants
        if len(variants) < 2:
            return  # compare says why itself
        reference = next((v for v in variants if v.dtype == "fp32"), variants[0])
        largest = max((v for v in variants if v is not reference), key=lambda v: v.nbytes)
        files = [(reference.path, None), (largest.path, None)]
    elif args.b:
        files = [(args.a, args.variant_a), (args.b, args.variant_b)]
    else:
        return
    guard_pair(files, prompt, args.max_new_tokens, args.provider, window)


def guard_pair(files: list[tuple[str, str | None]], prompt, max_new_tokens: int, provider: str,
               window: int = 0) -> None:
    """Models named by (path, variant), held at once while they continue `prompt` (text: at most a token per
    UTF-8 byte; or ids) and read a text `window` tokens at a time; `report --compare` calls it too."""
    tokens = len(prompt) if isinstance(prompt, list) else len(prompt.encode("utf-8")) + 2
    longest = max(tokens + max_new_tokens, window)
    ensure_files_fit(files, longest, prompt=max(tokens, window), provider=provider)
