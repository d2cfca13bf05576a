"""Which file of a folder to take: the variants ranked by quality per byte, one recommendation for a memory
budget with its reasons, the file to avoid, and files whose storage contradicts their name.

Quality is the mean KL against the reference, size the file's bytes (its weights as stored).  A file is
dominated when another is no larger and closer to the reference (strictly, in one of the two): it is never the
right choice.  The ranking puts the rest — the size–quality frontier — first, closest first, so each next file
on it is smaller and a little further; then the dominated ones.  The recommendation is the smallest file that
fits the budget and stays within `max_kl` nats of mean KL (of files within 1 % of that size, the closest), or,
when none does, the closest that fits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import units
from ..errors import InspectorError
from ..stats.precision import FLOAT_BITS
from . import messages as say
from ..messages import Message

MAX_KL = 0.05  # nats of mean KL a file may lose and still count as close to the reference
SAME_SIZE = 0.01  # files within 1 % of the smallest one's size are as small: the closest of them is taken
CLAIMED_BITS = {"fp16": 16, "bf16": 16, "int8": 8, "uint8": 8, "int4": 4, "int4 (fp16)": 4, "bnb4": 4}  # by name
SIZE_RE = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*([kmgt]?i?b?)?\s*$", re.IGNORECASE)
SIZE_UNITS = {"": 1, "b": 1, "k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
              "kib": 2 ** 10, "mib": 2 ** 20, "gib": 2 ** 30, "tib": 2 ** 40}


def parse_budget(text: str) -> int:
    """'800MB', '1.5 GB', '2G', '4GiB' or a number of bytes (MB and GB are 10^6 and 10^9, as everywhere here)."""
    m = SIZE_RE.match(text or "")
    unit = (m.group(2) or "").lower() if m else None
    if m is None or unit not in SIZE_UNITS:
        raise InspectorError(say.BUDGET_UNREADABLE(repr(text)))
    return int(float(m.group(1)) * SIZE_UNITS[unit])


@dataclass
class Advice:
    sentences: list[Message] = field(default_factory=list)
    take: str | None = None  # the file recommended
    avoid: str | None = None
    budget: int | None = None
    max_kl: float = MAX_KL

    @property
    def text(self) -> str:
        """One line."""
        return " ".join(str(s) for s in self.sentences)

    def as_dict(self) -> dict:
        return {"text": self.text, "take": self.take, "avoid": self.avoid, "budget": self.budget,
                "max_kl": self.max_kl, "sentences": [say.as_dict(s) for s in self.sentences]}


def _usable(rows) -> list:
    return [r for r in rows if not r.error and r.kl_mean is not None]


def _dominated_by(row, rows):
    """The closest file that is no larger than `row` and closer, or at most as close and smaller; or None."""
    better = [o for o in rows if o is not row and o.bytes <= row.bytes and o.kl_mean <= row.kl_mean
              and (o.bytes < row.bytes or o.kl_mean < row.kl_mean)]
    return min(better, key=lambda o: (o.kl_mean, o.bytes)) if better else None


def rank(rows) -> None:
    """Set each row's `rank` (1 = first) and `dominated_by`; files that could not be read are not ranked."""
    usable = _usable(rows)
    for r in usable:
        d = _dominated_by(r, usable)
        r.dominated_by = d.file if d else None
    order = sorted(usable, key=lambda r: (r.dominated_by is not None, r.kl_mean, r.bytes))
    for i, r in enumerate(order):
        r.rank = i + 1


def _pct(x: float | None) -> str:
    return units.percent(x, 0)


def _kl(x: float | None) -> str:
    return units.number(x, 3)


def advise(rows, budget: int | None = None, max_kl: float = MAX_KL) -> Advice:
    """The file to take (for `budget` bytes, if given), why, and the one to avoid."""
    advice = Advice(budget=budget, max_kl=max_kl)
    usable = _usable(rows)
    reference = next((r for r in rows if r.reference), None)
    if reference is None or reference not in usable:
        return advice
    ref_name = reference.file
    fits = [r for r in usable if budget is None or r.bytes <= budget]
    if not fits:
        smallest = min(usable, key=lambda r: r.bytes)
        advice.sentences.append(say.NOTHING_FITS(units.nbytes(budget), smallest.file,
                                                 units.nbytes(smallest.bytes)))
        return advice
    close = [r for r in fits if r.kl_mean <= max_kl]
    if close:
        smallest = min(r.bytes for r in close)
        take = min((r for r in close if r.bytes <= smallest * (1 + SAME_SIZE)), key=lambda r: (r.kl_mean, r.bytes))
    else:
        take = min(fits, key=lambda r: (r.kl_mean, r.bytes))
    advice.take = take.file
    why = (take.file, units.ratio(reference.bytes / take.bytes) if take.bytes else "–", ref_name, _kl(take.kl_mean),
           _pct(take.top1_agreement))
    others = [r for r in usable if r is not reference]
    if take is reference:
        if others:
            closest = min(others, key=lambda r: r.kl_mean)
            advice.sentences.append(say.KEEP_REFERENCE(ref_name, _kl(max_kl), closest.file,
                                                       _kl(closest.kl_mean)))
        else:
            advice.sentences.append(say.KEEP_ONLY(ref_name))
    elif budget is None:
        advice.sentences.append(say.TAKE(*why, _kl(max_kl)))
    else:
        key = say.TAKE_FOR_BUDGET if close else say.TAKE_CLOSEST
        advice.sentences.append(key(why[0], units.nbytes(budget), *why[1:], _kl(max_kl)))
    dominated = [(r, _dominated_by(r, usable)) for r in others]
    dominated = [(r, d) for r, d in dominated if d is not None and r.kl_mean > d.kl_mean]
    if dominated:
        worst, better = max(dominated, key=lambda rd: rd[0].kl_mean)
        advice.avoid = worst.file
        advice.sentences.append(say.AVOID(worst.file, _kl(worst.kl_mean), better.file, _kl(better.kl_mean)))
    return advice


def name_flag(variant, census, reference_bytes: int | None, reference_name: str) -> Message | None:
    """A file whose name promises fewer bits than its block matrices are stored in (a "q4" file whose
    matrices are fp32: a quantizer that skipped them), or None."""
    claim = CLAIMED_BITS.get(variant.dtype)
    matrices = [t for t in census.tensors if t.counted and t.kind == "weight" and len(t.shape) == 2
                and t.layer.startswith("block ")]
    total = sum(t.count for t in matrices)
    if claim is None or not total:
        return None
    bits = {id(t): t.quant.bits if t.quant else FLOAT_BITS.get(t.scheme, 32) for t in matrices}
    kept = sum(t.count for t in matrices if bits[id(t)] <= claim)
    if kept >= total / 2:
        return None
    by_scheme: dict[str, int] = {}
    for t in matrices:
        by_scheme[t.scheme] = by_scheme.get(t.scheme, 0) + t.count
    stored = max(by_scheme, key=by_scheme.get)
    per_param = 8 * sum(t.nbytes for t in matrices) / total
    share = _pct(variant.nbytes / reference_bytes) if reference_bytes else "–"
    return say.NAME_CONTRADICTS(variant.name, variant.dtype, stored, units.number(per_param, 3), share,
                                reference_name)
