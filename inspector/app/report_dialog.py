"""File → Export Report…: choose a format and a file; the report is gathered off the GUI thread.  The format, the
language and the folder chosen are kept for the next report."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Signal, Slot

from .. import palette
from ..report.formats import FORMATS, export
from . import pdf_writer  # noqa: F401 - registers the PDF writer with the core's formats
from ..messages import LANGUAGES as REPORT_LANGUAGES
from . import i18n
from .qt_compat import QtCore, QtWidgets
from .workers import Job, ReportWorker, describe_error, end_job

DIALOG_WIDTH = 560
PROGRESS_STEPS = 1000


class ReportDialog(QtWidgets.QDialog):
    exported = Signal(str)

    def __init__(self, census, run=None, parent=None, attention_at: list[int] | None = None, comparison=None,
                 settings: QtCore.QSettings | None = None, heads=None, budget: int | None = None):
        """`attention_at`: with a run that read the inside, the steps whose attention the report draws (the engine's
        indices: 0 is step 1).  `comparison`: the Compare tab's result (a pair, or every variant), offered for the
        report.  `settings`: where the format, language and folder chosen last are kept.  `heads`: the Inside tab's
        reading of what each head does (engine/heads.py), offered for the report.  `budget`: the memory budget the
        variants' recommendation is for, as the Compare tab shows it."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export Report"))
        self.census, self.run_result, self.attention_at = census, run, attention_at
        self.comparison, self.heads, self.budget = comparison, heads, budget
        self.settings = settings
        self._job: Job | None = None
        kept = (lambda key, default: settings.value(key, default)) if settings is not None else (lambda _k, d: d)
        self.format = QtWidgets.QComboBox()
        for name, fmt in FORMATS.items():
            self.format.addItem(i18n.core(fmt.label), name)
        self.format.setCurrentIndex(max(0, self.format.findData(kept("report/format", "html"))))
        self.language = QtWidgets.QComboBox()
        for key, label in REPORT_LANGUAGES.items():
            self.language.addItem(label, key)
        # the language chosen last; else the interface's: a Chinese window writes Chinese reports
        self.language.setCurrentIndex(max(0, self.language.findData(kept("report/language", i18n.report_language()))))
        folder = Path(str(kept("report/folder", Path.home())))
        if not folder.is_dir():
            folder = Path.home()
        extension = FORMATS[self.format.currentData()].extensions[0]
        self.path = QtWidgets.QLineEdit(str(folder / f"{census.model.path.parent.name}-report{extension}"))
        browse = QtWidgets.QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        self.include_run = QtWidgets.QCheckBox(self.tr("include the generation run on screen"))
        self.include_run.setChecked(run is not None)
        self.include_run.setEnabled(run is not None)
        if run is not None and run.inside:
            self.include_run.setText(
                self.tr("include the generation run on screen, its logit lens and the attention of step {0}").format(
                    ", ".join(str(i + 1) for i in attention_at)) if attention_at else
                self.tr("include the generation run on screen, its logit lens and the attention of the first and the "
                        "last step"))
        self.include_compare = QtWidgets.QCheckBox(self.tr("include the comparison on screen (Compare tab)"))
        self.include_compare.setChecked(comparison is not None)
        self.include_compare.setEnabled(comparison is not None)
        self.include_heads = QtWidgets.QCheckBox(self.tr("include what each head does (Inside tab)"))
        self.include_heads.setChecked(heads is not None)
        self.include_heads.setEnabled(heads is not None)
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
        form.addRow(self.include_heads)
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
        if self._job is not None:
            return
        self.export_btn.setEnabled(False)
        self.progress.setVisible(True)
        self._keep_choices(Path(self.path.text()))  # the person's choices, kept whether or not this one is written
        worker = ReportWorker(self.census, self.run_result if self.include_run.isChecked() else None,
                              self.attention_at, self.comparison if self.include_compare.isChecked() else None,
                              self.language.currentData(), self.heads if self.include_heads.isChecked() else None,
                              self.budget)
        # slots of this dialog: queued onto the GUI thread
        self._job = Job(worker, worker.run, progress=self._progress, built=self._write, failed=self._failed)

    @Slot(float, object)
    def _progress(self, fraction: float, message) -> None:
        self.progress.setValue(int(fraction * PROGRESS_STEPS))
        self.message.setText(i18n.progress(message))

    def _finish_job(self) -> None:
        end_job(self._job)
        self._job = None

    def _keep_choices(self, path: Path) -> None:
        if self.settings is not None:
            self.settings.setValue("report/format", self.format.currentData())
            self.settings.setValue("report/language", self.language.currentData())
            self.settings.setValue("report/folder", str(path.parent))

    @Slot(object)
    def _write(self, content) -> None:
        self._finish_job()
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
        self._finish_job()
        self.export_btn.setEnabled(True)
        self.progress.setVisible(False)
        self.message.setText(f"<span style='color:{palette.WARNING}'>{html.escape(message)}</span>" if message
                             else self.tr("cancelled"))

    def cancel(self) -> None:
        self._finish_job()
        self.reject()
