"""Human-readable numbers: 124.4M parameters, 498 MB, 12.5×."""

from __future__ import annotations

import math

from .messages import sentence

MB = 1e6  # every "MB" in the inspector is 10^6 bytes, as nbytes() prints them


def count(n: float | int | None) -> str:
    if n is None:
        return "–"
    n = float(n)
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(n) >= size:
            return f"{n / size:.3g}{unit}" if abs(n) / size < 100 else f"{n / size:.0f}{unit}"
    return f"{n:.0f}"


def mb(n: float | int | None) -> float | None:
    """Bytes as MB (10^6), the unit of the JSON's `*_mb` fields and the memory plots."""
    return None if n is None else n / MB


def nbytes(n: float | int | None) -> str:
    if n is None:
        return "–"
    n = float(n)
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(n) >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.0f} B"


def number(x: float | None, digits: int = 4) -> str:
    """A measured value as people read it, `digits` significant below a thousand, whole and grouped above:
    0.00078, 12.5, 1,250 (never 1.25e+03); only what is very small keeps an exponent (9.6e-07)."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    if x and abs(x) < 1e-4:
        return f"{x:.{min(digits, 2)}g}"
    rounded = float(f"{x:.{digits}g}")
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(rounded) >= 10 ** digits or abs(rounded) >= 1000:  # where "g" would write an exponent
        return f"{rounded:,.0f}"
    return f"{x:.{digits}g}"


def percent(x: float | None, decimals: int = 2) -> str:
    """A share as a percentage, the one way the inspector writes them: 99.47%, 95%."""
    return "–" if x is None else f"{100 * x:.{decimals}f}%"


def ratio(x: float | None) -> str:
    """How many times: '2,048×', '12.5×', '0.37×' — never rounded to a bare 0."""
    if x is None or not math.isfinite(x):
        return "–"
    if x >= 100:
        return f"{x:,.0f}×"
    if x >= 0.01:
        return f"{x:.3g}×"
    return f"1/{1 / x:,.0f}×" if x > 0 else "0×"


KIND_PLURAL = {"weight": sentence("weights"), "bias": sentence("biases")}  # a parameter kind as a heading or legend says it
KIND_NAME = {"weight": sentence("weight"), "bias": sentence("bias")}  # and as a table's cell says it

TOKEN_SHOWN = {"\n": "↵", "\r": "␍", "\t": "⇥"}  # characters a token table would otherwise swallow


def token(text: str, quoted: bool = True) -> str:
    """A token as people read it in a table: quoted so its spaces show, a newline as ↵."""
    shown = "".join(TOKEN_SHOWN.get(c, c) for c in str(text))
    if not quoted and shown and not shown.strip(" "):
        shown = "␣" * len(shown)  # a token of spaces, visible on its own
    return f"'{shown}'" if quoted else shown
