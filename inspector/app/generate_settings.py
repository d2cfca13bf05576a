"""The Generate tab's left panel: the prompt, the sampling settings, the run buttons, the status and the note.

It shows a RunSettings and says when a person changes any of it (`edited`); it holds no run state (the view
tells it, through `show_state`)."""

from __future__ import annotations

from .. import palette
from ..engine.providers import cuda_possible
from .qt_compat import QtCore, QtWidgets
from .session import FINISHED, PAUSED, RUNNING, RunSettings

PANEL_WIDTH = 300
PROMPT_HEIGHT = 60
PROVIDERS = (("auto", "auto"), ("CPU", "cpu"), ("CUDA", "cuda"))


class GenerationSettings(QtWidgets.QWidget):
    edited = QtCore.Signal(object)  # RunSettings, as a person changed them
    step_clicked = QtCore.Signal()
    run_clicked = QtCore.Signal()
    pause_clicked = QtCore.Signal()
    stop_clicked = QtCore.Signal()
    reset_clicked = QtCore.Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.prompt = QtWidgets.QPlainTextEdit()
        self.prompt.setFixedHeight(PROMPT_HEIGHT)
        self.prompt.setTabChangesFocus(True)  # Tab moves on, as everywhere else in the window
        self.greedy = QtWidgets.QCheckBox(self.tr("greedy"))
        self.temperature = QtWidgets.QDoubleSpinBox(minimum=0.05, maximum=5.0, singleStep=0.05)
        self.top_k = QtWidgets.QSpinBox(minimum=0, maximum=100000, specialValueText=self.tr("off"))
        self.top_p = QtWidgets.QDoubleSpinBox(minimum=0.01, maximum=1.0, singleStep=0.05)
        self.seed = QtWidgets.QSpinBox(minimum=-1, maximum=2**31 - 1, specialValueText=self.tr("random"))
        self.max_tokens = QtWidgets.QSpinBox(minimum=1, maximum=100000)
        self.candidates_n = QtWidgets.QSpinBox(minimum=1, maximum=50)
        self.stop_at_eos = QtWidgets.QCheckBox(self.tr("stop at the end-of-text token"))
        self.inside = QtWidgets.QCheckBox(self.tr("read the inside (attention, logit lens)"))
        self.inside.setToolTip(self.tr("Steps also read where each token looked and what each block would have said; "
                                       "they run a probed copy of the model, a little slower. See the Inside tab."))
        self.provider = QtWidgets.QComboBox()
        for label, key in PROVIDERS:
            self.provider.addItem(label, key)
        if not cuda_possible():
            cuda = self.provider.findData("cuda")
            self.provider.model().item(cuda).setEnabled(False)
            self.provider.setItemData(cuda, self.tr("no NVIDIA GPU found"), QtCore.Qt.ToolTipRole)
        self.greedy.toggled.connect(self._sampling_enabled)
        self.prompt.textChanged.connect(self._edited)
        for box in (self.greedy, self.stop_at_eos, self.inside):
            box.toggled.connect(self._edited)
        for spin in (self.temperature, self.top_k, self.top_p, self.seed, self.max_tokens, self.candidates_n):
            spin.valueChanged.connect(self._edited)
        self.provider.currentIndexChanged.connect(self._edited)

        form = QtWidgets.QFormLayout()
        form.setVerticalSpacing(3)  # the whole panel fits a 720-pixel-high window without scrolling
        form.setContentsMargins(0, 0, 0, 0)
        tips = (
            (self.greedy, self.tr("Always take the most probable token (the same text every time). "
                                  "Off: draw from the distribution shaped by the settings below.")),
            (self.temperature, self.tr("Divides the logits before the softmax: below 1 sharpens the distribution, "
                                       "above 1 flattens it.")),
            (self.top_k, self.tr("Draw only from the k most probable tokens (off: all of them).")),
            (self.top_p, self.tr("Draw only from the most probable tokens whose probabilities add up to p "
                                 "(nucleus sampling; 1: all of them).")),
            (self.seed, self.tr("The random generator's seed: the same seed gives the same text (random: a new one "
                                "each run).")),
            (self.max_tokens, self.tr("The run ends after this many new tokens.")),
            (self.candidates_n, self.tr("How many of the most probable tokens each step lists.")),
            (self.stop_at_eos, self.tr("End the run when the model chooses its end-of-text token.")),
            (self.provider, self.tr("Where onnxruntime runs the model: auto takes the GPU when there is one.")),
        )
        for widget, tip in tips:
            widget.setToolTip(tip)
        form.addRow(self.greedy)
        form.addRow(self.tr("temperature"), self.temperature)
        form.addRow(self.tr("top-k"), self.top_k)
        form.addRow(self.tr("top-p"), self.top_p)
        form.addRow(self.tr("seed"), self.seed)
        form.addRow(self.tr("max new tokens"), self.max_tokens)
        form.addRow(self.tr("candidates shown"), self.candidates_n)
        form.addRow(self.stop_at_eos)
        form.addRow(self.inside)
        form.addRow(self.tr("provider"), self.provider)

        self.step_btn = QtWidgets.QPushButton(self.tr("Step"))
        self.step_btn.setToolTip(self.tr("Generate one token (F10)"))
        self.step_btn.setShortcut("F10")
        self.run_btn = QtWidgets.QPushButton(self.tr("Run"))
        self.run_btn.setToolTip(self.tr("Generate until the run ends (F5)"))
        self.run_btn.setShortcut("F5")
        self.pause_btn = QtWidgets.QPushButton(self.tr("Pause"))
        self.stop_btn = QtWidgets.QPushButton(self.tr("Stop"))
        self.reset_btn = QtWidgets.QPushButton(self.tr("Reset"))
        for button, signal in ((self.step_btn, self.step_clicked), (self.run_btn, self.run_clicked),
                               (self.pause_btn, self.pause_clicked), (self.stop_btn, self.stop_clicked),
                               (self.reset_btn, self.reset_clicked)):
            button.clicked.connect(signal)
        buttons = QtWidgets.QGridLayout()  # Step and Run above, Pause, Stop and Reset below
        buttons.setContentsMargins(0, 0, 0, 0)
        for col, b in ((0, self.step_btn), (3, self.run_btn)):
            buttons.addWidget(b, 0, col, 1, 3)
        for col, b in ((0, self.pause_btn), (2, self.stop_btn), (4, self.reset_btn)):
            buttons.addWidget(b, 1, col, 1, 2)
        self.status = QtWidgets.QLabel()
        self.status.setWordWrap(True)
        self.note = QtWidgets.QLabel()  # why ids may differ from the float model's
        self.note.setWordWrap(True)
        self.note.setTextFormat(QtCore.Qt.PlainText)
        self.note.setStyleSheet(f"color: {palette.NOTE}")
        self.note.setVisible(False)

        lay = QtWidgets.QVBoxLayout(self)
        lay.setSpacing(4)
        lay.addWidget(QtWidgets.QLabel(self.tr("Prompt")))
        lay.addWidget(self.prompt)
        lay.addLayout(form)
        lay.addLayout(buttons)
        lay.addWidget(self.status)
        lay.addWidget(self.note)
        lay.addStretch(1)
        self.setMaximumWidth(PANEL_WIDTH)
        self.show_settings(RunSettings())

    # ------------------------------------------------------------------ the settings shown
    def values(self) -> RunSettings:
        """What the controls say now."""
        provider = self.provider.currentData()
        return RunSettings(prompt=self.prompt.toPlainText(), greedy=self.greedy.isChecked(),
                           temperature=self.temperature.value(), top_k=self.top_k.value(), top_p=self.top_p.value(),
                           seed=self.seed.value(), max_tokens=self.max_tokens.value(),
                           candidates=self.candidates_n.value(), stop_at_eos=self.stop_at_eos.isChecked(),
                           inside=self.inside.isChecked(), provider=provider or self._shown.provider)

    def show_settings(self, settings: RunSettings) -> None:
        """Show `settings` (without saying `edited`: they came from the session)."""
        self._shown = settings
        widgets = (self.prompt, self.greedy, self.temperature, self.top_k, self.top_p, self.seed, self.max_tokens,
                   self.candidates_n, self.stop_at_eos, self.inside, self.provider)
        for w in widgets:
            w.blockSignals(True)
        try:
            if self.prompt.toPlainText() != settings.prompt:
                self.prompt.setPlainText(settings.prompt)
            self.greedy.setChecked(settings.greedy)
            self.temperature.setValue(settings.temperature)
            self.top_k.setValue(settings.top_k)
            self.top_p.setValue(settings.top_p)
            self.seed.setValue(settings.seed)
            self.max_tokens.setValue(settings.max_tokens)
            self.candidates_n.setValue(settings.candidates)
            self.stop_at_eos.setChecked(settings.stop_at_eos)
            self.inside.setChecked(settings.inside)
            i = self.provider.findData(settings.provider)
            if i >= 0 and self.provider.model().item(i).isEnabled():
                self.provider.setCurrentIndex(i)
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._sampling_enabled()

    def _edited(self) -> None:
        values = self.values()
        if values != self._shown:
            self._shown = values
            self.edited.emit(values)

    def set_note(self, note: str | None) -> None:
        self.note.setText(note or "")
        self.note.setVisible(bool(note))

    def show_state(self, has_model: bool, state: str, generated: int) -> None:
        """The buttons for the run's state; a paused run continues with the settings as they are then, except the
        prompt and the provider (a new run takes those) and a token limit it has already passed."""
        running, finished = state == RUNNING, state == FINISHED
        mid_run = state in (RUNNING, PAUSED)
        self.step_btn.setEnabled(has_model and not running)
        self.run_btn.setEnabled(has_model and not running)
        # after a finished run, Step and Run start a new one: they say so
        self.step_btn.setText(self.tr("Step (new run)") if finished else self.tr("Step"))
        self.run_btn.setText(self.tr("Run (new run)") if finished else self.tr("Run"))
        again = self.tr("The run has finished: this clears it and starts again from the prompt")
        self.step_btn.setToolTip(again + " (F10)" if finished else self.tr("Generate one token (F10)"))
        self.run_btn.setToolTip(again + " (F5)" if finished else self.tr("Generate until the run ends (F5)"))
        self.step_btn.setShortcut("F10")  # setText with no & keeps it, but be explicit
        self.run_btn.setShortcut("F5")
        self.pause_btn.setEnabled(running)
        self.stop_btn.setEnabled(running)
        self.reset_btn.setEnabled(state != "empty")
        self.provider.setEnabled(not mid_run)
        self.provider.setToolTip(self.tr("A run keeps where it runs: Reset it to choose another provider.") if mid_run
                                 else self.tr("Where onnxruntime runs the model: auto takes the GPU when there is one."))
        self.prompt.setReadOnly(mid_run)
        self.max_tokens.blockSignals(True)
        self.max_tokens.setMinimum(generated + 1 if state == PAUSED else 1)  # a limit it has passed: not offered
        self.max_tokens.blockSignals(False)
        self.max_tokens.setToolTip(
            self.tr("The run ends after this many new tokens; a paused run continues to the new limit "
                    "(it has {0} already).").format(generated) if state == PAUSED
            else self.tr("The run ends after this many new tokens."))
        self._sampling_enabled()

    def _sampling_enabled(self) -> None:
        for w in (self.temperature, self.top_k, self.top_p, self.seed):
            w.setEnabled(not self.greedy.isChecked())
