"""The Generate tab's left panel: the prompt, the sampling settings, the run buttons, the status and the note."""

from __future__ import annotations

from .. import palette
from ..engine.generator import GenerationConfig
from ..engine.providers import cuda_possible
from ..engine.sampling import SamplingConfig
from .qt_compat import QtCore, QtWidgets

DEFAULT_PROMPT = "The meaning of life is"
PANEL_WIDTH = 300
PROMPT_HEIGHT = 70
PROVIDERS = (("auto", "auto"), ("CPU", "cpu"), ("CUDA", "cuda"))


class GenerationSettings(QtWidgets.QWidget):
    """Emits what the user asks for; holds no run state (the view tells it, through `show_state`)."""

    step_clicked = QtCore.Signal()
    run_clicked = QtCore.Signal()
    pause_clicked = QtCore.Signal()
    stop_clicked = QtCore.Signal()
    reset_clicked = QtCore.Signal()
    provider_changed = QtCore.Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.prompt = QtWidgets.QPlainTextEdit(DEFAULT_PROMPT)
        self.prompt.setMaximumHeight(PROMPT_HEIGHT)
        self.greedy = QtWidgets.QCheckBox("greedy")
        self.greedy.setChecked(True)
        self.temperature = QtWidgets.QDoubleSpinBox(minimum=0.05, maximum=5.0, singleStep=0.05, value=0.8)
        self.top_k = QtWidgets.QSpinBox(minimum=0, maximum=100000, value=0, specialValueText="off")
        self.top_p = QtWidgets.QDoubleSpinBox(minimum=0.01, maximum=1.0, singleStep=0.05, value=1.0)
        self.seed = QtWidgets.QSpinBox(minimum=-1, maximum=2**31 - 1, value=0, specialValueText="random")
        self.max_tokens = QtWidgets.QSpinBox(minimum=1, maximum=100000, value=64)
        self.candidates_n = QtWidgets.QSpinBox(minimum=1, maximum=50, value=8)
        self.stop_at_eos = QtWidgets.QCheckBox("stop at the end-of-text token")
        self.stop_at_eos.setChecked(True)
        self.inside = QtWidgets.QCheckBox("read the inside (attention, logit lens)")
        self.inside.setToolTip("Steps also read where each token looked and what each block would have said; "
                               "they run a probed copy of the model, a little slower. See the Inside tab.")
        self.provider = QtWidgets.QComboBox()
        for label, key in PROVIDERS:
            self.provider.addItem(label, key)
        if not cuda_possible():
            cuda = self.provider.findData("cuda")
            self.provider.model().item(cuda).setEnabled(False)
            self.provider.setItemData(cuda, "no NVIDIA GPU found", QtCore.Qt.ToolTipRole)
        self.provider.currentIndexChanged.connect(self.provider_changed)
        self.greedy.toggled.connect(self._sampling_enabled)

        form = QtWidgets.QFormLayout()
        form.addRow(self.greedy)
        form.addRow("temperature", self.temperature)
        form.addRow("top-k", self.top_k)
        form.addRow("top-p", self.top_p)
        form.addRow("seed", self.seed)
        form.addRow("max new tokens", self.max_tokens)
        form.addRow("candidates shown", self.candidates_n)
        form.addRow(self.stop_at_eos)
        form.addRow(self.inside)
        form.addRow("provider", self.provider)

        self.step_btn = QtWidgets.QPushButton("Step")
        self.step_btn.setToolTip("Generate one token (F10)")
        self.step_btn.setShortcut("F10")
        self.run_btn = QtWidgets.QPushButton("Run")
        self.run_btn.setToolTip("Generate until the run ends (F5)")
        self.run_btn.setShortcut("F5")
        self.pause_btn = QtWidgets.QPushButton("Pause")
        self.stop_btn = QtWidgets.QPushButton("Stop")
        self.reset_btn = QtWidgets.QPushButton("Reset")
        for button, signal in ((self.step_btn, self.step_clicked), (self.run_btn, self.run_clicked),
                               (self.pause_btn, self.pause_clicked), (self.stop_btn, self.stop_clicked),
                               (self.reset_btn, self.reset_clicked)):
            button.clicked.connect(signal)
        buttons = QtWidgets.QGridLayout()
        for i, b in enumerate((self.step_btn, self.run_btn, self.pause_btn, self.stop_btn, self.reset_btn)):
            buttons.addWidget(b, i // 2, i % 2)
        self.status = QtWidgets.QLabel()
        self.status.setWordWrap(True)
        self.note = QtWidgets.QLabel()  # why ids may differ from the float model's
        self.note.setWordWrap(True)
        self.note.setTextFormat(QtCore.Qt.PlainText)
        self.note.setStyleSheet(f"color: {palette.NOTE}")
        self.note.setVisible(False)

        lay = QtWidgets.QVBoxLayout(self)
        lay.addWidget(QtWidgets.QLabel("Prompt"))
        lay.addWidget(self.prompt)
        lay.addLayout(form)
        lay.addLayout(buttons)
        lay.addWidget(self.status)
        lay.addWidget(self.note)
        lay.addStretch(1)
        self.setMaximumWidth(PANEL_WIDTH)
        self._sampling_enabled()

    def config(self) -> GenerationConfig:
        greedy = self.greedy.isChecked()
        sampling = SamplingConfig(greedy=greedy, temperature=self.temperature.value(),
                                  top_k=self.top_k.value() or None if not greedy else None,
                                  top_p=self.top_p.value() if self.top_p.value() < 1.0 and not greedy else None,
                                  seed=None if self.seed.value() < 0 else self.seed.value())
        return GenerationConfig(max_new_tokens=self.max_tokens.value(), sampling=sampling,
                                candidates=self.candidates_n.value(), stop_at_eos=self.stop_at_eos.isChecked(),
                                inside=self.inside.isChecked())

    def set_note(self, note: str | None) -> None:
        self.note.setText(note or "")
        self.note.setVisible(bool(note))

    def show_state(self, has_model: bool, running: bool, has_steps: bool, finished: bool) -> None:
        self.step_btn.setEnabled(has_model and not running)
        self.run_btn.setEnabled(has_model and not running)
        self.pause_btn.setEnabled(running)
        self.stop_btn.setEnabled(running)
        self.reset_btn.setEnabled(has_steps or finished)
        self.provider.setEnabled(not running)
        self.prompt.setReadOnly(running or (has_steps and not finished))
        self._sampling_enabled()

    def _sampling_enabled(self) -> None:
        for w in (self.temperature, self.top_k, self.top_p, self.seed):
            w.setEnabled(not self.greedy.isChecked())
