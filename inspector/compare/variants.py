"""Every variant of a folder against its float one, in one table: the table a person picks a file from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..engine.generator import Generator
from ..engine.plan import plan_for
from ..errors import Cancelled, ModelError, describe_error
from ..messages import Text, sentence
from ..model.sources import open_source
from ..pipeline import inspect
from ..stats.precision import precision_view
from .tokens import compare_tokens
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

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def compare_variants(folder: str | Path, prompt=DEFAULT_PROMPT, max_new_tokens: int = 32, provider: str = "auto",
                     progress: say.Progress | None = None,
                     cancelled: Callable[[], bool] | None = None) -> list[VariantRow]:
    """The float variant (the first of the folder's, best first) is the reference every other is read against."""
    prompt = prompt or DEFAULT_PROMPT
    source = open_source(folder)
    variants = source.variants
    if len(variants) < 2:
        raise ModelError(ONE_FILE, str(folder))
    reference = next((v for v in variants if v.dtype == "fp32"), variants[0])
    report = progress or (lambda _f, _m: None)
    ref_census = inspect(reference.path, statistics=False)
    try:
        ref_gen = Generator(reference.path, provider=provider, plan=plan_for(ref_census), validate=False)
        rows = []
        order = [reference] + [v for v in variants if v is not reference]
        for i, v in enumerate(order):
            if cancelled and cancelled():
                raise Cancelled()
            report(i / len(order), say.READING_FILE(v.name))
            rows.append(_row(v, reference, ref_gen, prompt, max_new_tokens, provider))
        report(1.0, say.COMPARED())
        return rows
    finally:
        ref_census.model.close()


def _row(v, reference, ref_gen, prompt, n, provider) -> VariantRow:
    try:
        census = inspect(v.path, statistics=False)
    except ModelError as exc:
        return VariantRow(v.name, v.dtype, v.nbytes, None, "", None, None, None, None, None, error=str(exc))
    try:
        view = precision_view(census)
        gen = ref_gen if v is reference else Generator(v.path, provider=provider, plan=plan_for(census),
                                                       validate=False)
        t = compare_tokens(ref_gen, gen, prompt, n)
        return VariantRow(v.name, v.dtype, v.nbytes, view["bits_per_parameter"], view["stored_as"], t.kl_mean,
                          t.kl_p99, t.top1_agreement, t.first_divergence, t.speed_b.tokens_per_s,
                          reference=v is reference)
    except Exception as exc:  # noqa: BLE001 - one variant that cannot run leaves the rest of the table
        return VariantRow(v.name, v.dtype, v.nbytes, None, "", None, None, None, None, None,
                          error=describe_error(exc)[0])
    finally:
        census.model.close()
