"""Every variant of a folder against its float one, in one table: the table a person picks a file from, ranked
by quality per byte (advice.py), with llama.cpp's figures, the perplexity on a text and where each file's
stream drifts most."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import Cancelled, ModelError, describe_error
from ..messages import Message, Text, sentence
from ..model.sources import open_source
from ..pipeline import inspect
from ..stats.precision import precision_view
from .advice import name_flag, rank
from .distribution import SCORE_KEYS
from .reading import Reading, Reference, TextChoice
from .. import progress_text as say

DEFAULT_PROMPT = "The meaning of life is"
ONE_FILE = sentence("the folder holds one model file: nothing to compare it with")


@dataclass
class VariantRow:
    file: str
    dtype: str
    bytes: int
    bits_per_parameter: float | None
    stored_as: Text  # precision.stored_as: said in the reader's language
    kl_mean: float | None
    kl_p99: float | None
    top1_agreement: float | None
    first_divergence: int | None
    tokens_per_s: float | None
    reference: bool = False
    error: str | None = None  # a variant that could not be run says why; the others still are
    scores: dict = field(default_factory=dict)  # llama.cpp's figures over the continuation (distribution.py)
    text: dict | None = None  # both models on the text (text.TextComparison.as_dict)
    drift: list | None = None  # per block (drift.BlockDrift.as_dict); None for the reference
    drift_peak: str | None = None  # where the drift grows most: "embeddings", "block N" (drift.Drift.peak)
    flag: Message | None = None  # its name promises fewer bits than its matrices are stored in
    rank: int | None = None  # by quality per byte (advice.rank); None for a file that could not be read
    dominated_by: str | None = None  # a file no larger and closer to the reference

    @property
    def ppl_ratio(self) -> float | None:
        return self.text["ppl_ratio"] if self.text else None

    def as_dict(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k not in ("scores", "flag")}
        d.update({k: self.scores.get(k, d.get(k)) for k in SCORE_KEYS})
        d["flag"] = str(self.flag) if self.flag else None
        d["ppl_ratio"] = self.ppl_ratio
        return d


def compare_variants(folder: str | Path, prompt=DEFAULT_PROMPT, max_new_tokens: int = 32, provider: str = "auto",
                     progress: say.Progress | None = None,
                     cancelled: Callable[[], bool] | None = None,
                     text: TextChoice | None = TextChoice()) -> list[VariantRow]:
    """The float variant (the first of the folder's, best first) is the reference every other is read against;
    the rows come in the folder's order, the reference first, each with its `rank`."""
    prompt = prompt or DEFAULT_PROMPT
    source = open_source(folder)
    variants = source.variants
    if len(variants) < 2:
        raise ModelError(ONE_FILE, str(folder))
    reference = next((v for v in variants if v.dtype == "fp32"), variants[0])
    report = progress or (lambda _f, _m: None)
    order = [reference] + [v for v in variants if v is not reference]
    report(0.0, say.READING_FILE(reference.name))
    ref_census = inspect(reference.path, statistics=False)
    try:
        view = precision_view(ref_census)
        ref = Reference(ref_census, prompt, max_new_tokens, provider, text, cancelled)
        try:
            rows = [_row(reference, view, ref.itself(), True)]
            for i, v in enumerate(order[1:], 1):
                if cancelled and cancelled():
                    raise Cancelled()
                report(i / len(order), say.READING_FILE(v.name))
                rows.append(_read(v, ref, reference))
        finally:
            ref.close()
        rank(rows)
        report(1.0, say.COMPARED())
        return rows
    finally:
        ref_census.model.close()


def _row(v, view: dict, reading: Reading, is_reference: bool = False) -> VariantRow:
    t = reading.tokens
    speed = t.speed_b.tokens_per_s if t.speed_b else None
    return VariantRow(v.name, v.dtype, v.nbytes, view["bits_per_parameter"], view["stored_as"], t.kl_mean, t.kl_p99,
                      t.top1_agreement, t.first_divergence, speed, reference=is_reference, scores=t.scores,
                      text=reading.text.as_dict() if reading.text else None,
                      drift=reading.drift.as_list() if reading.drift else None,
                      drift_peak=reading.drift.peak if reading.drift else None)


def _read(v, ref: Reference, reference) -> VariantRow:
    try:
        census = inspect(v.path, statistics=False)
    except ModelError as exc:
        return VariantRow(v.name, v.dtype, v.nbytes, None, "", None, None, None, None, None, error=str(exc))
    try:
        row = _row(v, precision_view(census), ref.against(census))
        row.flag = name_flag(v, census, reference.nbytes, reference.name)
        return row
    except Cancelled:
        raise
    except Exception as exc:  # noqa: BLE001 - one variant that cannot run leaves the rest of the table
        return VariantRow(v.name, v.dtype, v.nbytes, None, "", None, None, None, None, None,
                          error=describe_error(exc)[0])
    finally:
        census.model.close()
