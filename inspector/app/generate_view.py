"""Generate: prompt and sampling settings, Step/Run/Pause/Stop/Reset, the output with its tokens
marked, each step's candidates, and live latency / throughput / memory plots.

The engine runs in a GenerationWorker thread; steps arrive as signals and are only
collected here.  A 20 Hz timer redraws, so plotting never slows decoding down.
"""

from __future__ import annotations

import numpy as np

from ..engine.generator import GenerationConfig
from ..engine.providers import cuda_possible
from ..engine.sampling import SamplingConfig
from .qt_compat import ACCENT, QtCore, QtGui, QtWidgets, pg
from .workers import GenerationWorker, reaper

REDRAW_MS = 50


class GenerateView(QtWidgets.QWidget):
    request = QtCore.Signal(object, object, int)  # prompt (None: continue), config, max steps (0: all)
    error = QtCore.Signal(str, str)
    run_finished = QtCore.Signal(object)  # GenerationResult

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model_path: str | None = None
        self.plan = None  # engine.plan.RunPlan: architecture, precision note, what onnxruntime opens
        self.worker: GenerationWorker | None = None
        self.thread: QtCore.QThread | None = None
        self.provider_in_use: str | None = None
        self.steps: list = []
        self.prompt_text = ""
        self.result = None
        self.running = False
        self.selected_step: int | None = None
        self._dirty = False
        self._rendered: tuple = (0, None, None)  # in the output: steps, the highlighted one, the last step
        self._ttft_shown = None
        # the output's formats: text is inserted as it is (spaces and tabs kept), each token a link
        self._text_block = QtGui.QTextBlockFormat()
        self._text_block.setLineHeight(150, QtGui.QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
        self._prompt_format = QtGui.QTextCharFormat()
        self._prompt_format.setForeground(QtGui.QColor("#555"))
        self._prompt_format.setFontPointSize(13)
        self._token_format = QtGui.QTextCharFormat(self._prompt_format)
        self._token_format.setAnchor(True)
        self._token_format.setForeground(QtGui.QColor("#111"))
        self._build()
        self.timer = QtCore.QTimer(self, interval=REDRAW_MS)
        self.timer.timeout.connect(self.redraw)
        self.timer.start()
        self._update_buttons()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.prompt = QtWidgets.QPlainTextEdit("The meaning of life is")
        self.prompt.setMaximumHeight(70)
        self.greedy = QtWidgets.QCheckBox("greedy")
        self.greedy.setChecked(True)
        self.temperature = QtWidgets.QDoubleSpinBox(minimum=0.05, maximum=5.0, singleStep=0.05, value=0.8)
        self.top_k = QtWidgets.QSpinBox(minimum=0, maximum=100000, value=0, specialValueText="off")
        self.top_p = QtWidgets.QDoubleSpinBox(minimum=0.01, maximum=1.0, singleStep=0.05, value=1.0)
        self.seed = QtWidgets.QSpinBox(minimum=-1, maximum=2**31 - 1, value=0, specialValueText="random")
        self.max_tokens = QtWidgets.QSpinBox(minimum=1, maximum=100000, value=64)
        self.candidates_n = QtWidgets.QSpinBox(minimum=1, maximum=50, value=8)
        self.provider = QtWidgets.QComboBox()
        self.provider.addItem("auto", "auto")
        self.provider.addItem("CPU", "cpu")
        self.provider.addItem("CUDA", "cuda")
        if not cuda_possible():
            self.provider.model().item(2).setEnabled(False)
            self.provider.setItemData(2, "no NVIDIA GPU found", QtCore.Qt.ToolTipRole)
        self.provider.currentIndexChanged.connect(self._provider_changed)
        self.greedy.toggled.connect(self._update_buttons)

        form = QtWidgets.QFormLayout()
        form.addRow(self.greedy)
        form.addRow("temperature", self.temperature)
        form.addRow("top-k", self.top_k)
        form.addRow("top-p", self.top_p)
        form.addRow("seed", self.seed)
        form.addRow("max new tokens", self.max_tokens)
        form.addRow("candidates shown", self.candidates_n)
        form.addRow("provider", self.provider)

        self.step_btn = QtWidgets.QPushButton("Step")
        self.step_btn.setToolTip("Generate one token (F10)")
        self.step_btn.setShortcut("F10")
        self.run_btn = QtWidgets.QPushButton("Run")
        self.run_btn.setShortcut("F5")
        self.pause_btn = QtWidgets.QPushButton("Pause")
        self.stop_btn = QtWidgets.QPushButton("Stop")
        self.reset_btn = QtWidgets.QPushButton("Reset")
        self.step_btn.clicked.connect(lambda: self._go(1))
        self.run_btn.clicked.connect(lambda: self._go(0))
        self.pause_btn.clicked.connect(self.pause)
        self.stop_btn.clicked.connect(self.stop)
        self.reset_btn.clicked.connect(self.reset)
        buttons = QtWidgets.QGridLayout()
        for i, b in enumerate((self.step_btn, self.run_btn, self.pause_btn, self.stop_btn, self.reset_btn)):
            buttons.addWidget(b, i // 2, i % 2)
        self.status = QtWidgets.QLabel()
        self.status.setWordWrap(True)
        self.note = QtWidgets.QLabel()  # why ids may differ from the float model's
        self.note.setWordWrap(True)
        self.note.setTextFormat(QtCore.Qt.PlainText)
        self.note.setStyleSheet("color: #8a5a00")
        self.note.setVisible(False)

        left = QtWidgets.QWidget()
        ll = QtWidgets.QVBoxLayout(left)
        ll.addWidget(QtWidgets.QLabel("Prompt"))
        ll.addWidget(self.prompt)
        ll.addLayout(form)
        ll.addLayout(buttons)
        ll.addWidget(self.status)
        ll.addWidget(self.note)
        ll.addStretch(1)
        left.setMaximumWidth(300)

        self.output = QtWidgets.QTextBrowser()
        self.output.setOpenLinks(False)
        self.output.anchorClicked.connect(self._token_clicked)
        self.output.setPlaceholderText("Generated text appears here; click a token to see its candidates.")
        self.cand_title = QtWidgets.QLabel("Candidates")
        self.candidates = QtWidgets.QTableWidget(0, 3)
        self.candidates.setHorizontalHeaderLabels(["token", "probability", "id"])
        self.candidates.verticalHeader().setVisible(False)
        self.candidates.horizontalHeader().setSectionResizeMode(1, QtWidgets.QHeaderView.Stretch)
        self.candidates.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        mid = QtWidgets.QSplitter(QtCore.Qt.Vertical)
        mid.addWidget(self.output)
        cw = QtWidgets.QWidget()
        cl = QtWidgets.QVBoxLayout(cw)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(self.cand_title)
        cl.addWidget(self.candidates)
        mid.addWidget(cw)

        self.plots = pg.GraphicsLayoutWidget()
        self.lat_plot = self.plots.addPlot(row=0, col=0, title="latency per token (ms)")
        self.tps_plot = self.plots.addPlot(row=1, col=0, title="tokens / s")
        self.rss_plot = self.plots.addPlot(row=2, col=0, title="process RSS (MB)")
        self.gpu_plot = self.plots.addPlot(row=3, col=0, title="GPU memory (MB)")
        for p in (self.lat_plot, self.tps_plot, self.rss_plot, self.gpu_plot):
            p.setDownsampling(mode="peak")
            p.setClipToView(True)
        self.lat_curve = self.lat_plot.plot(pen=pg.mkPen(ACCENT, width=1.5))
        self.ttft_point = self.lat_plot.plot(pen=None, symbol="o", symbolBrush="#d62828", symbolSize=9)
        self.ttft_label = pg.TextItem(color="#d62828", anchor=(0, 1))
        self.lat_plot.addItem(self.ttft_label)
        self.tps_curve = self.tps_plot.plot(pen=pg.mkPen("#3b6ea8", width=1.5))
        self.rss_curve = self.rss_plot.plot(pen=pg.mkPen("#6a4c93", width=1.5))
        self.gpu_curve = self.gpu_plot.plot(pen=pg.mkPen("#e76f51", width=1.5))
        self.gpu_plot.setVisible(False)

        split = QtWidgets.QSplitter()
        split.addWidget(left)
        split.addWidget(mid)
        split.addWidget(self.plots)
        split.setStretchFactor(1, 3)
        split.setStretchFactor(2, 2)
        lay = QtWidgets.QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)

    # ------------------------------------------------------------------ model and worker
    def set_model(self, path: str | None, plan=None) -> None:
        """A new model (or none): stop and drop the old worker, clear the run.  `plan`: engine/plan.py."""
        self.shutdown()
        self.model_path, self.plan = path, plan
        note = plan.note if plan is not None else None
        self.note.setText(note or "")
        self.note.setVisible(bool(note))
        self.reset()

    def _provider_changed(self) -> None:
        if self.worker is not None and not self.running:
            self.shutdown()
        self._update_buttons()

    def _ensure_worker(self) -> bool:
        if self.worker is not None:
            return True
        if not self.model_path:
            return False
        self.worker = GenerationWorker(self.model_path, self.provider.currentData(), self.plan)
        self.thread = QtCore.QThread()
        self.worker.moveToThread(self.thread)
        self.worker.stepped.connect(self._on_step)
        self.worker.idle.connect(self._on_idle)
        self.worker.failed.connect(self._on_failed)
        self.worker.ready.connect(self._on_ready)
        self.request.connect(self.worker.start_run)
        self.thread.start()
        QtCore.QMetaObject.invokeMethod(self.worker, "open", QtCore.Qt.QueuedConnection)
        return True

    def shutdown(self) -> None:
        """Stop a run and end the worker thread (on close, on a new model, on a provider change)."""
        if self.worker is not None:
            self.worker.stop()
            try:
                self.request.disconnect(self.worker.start_run)
            except (RuntimeError, TypeError):
                pass
            for sig in (self.worker.stepped, self.worker.idle, self.worker.failed, self.worker.ready):
                try:
                    sig.disconnect()
                except (RuntimeError, TypeError):
                    pass
        reaper().retire(self.thread, self.worker)  # never blocks, never destroys a running thread
        self.worker = self.thread = None
        self.running = False
        self.provider_in_use = None

    # ------------------------------------------------------------------ actions
    def config(self) -> GenerationConfig:
        greedy = self.greedy.isChecked()
        sampling = SamplingConfig(greedy=greedy, temperature=self.temperature.value(),
                                  top_k=self.top_k.value() or None if not greedy else None,
                                  top_p=self.top_p.value() if self.top_p.value() < 1.0 and not greedy else None,
                                  seed=None if self.seed.value() < 0 else self.seed.value())
        return GenerationConfig(max_new_tokens=self.max_tokens.value(), sampling=sampling,
                                candidates=self.candidates_n.value())

    def _go(self, max_steps: int) -> None:
        if self.running or not self._ensure_worker():
            return
        fresh = self.result is None and not self.steps
        if self.result is not None and self.result.finish:
            self.reset()
            fresh = True
        prompt = None
        if fresh:
            self.prompt_text = self.prompt.toPlainText()
            prompt = self.prompt_text
        self.running = True
        self.status.setText("running…")
        self._update_buttons()
        self.request.emit(prompt, self.config(), max_steps)

    def run(self) -> None:
        self._go(0)

    def pause(self) -> None:
        if self.worker is not None:
            self.worker.pause()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()

    def reset(self) -> None:
        if self.running:
            self.stop()
            return
        self.steps, self.result, self.selected_step = [], None, None
        self.output.clear()
        self.candidates.setRowCount(0)
        self.cand_title.setText("Candidates")
        for c in (self.lat_curve, self.ttft_point, self.tps_curve, self.rss_curve, self.gpu_curve):
            c.setData([], [])
        self.ttft_label.setText("")
        self._ttft_shown = None
        self._rendered = (0, None, None)
        self.status.setText("")
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_model = bool(self.model_path)
        finished = self.result is not None and bool(self.result.finish)
        self.step_btn.setEnabled(has_model and not self.running)
        self.run_btn.setEnabled(has_model and not self.running)
        self.pause_btn.setEnabled(self.running)
        self.stop_btn.setEnabled(self.running)
        self.reset_btn.setEnabled(bool(self.steps) or finished)
        self.provider.setEnabled(not self.running)
        self.prompt.setReadOnly(self.running or (bool(self.steps) and not finished))
        for w in (self.temperature, self.top_k, self.top_p, self.seed):
            w.setEnabled(not self.greedy.isChecked())

    # ------------------------------------------------------------------ worker signals
    @QtCore.Slot(str)
    def _on_ready(self, provider: str) -> None:
        self.provider_in_use = provider
        self.gpu_plot.setVisible(provider == "cuda")

    @QtCore.Slot(object)
    def _on_step(self, step) -> None:
        if step.prefill:
            self.steps = []
        self.steps.append(step)
        self._dirty = True

    @QtCore.Slot(object)
    def _on_idle(self, result) -> None:
        self.running = False
        self.result = result
        if result is not None:
            m = result.metrics.summary()
            tps = f"{m['tokens_per_s']:.1f} tokens/s" if m["tokens_per_s"] else ""
            self.status.setText(
                f"{len(result.new_ids)} tokens on {result.provider}"
                + (f", finished: {result.finish}" if result.finish else ", paused")
                + (f"<br>time to first token {m['ttft_ms']:.1f} ms, {tps}" if m["ttft_ms"] is not None else ""))
            if result.finish:
                self.run_finished.emit(result)
        self._dirty = True
        self._update_buttons()

    @QtCore.Slot(str, str)
    def _on_failed(self, message: str, details: str) -> None:
        self.running = False
        self.status.setText("")
        self._update_buttons()
        self.error.emit(message, details)

    def _token_clicked(self, url: QtCore.QUrl) -> None:
        if url.scheme() == "tok":
            self.selected_step = int(url.path() or url.host() or 0)
            self._show_candidates(self.selected_step)
            self._render_output()

    # ------------------------------------------------------------------ drawing (timer)
    def redraw(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        self._render_output()
        if self.steps:
            self._show_candidates(self.selected_step if self.selected_step is not None else len(self.steps) - 1)
        self._plot()

    def _render_output(self) -> None:
        """New tokens are appended (a long run stays cheap); a new highlight or a new run re-renders."""
        shown, highlight, last = self._rendered
        cursor = self.output.textCursor()
        if not (shown and highlight == self.selected_step and shown <= len(self.steps)
                and self.steps[shown - 1] is last):
            self.output.clear()
            cursor = QtGui.QTextCursor(self.output.document())
            cursor.setBlockFormat(self._text_block)
            cursor.insertText(self.prompt_text, self._prompt_format)
            shown = 0
        cursor.movePosition(QtGui.QTextCursor.End)
        for s in self.steps[shown:]:
            fmt = QtGui.QTextCharFormat(self._token_format)
            bg = "#ffd166" if s.index == self.selected_step else ("#cdeae5" if s.index % 2 == 0 else "#e3f1ee")
            fmt.setBackground(QtGui.QColor(bg))
            fmt.setAnchorHref(f"tok:{s.index}")
            cursor.insertText(s.text.replace("\n", "↵\u2028"), fmt)  # a newline shown, in the same paragraph
        self.output.setTextCursor(cursor)
        self._rendered = (len(self.steps), self.selected_step, self.steps[-1] if self.steps else None)

    def candidates_for(self, index: int) -> list[tuple[str, float, int, bool]]:
        """(token text, probability, id, chosen) for step `index`."""
        s = self.steps[index]
        gen = self.worker.gen if self.worker else None
        text = (lambda i: gen.token_text(i)) if gen else (lambda i: str(i))
        return [(text(i), p, i, i == s.id) for i, p in s.top]

    def _show_candidates(self, index: int) -> None:
        if not 0 <= index < len(self.steps):
            return
        s = self.steps[index]
        rows = self.candidates_for(index)
        self.cand_title.setText(f"Candidates at step {index + 1}: chose {s.text!r} with p = {s.prob:.3f}; "
                                f"entropy {s.entropy:.2f} bits")
        self.candidates.setRowCount(len(rows))
        for r, (text, p, tid, chosen) in enumerate(rows):
            tok = QtWidgets.QTableWidgetItem(repr(text)[1:-1])
            bar = self.candidates.cellWidget(r, 1)
            if bar is None:  # made once per row, then reused: a new widget per redraw costs a layout
                bar = QtWidgets.QProgressBar()
                bar.setRange(0, 1000)
                bar.setTextVisible(True)
                self.candidates.setCellWidget(r, 1, bar)
            bar.setValue(int(round(p * 1000)))
            bar.setFormat(f"{p:.3f}")
            idi = QtWidgets.QTableWidgetItem(str(tid))
            if chosen:
                for it in (tok, idi):
                    it.setBackground(QtGui.QColor("#ffd166"))
                    f = it.font()
                    f.setBold(True)
                    it.setFont(f)
            self.candidates.setItem(r, 0, tok)
            self.candidates.setItem(r, 2, idi)
        self.candidates.resizeColumnToContents(0)

    def series(self) -> dict[str, np.ndarray]:
        """The plotted data: x (step), latency, tokens/s (rolling), RSS and GPU MB."""
        n = len(self.steps)
        x = np.arange(1, n + 1, dtype=float)
        lat = np.array([s.latency_ms for s in self.steps], float)
        window = 8  # decode steps in the rolling mean (the prefill, step 1, is not one)
        tps = np.full(n, np.nan)
        if n > 1:
            c = np.concatenate(([0.0], np.cumsum(lat[1:])))  # c[j]: the first j decode latencies summed
            end = np.arange(1, n)
            start = np.maximum(end - window, 0)
            tps[1:] = 1000.0 * (end - start) / (c[end] - c[start])
        rss = np.array([s.rss / 2**20 for s in self.steps], float)
        gpu = np.array([np.nan if s.gpu is None else s.gpu / 2**20 for s in self.steps], float)
        return {"x": x, "latency_ms": lat, "tokens_per_s": tps, "rss_mb": rss, "gpu_mb": gpu}

    def _plot(self) -> None:
        d = self.series()
        if not len(d["x"]):
            return
        self.lat_curve.setData(d["x"][1:], d["latency_ms"][1:])
        if self._ttft_shown != d["latency_ms"][0]:
            self._ttft_shown = d["latency_ms"][0]
            self.ttft_point.setData(d["x"][:1], d["latency_ms"][:1])
            self.ttft_label.setText(f"TTFT {d['latency_ms'][0]:.1f} ms")
            self.ttft_label.setPos(1, d["latency_ms"][0])
        self.tps_curve.setData(d["x"][1:], d["tokens_per_s"][1:])
        self.rss_curve.setData(d["x"], d["rss_mb"])
        if np.isfinite(d["gpu_mb"]).any():
            self.gpu_plot.setVisible(True)
            self.gpu_curve.setData(d["x"], d["gpu_mb"])
