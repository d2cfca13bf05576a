"""File → Export Report…: choose a format and a file; the report is gathered off the GUI thread."""

from __future__ import annotations

import html
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from .. import palette
from ..errors import Cancelled
from ..report.content import build_report
from ..report.formats import FORMATS, export
from . import pdf_writer  # noqa: F401 - registers the PDF writer with the core's formats
from ..messages import LANGUAGES as REPORT_LANGUAGES
from . import i18n
from .qt_compat import QtWidgets
from .workers import describe_error, reaper, start_in_thread

DIALOG_WIDTH = 560
PROGRESS_STEPS = 1000


class ReportWorker(QObject):
    progress = Signal(float, object)  # fraction, messages.Message
    built = Signal(object)
    failed = Signal(str, str)

    def __init__(self, census, run, attention_at: list[int] | None = None, comparison=None, lang: str = "en"):
        super().__init__()
        self.census, self.run_result, self.attention_at = census, run, attention_at
        self.comparison, self.lang = comparison, lang
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @Slot()
    def run(self) -> None:
        try:
            self.built.emit(build_report(self.census, self.run_result, self.progress.emit, self._cancel.is_set,
                                         attention_at=self.attention_at, comparison=self.comparison,
                                         lang=self.lang))
        except Cancelled:
            self.failed.emit("", "")
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(*describe_error(exc))


class ReportDialog(QtWidgets.QDialog):
    exported = Signal(str)

    def __init__(self, census, run=None, parent=None, attention_at: list[int] | None = None, comparison=None):
        """`attention_at`: with a run that read the inside, the steps whose attention the report draws.
        `comparison`: the Compare tab's result (a pair, or every variant), offered for the report."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export Report"))
        self.census, self.run_result, self.attention_at = census, run, attention_at
        self.comparison = comparison
        self.thread = self.worker = None
        self.format = QtWidgets.QComboBox()
        for name, fmt in FORMATS.items():
            self.format.addItem(i18n.core(fmt.label), name)
        self.language = QtWidgets.QComboBox()
        for key, label in REPORT_LANGUAGES.items():
            self.language.addItem(label, key)
        # the interface's language first: a Chinese window writes Chinese reports unless told otherwise
        self.language.setCurrentIndex(max(0, self.language.findData(i18n.report_language())))
        self.path = QtWidgets.QLineEdit(str(Path.home() / f"{census.model.path.parent.name}-report.html"))
        browse = QtWidgets.QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        self.include_run = QtWidgets.QCheckBox(self.tr("include the generation run on screen"))
        self.include_run.setChecked(run is not None)
        self.include_run.setEnabled(run is not None)
        if run is not None and run.inside:
            self.include_run.setText(
                self.tr("include the generation run on screen, its logit lens and the attention of step {0}").format(
                    ", ".join(str(i) for i in attention_at)) if attention_at else
                self.tr("include the generation run on screen, its logit lens and the attention of the first and the "
                        "last step"))
        self.include_compare = QtWidgets.QCheckBox(self.tr("include the comparison on screen (Compare tab)"))
        self.include_compare.setChecked(comparison is not None)
        self.include_compare.setEnabled(comparison is not None)
        self.progress = QtWidgets.QProgressBar(maximum=PROGRESS_STEPS)
        self.progress.setVisible(False)
        self.message = QtWidgets.QLabel()
        self.buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Cancel)
        self.export_btn = self.buttons.addButton(self.tr("Export"), QtWidgets.QDialogButtonBox.AcceptRole)
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.cancel)
        self.format.currentIndexChanged.connect(self._format_changed)
        form = QtWidgets.QFormLayout(self)
        form.addRow(self.tr("format"), self.format)
        form.addRow(self.tr("language"), self.language)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form.addRow(self.tr("file"), row)
        form.addRow(self.include_run)
        form.addRow(self.include_compare)
        form.addRow(self.progress)
        form.addRow(self.message)
        form.addRow(self.buttons)
        self.resize(DIALOG_WIDTH, self.sizeHint().height())

    def _format_changed(self) -> None:
        p = Path(self.path.text())
        self.path.setText(str(p.with_suffix(FORMATS[self.format.currentData()].extensions[0])))

    def _browse(self) -> None:
        fmt = FORMATS[self.format.currentData()]
        patterns = " ".join(f"*{ext}" for ext in fmt.extensions)
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, self.tr("Export report"), self.path.text(),
                                                        f"{i18n.core(fmt.label)} ({patterns})")
        if path:
            self.path.setText(path)

    def start(self) -> None:
        if self.thread is not None:
            return
        self.export_btn.setEnabled(False)
        self.progress.setVisible(True)
        self.worker = ReportWorker(self.census, self.run_result if self.include_run.isChecked() else None,
                                   self.attention_at, self.comparison if self.include_compare.isChecked() else None,
                                   self.language.currentData())
        self.worker.progress.connect(self._progress)  # a slot of this dialog: queued onto the GUI thread
        self.worker.built.connect(self._write)
        self.worker.failed.connect(self._failed)
        self.thread = start_in_thread(self.worker, self.worker.run)

    @Slot(float, object)
    def _progress(self, fraction: float, message) -> None:
        self.progress.setValue(int(fraction * PROGRESS_STEPS))
        self.message.setText(i18n.progress(message))

    def _finish_thread(self) -> None:
        reaper().retire(self.thread, self.worker)
        self.thread = self.worker = None

    @Slot(object)
    def _write(self, content) -> None:
        self._finish_thread()
        try:
            path = export(content, self.path.text(), self.format.currentData(),
                          protected=self.census.model.external_files)
        except Exception as exc:  # noqa: BLE001
            self._failed(*describe_error(exc))
            return
        self.exported.emit(str(path))
        self.accept()

    @Slot(str, str)
    def _failed(self, message: str, details: str) -> None:
        self._finish_thread()
        self.export_btn.setEnabled(True)
        self.progress.setVisible(False)
        self.message.setText(f"<span style='color:{palette.WARNING}'>{html.escape(message)}</span>" if message
                             else self.tr("cancelled"))

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self._finish_thread()
        self.reject()
