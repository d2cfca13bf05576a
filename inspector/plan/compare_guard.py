"""The memory guard for `compare`: the models it runs at once, checked before any session is made.

Two models compared token by token are both open while A's continuation (and the text, a window at a time) is
read by B; a folder's variants are read against the float reference one at a time, so the reference and the
largest other variant are what must fit.  Weights are compared a slice at a time, memory-mapped: when nothing is
run, nothing is checked.
"""

from __future__ import annotations

from .guard import ensure_files_fit, ensure_fits


def guard_compare(args, prompt, window: int = 0) -> None:
    """A folder's variants (`--variants`): the reference and the largest other file held at once.  `args`: compare's
    arguments; `prompt`: the text or ids it will continue (None: it runs nothing); `window`: the most tokens of the
    text read at once (0: no text)."""
    from ..model.sources import open_source

    if prompt is None or not args.variants:
        return  # two models: compare checks the censuses it takes (admit_pair), rather than taking them twice
    variants = open_source(args.a).variants
    if len(variants) < 2:
        return  # compare says why itself
    reference = next((v for v in variants if v.dtype == "fp32"), variants[0])
    largest = max((v for v in variants if v is not reference), key=lambda v: v.nbytes)
    guard_pair([(reference.path, None), (largest.path, None)], prompt, args.max_new_tokens, args.provider, window)


def _context(prompt, max_new_tokens: int, window: int) -> tuple[int, int]:
    """(the longest context held, the most tokens read at once) for a prompt (text: at most a token per UTF-8
    byte; or ids), its continuation and a text read `window` tokens at a time."""
    tokens = len(prompt) if isinstance(prompt, list) else len(prompt.encode("utf-8")) + 2
    return max(tokens + max_new_tokens, window), max(tokens, window)


def admit_pair(prompt, max_new_tokens: int, provider: str, window: int = 0):
    """The check `compare.run.compare(admit=…)` makes on both censuses before any session: they are held at once."""
    longest, at_once = _context(prompt, max_new_tokens, window)
    return lambda censuses: ensure_fits(censuses, longest, at_once, provider)


def guard_pair(files: list[tuple[str, str | None]], prompt, max_new_tokens: int, provider: str,
               window: int = 0) -> None:
    """Models named by (path, variant), held at once while they continue `prompt` (text: at most a token per
    UTF-8 byte; or ids) and read a text `window` tokens at a time; `report --compare` calls it too."""
    longest, at_once = _context(prompt, max_new_tokens, window)
    ensure_files_fit(files, longest, prompt=at_once, provider=provider)
