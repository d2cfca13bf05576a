"""Overview: the architecture card, the totals and their shares, the scale view, weights vs biases per block."""

from __future__ import annotations

import numpy as np

from .. import palette, units
from ..stats.precision import precision_view
from ..stats.scale import scale_view
from .qt_compat import BIAS_COLOR, WEIGHT_COLOR, QtCore, QtWidgets, pg
from .staging import PAINT


CARDS_HEIGHT = 300
PLOTS_MIN_HEIGHT = 260
CARD_ROWS = 14


class Card(QtWidgets.QGroupBox):
    """A titled grid of plain-text rows: cheap to update, and a name from the model cannot inject markup."""

    def __init__(self, title: str):
        super().__init__(title)
        self.grid = QtWidgets.QGridLayout(self)
        self.grid.setVerticalSpacing(2)
        self.grid.setColumnStretch(1, 1)
        self.grid.setAlignment(QtCore.Qt.AlignTop)
        self.cells: list[tuple[QtWidgets.QLabel, QtWidgets.QLabel]] = []
        self.rows: list[tuple[str, str]] = []
        self._grow(CARD_ROWS)  # made now, not while a model is arriving

    def _grow(self, n: int) -> None:
        while len(self.cells) < n:
            key, value = QtWidgets.QLabel(), QtWidgets.QLabel()
            for lab in (key, value):
                lab.setTextFormat(QtCore.Qt.PlainText)
                lab.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
            key.setStyleSheet(f"color: {palette.LABEL}")
            value.setWordWrap(True)
            font = value.font()
            font.setBold(True)
            value.setFont(font)
            self.grid.addWidget(key, len(self.cells), 0, QtCore.Qt.AlignTop)
            self.grid.addWidget(value, len(self.cells), 1, QtCore.Qt.AlignTop)
            self.cells.append((key, value))

    def set_rows(self, rows: list[tuple[str, str]], warn: set[int] = frozenset()) -> None:
        """Rows beyond the new ones are emptied, not hidden: showing and hiding labels re-lays out the card."""
        self._grow(len(rows))
        self.rows = [(str(k), "–" if v is None or v == "" and k else str(v)) for k, v in rows]
        for i, (key, value) in enumerate(self.cells):
            k, v = self.rows[i] if i < len(rows) else ("", "")
            key.setText(k)
            value.setText(v)
            red = i in warn
            if value.property("warn") != red:
                value.setProperty("warn", red)
                value.setStyleSheet(f"color: {palette.WARNING}" if red else "")

    def text(self) -> str:
        return "\n".join(f"{k}: {v}" for k, v in self.rows)


