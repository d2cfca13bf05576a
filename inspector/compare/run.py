"""A comparison of B against A, as the command line, the report and the app ask for it: the weights always;
with a prompt, the tokens, the drift per block and the text.  Progress and cancel as the pipeline's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import Cancelled
from ..messages import Text
from ..pipeline import inspect
from ..stats.precision import precision_view
from .drift import Drift
from .reading import Reference, TextChoice
from .text import TextComparison
from .tokens import TokenComparison
from .weights import WeightComparison, compare_weights
from .. import progress_text as say

Progress = say.Progress
WEIGHTS_SHARE = 0.6  # of the progress bar, with tokens to read too


@dataclass
class Side:
    path: str
    name: str  # as a person names it: folder/file
    parameters: int
    bytes: int
    bits_per_parameter: float | None
    stored_as: Text  # precision.stored_as: said in the reader's language

    def as_dict(self) -> dict:
        return {"file": self.path, "name": self.name, "parameters": self.parameters, "bytes": self.bytes,
                "bits_per_parameter": self.bits_per_parameter, "stored_as": self.stored_as}


@dataclass
class Comparison:
    a: Side
    b: Side
    weights: WeightComparison
    tokens: TokenComparison | None = None
    drift: Drift | None = None  # with the tokens: B's residual stream against A's, block by block
    text: TextComparison | None = None  # with the tokens, unless asked not to: both models on a text

    def as_dict(self, histograms: bool = False) -> dict:
        return {"a": self.a.as_dict(), "b": self.b.as_dict(),
                "layers": [x.as_dict() for x in self.weights.layers],
                "tensors": [t.as_dict(histograms) for t in self.weights.tensors],
                "unmatched": self.weights.unmatched,
                "tokens": self.tokens.as_dict() if self.tokens else None,
                "drift": self.drift.as_list() if self.drift else None,
                "drift_positions": self.drift.positions if self.drift else None,
                "drift_note": str(self.drift.note) if self.drift and self.drift.note else None,
                "text": self.text.as_dict() if self.text else None}


def side(census) -> Side:
    m = census.model
    view = precision_view(census)
    name = f"{m.source.root.name}/{m.source.path.relative_to(m.source.root).as_posix()}" if m.source else m.path.name
    return Side(str(m.path), name, census.parameters,
                m.file_size + m.external_bytes, view["bits_per_parameter"], view["stored_as"])


def compare(a: str | Path, b: str | Path, prompt=None, max_new_tokens: int = 32, variant_a: str | None = None,
            variant_b: str | None = None, provider: str = "auto", progress: Progress | None = None,
            cancelled: Callable[[], bool] | None = None, census_a=None,
            text: TextChoice | None = TextChoice(), admit: Callable[[list], object] | None = None) -> Comparison:
    """`census_a`: A's census when the caller has it (the app's open model).  `text`: what both models read
    besides the prompt's continuation (the bundled sample by default; None: no text).  `admit`: called with both
    censuses before anything runs (the memory guard, plan/compare_guard.py: it raises when they cannot fit)."""
    report = progress or (lambda _f, _m: None)
    check = cancelled or (lambda: False)
    owned = []
    try:
        if census_a is None:
            census_a = inspect(a, variant_a, statistics=False, cancelled=check)
            owned.append(census_a)
        report(0.02, say.READING_B())
        census_b = inspect(b, variant_b, statistics=False, cancelled=check)
        owned.append(census_b)
        if admit is not None and prompt is not None:
            admit([census_a, census_b])
        share = WEIGHTS_SHARE if prompt is not None else 1.0
        weights = compare_weights(census_a, census_b, lambda f, m: report(0.05 + (share - 0.05) * f, m), check)
        result = Comparison(side(census_a), side(census_b), weights)
        if prompt is not None:
            if check():
                raise Cancelled()
            report(share, say.RUNNING_A())
            reference = Reference(census_a, prompt, max_new_tokens, provider, text, check)
            try:
                report(share + 0.2, say.RUNNING_B())
                reading = reference.against(census_b, reading=lambda: report(share + 0.3, say.READING_BOTH()))
            finally:
                reference.close()
            result.tokens, result.drift, result.text = reading.tokens, reading.drift, reading.text
        report(1.0, say.COMPARED())
        return result
    finally:
        for c in owned:
            c.model.close()
