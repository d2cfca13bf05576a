"""Overview: the architecture card, the totals and their shares, the scale view, weights vs biases per block."""

from __future__ import annotations

import html

import numpy as np

from .. import units
from ..stats.scale import scale_view
from .qt_compat import BIAS_COLOR, WEIGHT_COLOR, QtCore, QtWidgets, pg


def _card(title: str) -> tuple[QtWidgets.QGroupBox, QtWidgets.QLabel]:
    box = QtWidgets.QGroupBox(title)
    label = QtWidgets.QLabel()
    label.setTextFormat(QtCore.Qt.RichText)
    label.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
    label.setWordWrap(True)
    label.setAlignment(QtCore.Qt.AlignTop | QtCore.Qt.AlignLeft)
    lay = QtWidgets.QVBoxLayout(box)
    lay.addWidget(label)
    return box, label


def _rows(pairs) -> str:
    return "<table cellspacing=3>" + "".join(
        f"<tr><td style='color:#666;padding-right:12px'>{html.escape(str(k))}</td><td><b>{v}</b></td></tr>"
        for k, v in pairs) + "</table>"


class OverviewView(QtWidgets.QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.arch_box, self.arch_label = _card("Architecture")
        self.totals_box, self.totals_label = _card("Parameters")
        self.scale_box, self.scale_label = _card("Scale")
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setMinimumHeight(260)
        self.weights_plot = self.plots.addPlot(row=0, col=0, title="weights per layer")
        self.biases_plot = self.plots.addPlot(row=1, col=0, title="biases per layer")
        self.biases_plot.setXLink(self.weights_plot)
        for p in (self.weights_plot, self.biases_plot):
            p.setMouseEnabled(x=False, y=False)
            p.getAxis("left").enableAutoSIPrefix(True)
        top = QtWidgets.QHBoxLayout()
        for box in (self.arch_box, self.totals_box, self.scale_box):
            top.addWidget(box, 1)
        lay = QtWidgets.QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.plots, 1)
        self.clear()

    def clear(self) -> None:
        for label in (self.arch_label, self.totals_label, self.scale_label):
            label.setText("<i>Open a model (File → Open, or drop one here).</i>")
        self.weights_plot.clear()
        self.biases_plot.clear()
        self.bar_data: dict[str, np.ndarray] = {}

    def show_census(self, census) -> None:
        a, total = census.architecture, census.parameters
        heads = f"{a.n_head} ({a.n_kv_head} KV)" if a.n_head else "?"
        ctx = f"{a.context_length}" + (" (config.json)" if a.context_source == "config.json" else "") \
            if a.context_length else "not in the graph"
        self.arch_label.setText(_rows([
            ("file", html.escape(census.model.path.name)), ("family", html.escape(a.family)),
            ("layers", a.n_layer), ("width (d_model)", a.d_model), ("heads", heads), ("head dim", a.head_dim),
            ("MLP width", a.ffn_dim), ("vocabulary", a.vocab_size), ("context", ctx),
            ("LM head", "tied to the embedding" if a.tied_embeddings else "its own matrix"),
            ("KV cache", "yes" if a.kv_cache else "no (full recompute)"),
            ("dtypes", html.escape(", ".join(f"{k} {units.count(v)}" for k, v in a.dtypes.items()))),
        ]) + "".join(f"<p style='color:#b00'>config.json says {html.escape(str(c['field']))} = "
                     f"{html.escape(str(c['config']))}; the graph says {html.escape(str(c['graph']))}</p>"
                     for c in a.config_checks))
        s = census.stored
        share = lambda n: units.percent(n / total) if total else "–"
        self.totals_label.setText(_rows([
            ("parameters", f"{total:,} ({units.count(total)})"),
            ("weights", f"{census.weights:,} &nbsp;<span style='color:#666'>{share(census.weights)}</span>"),
            ("biases", f"{census.biases:,} &nbsp;<span style='color:#666'>{share(census.biases)}</span>"),
            ("file", units.nbytes(s.file_bytes) + (f" + {units.nbytes(s.external_bytes)} external"
                                                 if s.external_bytes else "")),
            ("stored tensors", f"{s.unique_tensors} holding parameters"),
            ("aliases", f"{s.aliases} (deduplicated by the exporter)"),
            ("tied copies", s.tied_copies), ("non-parameter constants", s.constants),
        ]))
        sv = scale_view(total, a)
        mem = " · ".join(f"{k} {units.nbytes(v)}" for k, v in sv["memory_bytes"].items())
        rows = [("memory", mem)]
        if sv["kv_cache_bytes_per_token"]:
            kv = sv["kv_cache_bytes_per_token"]
            rows.append(("KV cache / token", f"{units.nbytes(kv['fp16'])} fp16 · {units.nbytes(kv['fp32'])} fp32"))
        if sv["formula"]:
            f = sv["formula"]
            ok = "✓ equals the count" if f["matches"] else f"differs by {f['difference']:+,}"
            rows.append(("formula", f"{html.escape(f['formula'])} = {f['value']:,} {ok}"))
        for p in sv["published"]:
            rows.append((p["name"], f"{units.count(p['parameters'])} = {p['times_this_model']:,.0f}× this model"))
        self.scale_label.setText(_rows(rows))
        QtCore.QTimer.singleShot(15, lambda: self._plot_layers(census))  # after the cards have painted

    def _plot_layers(self, census) -> None:
        names = [layer.name for layer in census.layers]
        w = np.array([layer.weights for layer in census.layers], float)
        b = np.array([layer.biases for layer in census.layers], float)
        self.bar_data = {"names": names, "weights": w, "biases": b}
        x = np.arange(len(names))
        ticks = [[(i, n.replace("block ", "")) for i, n in enumerate(names)]]

        def draw(plot, values, color):
            plot.clear()
            plot.addItem(pg.BarGraphItem(x=x, height=values, width=0.7, brush=color, pen=None))
            plot.getAxis("bottom").setTicks(ticks)
            plot.setYRange(0, max(values.max() if values.size else 1, 1) * 1.05, padding=0)

        draw(self.weights_plot, w, WEIGHT_COLOR)
        # the second plot a moment later: each plot's first paint is the costly part of showing a model
        QtCore.QTimer.singleShot(15, lambda: draw(self.biases_plot, b, BIAS_COLOR))
