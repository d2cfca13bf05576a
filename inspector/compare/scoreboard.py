"""The scoreboard: llama.cpp's figures for A's continuation and for the text side by side, as rows a table
draws as they are (the command line, the report, and the app's Compare tab)."""

from __future__ import annotations

from dataclasses import dataclass

from .. import units
from . import messages as say


@dataclass(frozen=True)
class ScoreRow:
    label: str  # one of messages.SCORE_* (a report or the app translates it)
    continuation: str  # formatted; "–" where the figure does not apply
    text: str


def _kl(x) -> str:
    return units.number(x, 3)


def _pct(x) -> str:
    return units.percent(x, 1)


def _top1(s: dict) -> str:
    if s.get("top1_agreement") is None:
        return "–"
    lo, hi = s["top1_ci95"]
    return f"{_pct(s['top1_agreement'])} [{_pct(lo)}, {_pct(hi)}]"


def _ppl(x) -> str:
    return units.number(x, 4)


def scoreboard(tokens=None, text=None) -> list[ScoreRow]:
    """`tokens`: a tokens.TokenComparison, `text`: a text.TextComparison (either may be None)."""
    a = tokens.scores if tokens is not None else {}
    b = text.scores if text is not None else {}

    def row(label: str, key: str, fmt) -> ScoreRow:
        return ScoreRow(label, fmt(a.get(key)) if a else "–", fmt(b.get(key)) if b else "–")

    rows = [ScoreRow(say.SCORE_POSITIONS, str(len(tokens.kl)) if tokens is not None else "–",
                     str(text.tokens) if text is not None else "–"),
            row(say.SCORE_KL_MEAN, "kl_mean", _kl), row(say.SCORE_KL_MEDIAN, "kl_median", _kl),
            row(say.SCORE_KL_P99, "kl_p99", _kl), row(say.SCORE_KL_P999, "kl_p999", _kl),
            row(say.SCORE_KL_MAX, "kl_max", _kl),
            ScoreRow(say.SCORE_TOP1, _top1(a) if a else "–", _top1(b) if b else "–"),
            row(say.SCORE_DELTA_P, "delta_p_rms", _pct)]
    if text is not None:
        rows += [ScoreRow(say.SCORE_PPL_A, "–", _ppl(text.ppl_a)), ScoreRow(say.SCORE_PPL_B, "–", _ppl(text.ppl_b)),
                 ScoreRow(say.SCORE_PPL_RATIO, "–", units.number(text.ppl_ratio, 4))]
    return rows
