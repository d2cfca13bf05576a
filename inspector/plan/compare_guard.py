"""The memory guard for `compare`: the models it runs at once, checked before any session is made.

Two models compared token by token are both open while A's continuation is read by B; a folder's variants are
run beside the float reference one at a time, so the reference and the largest other variant are what must fit.
Weights are compared a slice at a time, memory-mapped: without a prompt nothing is run and nothing is checked.
"""

from __future__ import annotations

from .guard import ensure_files_fit


def guard_compare(args, prompt) -> None:
    """`args`: compare's arguments; `prompt`: the text or ids it will run (None: it runs nothing)."""
    from ..model.sources import open_source

    if args.variants:
        source = open_source(args.a)
        variants = source.variants
        if len(variants) < 2:
            return  # compare says why itself
        reference = next((v for v in variants if v.dtype == "fp32"), variants[0])
        largest = max((v for v in variants if v is not reference), key=lambda v: v.nbytes)
        files = [(reference.path, None), (largest.path, None)]
    elif args.b and prompt is not None:
        files = [(args.a, args.variant_a), (args.b, args.variant_b)]
    else:
        return
    if prompt is None:
        return
    tokens = len(prompt) if isinstance(prompt, list) else len(prompt.encode("utf-8")) + 2
    ensure_files_fit(files, tokens + args.max_new_tokens, prompt=tokens, provider=args.provider)