class OverviewView(QtWidgets.QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.arch_box, self.totals_box, self.scale_box = Card("Architecture"), Card("Parameters"), Card("Scale")
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setMinimumHeight(PLOTS_MIN_HEIGHT)
        self.weights_plot = self.plots.addPlot(row=0, col=0, title="weights per layer")
        self.biases_plot = self.plots.addPlot(row=1, col=0, title="biases per layer")
        self.biases_plot.setXLink(self.weights_plot)
        for p in (self.weights_plot, self.biases_plot):
            p.setMouseEnabled(x=False, y=False)
            p.getAxis("left").enableAutoSIPrefix(True)
        cards = QtWidgets.QWidget()
        top = QtWidgets.QHBoxLayout(cards)
        top.setContentsMargins(0, 0, 0, 0)
        for box in (self.arch_box, self.totals_box, self.scale_box):
            top.addWidget(box, 1)
        # a fixed height: new text must not resize the plots below (that re-lays out every pyqtgraph item)
        cards.setFixedHeight(CARDS_HEIGHT)
        lay = QtWidgets.QVBoxLayout(self)
        lay.addWidget(cards)
        lay.addWidget(self.plots, 1)
        self.clear()

    def clear(self) -> None:
        self.arch_box.set_rows([("", "Open a model: File → Open, or drop one on the window.")])
        self.totals_box.set_rows([])
        self.scale_box.set_rows([])
        self.weights_plot.clear()
        self.biases_plot.clear()
        self.bar_data: dict[str, np.ndarray] = {}

    def fill(self, census):
        """Steps: the cards, then each plot (a plot's first paint is the costly part of showing a model)."""
        a, total = census.architecture, census.parameters
        heads = f"{a.n_head} ({a.n_kv_head} KV)" if a.n_head else "?"
        ctx = f"{a.context_length}" + (f" ({a.context_source})" if a.context_source not in (None, "graph") else "") \
            if a.context_length else "not in the graph"
        checks = [(f"{c.get('source', 'config.json')}: {c['field']}", f"{c['config']} (the graph says {c['graph']})")
                  for c in a.config_checks]
        source = census.model.source
        file_text = census.model.path.name
        if source is not None and len(source.variants) > 1:
            name = source.variant.name if source.variant else file_text
            file_text = f"{name} (1 of {len(source.variants)} files: File → Open Variant)"
        entry = a.family_entry
        family = f"{entry.label} ({a.family})" if entry is not None and entry.name == a.family else a.family
        if a.family_source != "graph":
            family += f", named by {a.family_source}"
        rows = [
            ("file", file_text), ("family", family),
            ("layers", a.n_layer), ("width (d_model)", a.d_model), ("heads", heads), ("head dim", a.head_dim),
            ("MLP width", a.ffn_dim), ("vocabulary", a.vocab_size), ("context", ctx),
            ("LM head", "tied to the embedding" if a.tied_embeddings else
             "its own matrix" if census.layer("lm_head") else "none found"),
            ("KV cache", "yes" if a.kv_cache else "no (full recompute)"),
            ("attention", f"one fused {a.fused_attention} node per block" if a.fused_attention else "unfused ops"),
            ("dtypes", ", ".join(f"{k} {units.count(v)}" for k, v in a.dtypes.items())),
        ]
        self.arch_box.set_rows(rows + checks, warn=set(range(len(rows), len(rows) + len(checks))))
        yield
        s = census.stored
        precision = precision_view(census)
        share = lambda n: units.percent(n / total) if total else "–"
        self.totals_box.set_rows([
            ("parameters", f"{total:,} ({units.count(total)})"),
            ("weights", f"{census.weights:,}  ({share(census.weights)})"),
            ("biases", f"{census.biases:,}  ({share(census.biases)})"),
            ("file", units.nbytes(s.file_bytes) + (f" + {units.nbytes(s.external_bytes)} external"
                                                 if s.external_bytes else "")),
            ("stored tensors", f"{s.unique_tensors} holding parameters"),
            ("aliases", f"{s.aliases} (deduplicated by the exporter)"),
            ("tied copies", s.tied_copies), ("non-parameter constants", s.constants),
            ("stored as", precision["summary"]),
        ] + ([("scales, zero points", f"{units.nbytes(precision['scale_bytes'])}, "
                                      f"{units.nbytes(precision['zero_point_bytes'])}")]
             if precision["quantized"] else []))
        yield
        sv = scale_view(total, a)
        rows = [("memory", " · ".join(f"{k} {units.nbytes(v)}" for k, v in sv["memory_bytes"].items()))]
        if sv["kv_cache_bytes_per_token"]:
            kv = sv["kv_cache_bytes_per_token"]
            rows.append(("KV cache / token", f"{units.nbytes(kv['fp16'])} fp16 · {units.nbytes(kv['fp32'])} fp32"))
        if sv["formula"]:
            f = sv["formula"]
            ok = "✓ equals the count" if f["matches"] else f"differs from the count by {f['difference']:+,}"
            rows += [(f"{f['label']} formula", f["formula"]), ("", f"= {f['value']:,}  {ok}"),
                     ("where", f["where"])]
        for p in sv["published"]:
            rows.append((p["name"], f"{units.count(p['parameters'])} = {units.ratio(p['times_this_model'])} this model"))
        self.scale_box.set_rows(rows)
        yield PAINT
        names = [layer.name for layer in census.layers]
        w = np.array([layer.weights for layer in census.layers], float)
        b = np.array([layer.biases for layer in census.layers], float)
        self.bar_data = {"names": names, "weights": w, "biases": b}
        x = np.arange(len(names))
        ticks = [[(i, n.replace("block ", "")) for i, n in enumerate(names)]]
        for plot, values, color in ((self.weights_plot, w, WEIGHT_COLOR), (self.biases_plot, b, BIAS_COLOR)):
            plot.clear()
            plot.addItem(pg.BarGraphItem(x=x, height=values, width=0.7, brush=color, pen=None))
            plot.getAxis("bottom").setTicks(ticks)
            plot.setYRange(0, max(values.max() if values.size else 1, 1) * 1.05, padding=0)
            yield PAINT
