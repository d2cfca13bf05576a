"""Everything a report says, gathered once: identity, the census data, the run, and the charts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from .. import __version__, units
from ..engine.serialize import result_dict
from ..errors import Cancelled
from .census_data import census_dict
from ..messages import DEFAULT, translator
from .inside_view import LensRow, attention_steps, context_labels, lens_rows
from .. import progress_text as say


@dataclass
class ReportContent:
    data: dict  # the `stats --json` object plus identity and generation
    images: dict[str, bytes] = field(default_factory=dict)  # file name -> PNG
    histogram_images: list[tuple[str, str]] = field(default_factory=list)  # (layer, image name)
    lens: list[LensRow] = field(default_factory=list)  # with the inside view: the logit lens, steps × blocks
    attention_images: list[tuple[int, str, str]] = field(default_factory=list)  # (step from 1, token, image name)
    scoreboard: list = field(default_factory=list)  # with a comparison's tokens: compare.scoreboard.ScoreRow
    drift_note: str | None = None  # why the comparison's drift is missing or not split, in the report's language
    recommendation: str | None = None  # with the variants: which file to take, in the report's language
    flags: list[str] = field(default_factory=list)  # with the variants: files whose storage contradicts their name

    @property
    def model_path(self) -> str:
        return self.data["file"]

    @property
    def language(self) -> str:
        return self.data.get("language") or DEFAULT


def identity(census, progress=None) -> dict:
    m = census.model
    return {
        "file": str(m.path), "file_name": m.path.name, "file_bytes": m.file_size,
        "external_bytes": m.external_bytes, "sha256": m.sha256(progress), "producer": m.producer,
        "opset": m.opset, "ir_version": m.proto.ir_version,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "inspector_version": __version__,
    }


def build_report(census, run=None, progress: say.Progress | None = None,
                 cancelled: Callable[[], bool] | None = None, attention_at: list[int] | None = None,
                 comparison=None, lang: str = DEFAULT, heads=None,
                 budget: int | None = None) -> ReportContent:
    """Collect the report; `run` is a GenerationResult (or None). Charts are drawn here, once.
    `attention_at`: the steps whose attention to draw when the run read the inside, as indices of the run's steps
    (0 is the first generated token, step 1 to a reader; default: the first and the last).
    `comparison`: a compare.run.Comparison of this model (A) with another, or the rows of compare.variants.
    `lang`: the report's language (messages.LANGUAGES); the charts are drawn in it.
    `heads`: what each head does (engine/heads.py's HeadsReading), or None.
    `budget`: with the variants, the memory budget (bytes) their recommendation is for (None: any size)."""
    from . import charts  # matplotlib, loaded when a report is made rather than whenever the command line starts

    _ = translator(lang)

    def check(fraction: float, what: str) -> None:
        if cancelled and cancelled():
            raise Cancelled()
        if progress:
            progress(fraction, what)

    data = census_dict(census)
    data["language"] = lang
    data["identity"] = identity(census, lambda f: check(0.2 * f, say.CHECKSUM()))
    data["generation"] = result_dict(run) if run is not None else None
    content = ReportContent(data)
    layers = data["layers"]
    content.images["layers.png"] = charts.layer_bars([x["name"] for x in layers], [x["weights"] for x in layers],
                                                     [x["biases"] for x in layers], _)
    for i, layer in enumerate(layers):
        check(0.2 + 0.75 * i / max(1, len(layers)), say.HISTOGRAM(layer["name"]))
        series = {k: (h["edges"], h["counts"]) for k, h in layer.get("histograms", {}).items() if h}
        if not series:
            continue
        name = f"hist_{i:03d}.png"
        content.images[name] = charts.layer_histogram(layer["name"], series, _)
        content.histogram_images.append((layer["name"], name))
    if data["generation"] and data["generation"]["steps"]:
        for key, png in charts.run_charts(data["generation"]["steps"], _).items():
            content.images[f"run_{key}.png"] = png
    g = data["generation"]
    if g and g.get("inside"):
        content.lens = lens_rows(g)
        for i in attention_steps(g, attention_at):
            name = f"attention_{i + 1:04d}.png"  # named, titled and captioned by the step as people count it
            step = g["steps"][i]
            content.images[name] = charts.attention_map(
                _("step {0}: chose {1}").format(i + 1, units.token(step["text"])), step["attention"],
                context_labels(g, i), _)
            content.attention_images.append((i + 1, step["text"], name))
    if isinstance(comparison, list):  # every variant of the folder (compare.variants)
        _variants(content, comparison, _, budget)
        comparison = None
    else:
        data["variants"] = None
    data["comparison"] = comparison.as_dict() if comparison is not None else None
    tokens = comparison.tokens if comparison is not None else None
    if tokens is not None and tokens.kl:
        content.images["compare_kl.png"] = charts.kl_per_position(tokens.kl, tokens.top1_agree, _)
    if comparison is not None:
        _comparison(content, comparison, charts, _)
    data["heads"] = heads.as_dict() if heads is not None else None
    if data["heads"]:
        content.images["heads.png"] = charts.heads_map(data["heads"], _)
    check(1.0, say.REPORT_READY())
    return content


def _comparison(content: ReportContent, comparison, charts, _) -> None:
    """llama.cpp's figures beside each other, and the drift per block as a chart."""
    from ..compare.scoreboard import scoreboard

    if comparison.tokens is not None:
        content.scoreboard = scoreboard(comparison.tokens, comparison.text)
    drift = comparison.drift
    if drift is not None:
        points = drift.series()
        if points:
            content.images["compare_drift.png"] = charts.drift_chart(points, _)
        content.drift_note = _(drift.note) if drift.note else None


def _variants(content: ReportContent, rows, _, budget: int | None = None) -> None:
    """The table ranked by quality per byte, the files whose name misleads, and which one to take."""
    from ..compare.advice import advise

    advice = advise(rows, budget)
    content.data["variants"] = [r.as_dict() for r in sorted(rows, key=lambda r: (r.rank is None, r.rank or 0))]
    content.data["recommendation"] = advice.as_dict()
    content.recommendation = " ".join(_(s) for s in advice.sentences) or None
    content.flags = [_(r.flag) for r in rows if r.flag]
