"""The main window: menus, tabs, drag and drop, progress with Cancel, and error dialogs."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from .. import units
from ..engine.metrics import release_memory
from . import i18n
from .compare_view import CompareView
from .fonts import install_fonts
from .generate_view import GenerateView
from .graph_view import GraphView
from .inside_view import InsideView
from .layers_view import LayersView
from .overview_view import OverviewView
from .qt_compat import QtCore, QtGui, QtWidgets
from ..errors import InspectorError, safe_text
from ..engine.plan import plan_for
from ..model.sources import open_source
from .staging import Stager
from .tabs import TABS
from .variant_dialog import VariantDialog
from .workers import LoadWorker, reaper, start_in_thread

log = logging.getLogger(__name__)
_windows: set = set()  # windows made by a language switch, kept alive (nothing else holds them)
MAX_RECENT = 10
WINDOW_SIZE = (1440, 900)
STATUS_MS = 8000  # how long a status-bar message stays
PROGRESS_WIDTH, PROGRESS_STEPS = 260, 1000
STATUS_TEXT_CHARS = 80
FILE_DIALOG_SIZE = (900, 560)
# the tabs' titles (tabs.py, which loads no Qt), marked here for the translation tools
TAB_TITLES = (QtCore.QT_TRANSLATE_NOOP("MainWindow", "Overview"), QtCore.QT_TRANSLATE_NOOP("MainWindow", "Layers"),
              QtCore.QT_TRANSLATE_NOOP("MainWindow", "Graph"), QtCore.QT_TRANSLATE_NOOP("MainWindow", "Generate"),
              QtCore.QT_TRANSLATE_NOOP("MainWindow", "Inside"), QtCore.QT_TRANSLATE_NOOP("MainWindow", "Compare"))


def app_icon() -> QtGui.QIcon:
    with resources.as_file(resources.files("inspector") / "assets" / "icon.svg") as p:
        return QtGui.QIcon(str(p))


class MainWindow(QtWidgets.QMainWindow):
    counts_shown = QtCore.Signal(object)  # Census: counts, architecture, scale and graph are on screen
    model_loaded = QtCore.Signal(object)  # Census: and every statistic and histogram too
    load_failed = QtCore.Signal(str)

    def __init__(self, settings: QtCore.QSettings | None = None):
        super().__init__()
        install_fonts()
        self.settings = settings or QtCore.QSettings("GPT Inspector", "GPT Inspector")
        self.census = None
        self.last_result = None
        self._serial = 0
        self._loads: dict[int, tuple[QtCore.QThread, LoadWorker]] = {}
        self._loading_path, self._loading_variant, self._loading_name = "", None, ""
        self._plan = None  # engine.plan.RunPlan of the model shown
        self.stager = Stager(self)
        self.stager.failed.connect(self.show_error)
        self.setWindowTitle("GPT Inspector")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.resize(*WINDOW_SIZE)
        if geometry := self.settings.value("window/geometry"):
            self.restoreGeometry(geometry)

        self.overview = OverviewView()
        self.layers = LayersView()
        self.graph = GraphView()
        self.generate = GenerateView()
        self.generate.error.connect(self.show_error)
        self.generate.run_finished.connect(lambda r: setattr(self, "last_result", r))
        self.inside = InsideView()
        self.inside.set_source(self.generate)
        self.generate.step_shown.connect(self.inside.show_step)
        self.generate.cleared.connect(self.inside.clear)
        self.inside.step_picked.connect(self.generate.select_step)
        self.inside.box_clicked.connect(self.show_in_layers)
        self.inside.turn_on.connect(self._turn_inside_on)
        self.compare = CompareView()
        self.compare.error.connect(self.show_error)
        self.compare.compare_with.connect(self.compare_with_dialog)
        self.compare.compare_variants.connect(self.compare_all_variants)
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setDocumentMode(True)
        views = {"overview": self.overview, "layers": self.layers, "graph": self.graph, "generate": self.generate,
                 "inside": self.inside, "compare": self.compare}
        for key, title in TABS:
            self.tabs.addTab(views[key], self.tr(title))
        self.setCentralWidget(self.tabs)

        self.progress = QtWidgets.QProgressBar(maximumWidth=PROGRESS_WIDTH, maximum=PROGRESS_STEPS)
        self.progress_label = QtWidgets.QLabel()
        self.cancel_btn = QtWidgets.QPushButton(self.tr("Cancel"))
        self.cancel_btn.clicked.connect(self.cancel_load)
        sb = self.statusBar()
        sb.addPermanentWidget(self.progress_label)
        sb.addPermanentWidget(self.progress)
        sb.addPermanentWidget(self.cancel_btn)
        self._set_busy(False)
        self._build_menus()
        for view in (self.layers, self.graph, self.generate):
            view.restore_settings(self.settings)

    # ------------------------------------------------------------------ menus
    def _build_menus(self) -> None:
        file = self.menuBar().addMenu(self.tr("&File"))
        self.open_action = file.addAction(self.tr("&Open…"), self.open_dialog, QtGui.QKeySequence.Open)
        self.open_folder_action = file.addAction(self.tr("Open Export &Folder…"), self.open_folder_dialog)
        self.variant_menu = file.addMenu(self.tr("Open &Variant"))
        self.variant_menu.setEnabled(False)
        self.recent_menu = file.addMenu(self.tr("Open &Recent"))
        self._fill_recent()
        self.reopen_action = file.addAction(self.tr("Reopen Last Model at Start"))
        self.reopen_action.setCheckable(True)
        self.reopen_action.setChecked(self.settings.value("reopen_last", False, type=bool))
        self.reopen_action.toggled.connect(lambda on: self.settings.setValue("reopen_last", on))
        file.addSeparator()
        self.compare_action = file.addAction(self.tr("&Compare With…"), self.compare_with_dialog, "Ctrl+Shift+C")
        self.compare_variants_action = file.addAction(self.tr("Compare All &Variants"), self.compare_all_variants)
        self.compare_action.setEnabled(False)
        self.compare_variants_action.setEnabled(False)
        file.addSeparator()
        self.export_action = file.addAction(self.tr("&Export Report…"), self.export_report, "Ctrl+E")
        self.export_action.setEnabled(False)
        file.addSeparator()
        file.addAction(self.tr("&Quit"), self.close, QtGui.QKeySequence.Quit)
        view = self.menuBar().addMenu(self.tr("&View"))
        for i, (_key, title) in enumerate(TABS):
            view.addAction(self.tr(title), lambda i=i: self.tabs.setCurrentIndex(i), f"Ctrl+{i + 1}")
        view.addSeparator()
        self.language_menu = view.addMenu(self.tr("&Language"))
        group = QtGui.QActionGroup(self)
        chosen = self.settings.value(i18n.SETTING, "system")
        for key, label, *_ in i18n.LANGUAGES:
            action = self.language_menu.addAction(label or self.tr("System ({0})").format(
                QtCore.QLocale.system().nativeLanguageName() or QtCore.QLocale.system().name()))
            action.setCheckable(True)
            action.setChecked(key == chosen)
            action.setData(key)
            group.addAction(action)
            action.triggered.connect(lambda _on=False, key=key: self.set_language(key))
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        help_menu.addAction(self.tr("Quick &Guide"), self._guide, QtGui.QKeySequence.HelpContents)
        help_menu.addAction(self.tr("&Keyboard Shortcuts"), self._shortcuts)
        help_menu.addSeparator()
        help_menu.addAction(self.tr("&About GPT Inspector"), self._about)

    def set_language(self, key: str) -> "MainWindow":
        """Saved, then the window is made again in the new language, with the same model and tab; returns it.
        (Qt translates when a string is made: rebuilding is how every label, menu and tooltip changes.)"""
        if key == self.settings.value(i18n.SETTING, "system"):
            return self
        self.settings.setValue(i18n.SETTING, key)
        i18n.install(QtWidgets.QApplication.instance(), key)
        self.save_settings()
        path = self.census.model.path if self.census is not None else None
        window = MainWindow(self.settings)
        window.restoreGeometry(self.saveGeometry())
        window.tabs.setCurrentIndex(self.tabs.currentIndex())
        window.generate.prompt.setPlainText(self.generate.prompt.toPlainText())
        _windows.add(window)
        window.destroyed.connect(lambda *_: _windows.discard(window))
        if self.isVisible():
            window.show()
        self.close()
        self.deleteLater()
        if path is not None:
            window.open_model(path)
        self.replaced_by = window
        return window

    def _guide(self) -> None:
        QtWidgets.QMessageBox.information(self, self.tr("Quick Guide"), self.tr(
            "<h3>GPT Inspector in five steps</h3><ol>"
            "<li><b>Open</b> a model: File → Open (a .onnx file), File → Open Export Folder (a Hugging Face, "
            "transformers.js or onnxruntime-genai folder), or drop either on the window.</li>"
            "<li><b>Overview</b>: the architecture, the exact count of weights and biases, what they would take "
            "in memory, and how this model compares in size with well-known ones.</li>"
            "<li><b>Layers</b>: every layer and tensor, sortable; pick one for its histogram and statistics, or "
            "compare all blocks. <b>Graph</b>: the nodes each tensor was found through.</li>"
            "<li><b>Generate</b>: type a prompt, then Step (F10) one token at a time or Run (F5); click a token "
            "for the candidates it was chosen from. Tick “read the inside” and the <b>Inside</b> tab shows "
            "where each token looked and what each block would have said.</li>"
            "<li><b>Compare</b> two models or every file of a folder, and <b>File → Export Report</b> "
            "(Ctrl+E) to keep it all as HTML, PDF, Markdown or JSON.</li></ol>"))

    def _shortcuts(self) -> None:
        rows = [(QtGui.QKeySequence(QtGui.QKeySequence.Open).toString(QtGui.QKeySequence.NativeText),
                 self.tr("Open a model")),
                ("Ctrl+1 … Ctrl+6", self.tr("Show a tab")),
                ("F10", self.tr("Generate one token (Step)")), ("F5", self.tr("Generate until the run ends (Run)")),
                ("Ctrl+E", self.tr("Export a report")), ("Ctrl+Shift+C", self.tr("Compare with another model")),
                ("Tab / Shift+Tab", self.tr("Move between controls")),
                (QtGui.QKeySequence(QtGui.QKeySequence.Quit).toString(QtGui.QKeySequence.NativeText) or "Ctrl+Q",
                 self.tr("Quit"))]
        table = "".join(f"<tr><td><b>{k}</b></td><td>&nbsp;&nbsp;{v}</td></tr>" for k, v in rows)
        QtWidgets.QMessageBox.information(self, self.tr("Keyboard Shortcuts"), f"<table>{table}</table>")

    def _about(self) -> None:
        from .. import __version__

        QtWidgets.QMessageBox.about(
            self, self.tr("About GPT Inspector"),
            self.tr("<b>GPT Inspector {version}</b><p>What the parameters of an ONNX GPT are, and what running them "
                    "costs: an exact census of weights and biases, their histograms, and step-by-step generation "
                    "with live latency and memory.</p>").format(version=__version__))

    def recent_files(self) -> list[str]:
        value = self.settings.value("recent", [])
        if isinstance(value, str):
            value = [value]
        return [v for v in (value or []) if isinstance(v, str)]

    def _remember(self, path: str, model_file: Path | None = None) -> None:
        """Once per model: the folder and its model file are the same entry (the latest way it was opened)."""
        model_file = (model_file or Path(path)).resolve()

        def same(p: str) -> bool:
            q = Path(p).resolve()
            return q == model_file or q == Path(path).resolve() or (q.is_dir() and model_file.is_relative_to(q))

        items = [path] + [p for p in self.recent_files() if not same(p)]
        self.settings.setValue("recent", items[:MAX_RECENT])
        self.settings.setValue("last_model", path)
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for p in self.recent_files():
            self.recent_menu.addAction(p, lambda p=p: self.open_model(p))
        if self.recent_files():
            self.recent_menu.addSeparator()
            self.recent_menu.addAction(self.tr("Clear List"), lambda: (self.settings.setValue("recent", []),
                                                              self._fill_recent()))
        self.recent_menu.setEnabled(bool(self.recent_files()))

    def _ask_path(self, title: str, start: str, folder: bool = False) -> str:
        """A file dialog wide enough for its columns (Qt's own dialog, where there is no native one, opens narrow)."""
        dialog = QtWidgets.QFileDialog(self, title, start)
        if folder:
            dialog.setFileMode(QtWidgets.QFileDialog.Directory)
            dialog.setOption(QtWidgets.QFileDialog.ShowDirsOnly, True)
        else:
            dialog.setFileMode(QtWidgets.QFileDialog.ExistingFile)
            dialog.setNameFilters([self.tr("ONNX models (*.onnx)"), self.tr("All files (*)")])
        dialog.resize(*FILE_DIALOG_SIZE)
        for view in dialog.findChildren(QtWidgets.QTreeView):
            view.header().resizeSection(0, FILE_DIALOG_SIZE[0] // 2)
        if dialog.exec() and dialog.selectedFiles():
            return dialog.selectedFiles()[0]
        return ""

    def open_dialog(self) -> None:
        if path := self._ask_path(self.tr("Open an ONNX model"), self._start_dir()):
            self.open_path(path)

    def open_folder_dialog(self) -> None:
        if path := self._ask_path(self.tr("Open an export folder"), self._start_dir(folder=True), folder=True):
            self.open_path(path)

    def _start_dir(self, folder: bool = False) -> str:
        """Where the last model was: its folder for a file, the export folder itself for a folder."""
        last = self.settings.value("last_folder" if folder else "last_model", "")
        if last and Path(last).exists():
            return str(Path(last) if Path(last).is_dir() else Path(last).parent)
        return str(Path.home())

    # ------------------------------------------------------------------ drag and drop
    def dragEnterEvent(self, event: QtGui.QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            event.acceptProposedAction()

    def dropEvent(self, event: QtGui.QDropEvent) -> None:
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            compare = event.modifiers() & (QtCore.Qt.ShiftModifier | QtCore.Qt.ControlModifier)
            if compare and self.census is not None:  # a second model dropped with Shift or Ctrl: compare with it
                self.compare_with(urls[0].toLocalFile())
            else:
                self.open_path(urls[0].toLocalFile())
            event.acceptProposedAction()

    # ------------------------------------------------------------------ comparing
    def compare_with_dialog(self) -> None:
        if self.census is None:
            return
        if path := self._ask_path(self.tr("Compare with another ONNX model"), str(self.census.model.path.parent)):
            self.compare_with(path)

    def compare_with(self, path: str) -> None:
        """Compare the open model (A) with the model at `path` (B) in the Compare tab."""
        from ..compare.run import compare

        if self.census is None:
            return
        a = self.census.model.path  # the worker reads A itself: the window may close this census meanwhile

        def make(prompt: str, tokens: int):
            return lambda progress, cancelled: compare(a, path, prompt or None, tokens, progress=progress,
                                                       cancelled=cancelled)

        self.compare.start(make, self.tr("A: {a}   B: {b}").format(a=safe_text(a.name, 60),
                                                                  b=safe_text(Path(path).name, 60)))
        self.tabs.setCurrentWidget(self.compare)

    def compare_all_variants(self) -> None:
        from ..compare.variants import compare_variants

        source = self.census.model.source if self.census is not None else None
        if source is None or len(source.variants) < 2:
            return
        root = source.root

        def make(prompt: str, tokens: int):
            return lambda progress, cancelled: compare_variants(root, prompt or None, tokens, progress=progress,
                                                                cancelled=cancelled)

        self.compare.start(make, self.tr("every file of {folder}").format(folder=safe_text(root.name, 60)))
        self.tabs.setCurrentWidget(self.compare)

    # ------------------------------------------------------------------ loading
    def open_path(self, path: str | Path) -> VariantDialog | None:
        """Open what the user pointed at: a folder holding several model files asks which one first."""
        try:
            source = open_source(path)
        except InspectorError as exc:
            message = i18n.describe_error(exc)[0]
            self.load_failed.emit(message)
            self.show_error(message)
            return None
        headless = QtWidgets.QApplication.instance().property("inspector_headless")
        if Path(path).is_dir() and len(source.variants) > 1 and not headless:
            dialog = VariantDialog(str(path), source.variants, parent=self)
            dialog.chosen.connect(lambda name: self.open_model(path, name))
            self.variant_dialog = dialog
            dialog.open()
            return dialog
        self.open_model(path)
        return None

    def _fill_variants(self, census) -> None:
        self.variant_menu.clear()
        source = census.model.source
        variants = source.variants if source else []
        for v in variants:
            action = self.variant_menu.addAction(f"{v.name}  ({v.dtype}, {units.nbytes(v.nbytes)})",
                                                 lambda v=v: self.open_model(source.root, v.name))
            action.setCheckable(True)
            action.setChecked(v.path == census.model.path)
        self.variant_menu.setEnabled(len(variants) > 1)

    def open_model(self, path: str | Path, variant: str | None = None) -> int:
        """Start loading `path` off the GUI thread; any load in progress is cancelled. Returns its serial."""
        self.cancel_load()
        self._serial += 1
        serial = self._serial
        worker = LoadWorker(serial, str(path), variant)
        worker.progress.connect(self._on_progress)
        worker.counted.connect(self._on_counted)
        worker.layer_ready.connect(self._on_layer_ready)
        worker.loaded.connect(self._on_statistics)
        worker.failed.connect(self._on_failed)
        worker.done.connect(self._on_done)
        self._loading_path, self._loading_variant = str(path), variant
        self._loading_name = safe_text(Path(path).name if not variant else f"{Path(path).name}/{variant}", 60)
        self.setWindowTitle(self.tr("GPT Inspector — opening {file}…").format(file=self._loading_name))
        self._set_busy(True, self.tr("opening {file}…").format(file=self._loading_name))
        self._loads[serial] = (start_in_thread(worker, worker.run), worker)
        return serial

    def cancel_load(self) -> None:
        """Cancel a load in progress; the window goes back to saying what it shows."""
        busy = any(w.outcome is None for _t, w in self._loads.values())
        for _thread, worker in self._loads.values():
            worker.cancel()
        self._set_busy(False)
        if busy:
            self._title()
            shown = self.census.model.path.name if self.census is not None else None
            self.statusBar().showMessage(
                self.tr("Opening {file} was cancelled; still showing {shown}.").format(
                    file=self._loading_name, shown=shown) if shown else
                self.tr("Opening {file} was cancelled.").format(file=self._loading_name), STATUS_MS)

    def _title(self) -> None:
        path = self.census.model.path if self.census is not None else None
        self.setWindowTitle(f"GPT Inspector — {path.parent.name}/{path.name}" if path else "GPT Inspector")

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.progress.setVisible(busy)
        self.cancel_btn.setVisible(busy)
        self.progress_label.setText(text)
        if busy:
            self.progress.setValue(0)

    @QtCore.Slot(int, float, object)
    def _on_progress(self, serial: int, fraction: float, message) -> None:
        if serial == self._serial:
            self.progress.setValue(int(fraction * PROGRESS_STEPS))
            self.progress_label.setText(f"{self._loading_name}: {i18n.progress(message)}"[:STATUS_TEXT_CHARS])

    @QtCore.Slot(int, object, object)
    def _on_counted(self, serial: int, census, plan=None) -> None:
        """The census without statistics (a second whatever the size): every view fills with the counts; the
        statistics follow layer by layer (`_on_layer_ready`), the histograms when all are in (`_on_statistics`)."""
        if serial != self._serial:
            return  # a stale load: a newer one was asked for
        old = self.census
        self.census = census
        self._plan = plan if plan is not None else plan_for(census)
        self.last_result = None
        self._remember(str(census.model.path) if self._loading_variant else self._loading_path, census.model.path)
        source = census.model.source
        self.settings.setValue("last_folder", str(source.root if source is not None else census.model.path.parent))
        self._fill_variants(census)
        self._title()
        # the old model's run and session go now, not after the new model's views are filled
        self.generate.set_model(str(census.model.path), self._plan)
        self.export_action.setEnabled(False)  # a report wants the statistics
        self.compare.set_model(census)
        self.compare_action.setEnabled(True)
        self.compare_variants_action.setEnabled(self.compare.variants_btn.isEnabled())
        self.statusBar().showMessage(self.tr("{count} parameters in {file}").format(
            count=f"{census.parameters:,}", file=census.model.path.name), STATUS_MS)
        if old is not None:
            old.model.close()  # its maps
            QtCore.QTimer.singleShot(0, release_memory)  # and the heap it freed, back to the system
        # the visible view first; each view fills in steps, and the window repaints between them
        views = [self.overview, self.layers, self.graph, self.inside]
        current = self.tabs.currentWidget()
        views.sort(key=lambda v: v is not current)
        self.stager.start([v.fill(census) for v in views] + [lambda: self.counts_shown.emit(census)])
        if census.statistics_done:  # a census that came with its statistics
            self._show_statistics(census)

    @QtCore.Slot(int, str)
    def _on_layer_ready(self, serial: int, name: str) -> None:
        if serial == self._serial and self.census is not None and (layer := self.census.layer(name)) is not None:
            self.layers.update_layer(layer)

    @QtCore.Slot(int)
    def _on_statistics(self, serial: int) -> None:
        if serial == self._serial and self.census is not None:
            self._show_statistics(self.census)

    def _show_statistics(self, census) -> None:
        """After whatever is still being shown: the statistics in every row, the histograms, then model_loaded."""
        def done():
            self.export_action.setEnabled(True)
            self.model_loaded.emit(census)

        self.stager.append([self.layers.finish_statistics(census), done])

    @QtCore.Slot(int, str, str)
    def _on_failed(self, serial: int, message: str, details: str) -> None:
        if serial != self._serial:
            return
        self._title()
        self.load_failed.emit(message)
        self.show_error(message, details)

    @QtCore.Slot(int)
    def _on_done(self, serial: int) -> None:
        thread, worker = self._loads.pop(serial, (None, None))
        reaper().retire(thread, worker)
        if serial == self._serial:
            self._set_busy(False)

    def show_in_layers(self, layer: str, tensor: str = "") -> None:
        """A box of the model's drawing was clicked: its layer (and tensor) in Layers."""
        self.layers.select(layer, tensor or None)
        self.tabs.setCurrentWidget(self.layers)

    def _turn_inside_on(self) -> None:
        self.generate.inside.setChecked(True)
        self.tabs.setCurrentWidget(self.generate)

    def show_error(self, message: str, details: str = "") -> None:
        """A clear one-line message; the technical details only when asked for."""
        log.warning("%s", message)
        if QtWidgets.QApplication.instance().property("inspector_headless"):
            return  # screenshot runs print errors instead of waiting on a dialog
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Warning, "GPT Inspector", message,
                                    QtWidgets.QMessageBox.Ok, self)
        if details:
            box.setDetailedText(details)
        self.error_box = box
        box.open()

    # ------------------------------------------------------------------ report
    def export_report(self) -> None:
        if self.census is None:
            return
        from .report_dialog import ReportDialog

        selected = self.generate.selected_step
        self.report_dialog = ReportDialog(self.census, self.generate.result or self.last_result, self,
                                          attention_at=[selected] if selected is not None else None,
                                          comparison=self.compare.result)
        self.report_dialog.exported.connect(
            lambda p: self.statusBar().showMessage(self.tr("report written to {path}").format(path=p), STATUS_MS))
        self.report_dialog.open()
        return self.report_dialog

    # ------------------------------------------------------------------ closing
    def save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        for view in (self.layers, self.graph, self.generate):
            view.save_settings(self.settings)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        self.save_settings()
        self.stager.cancel()
        self.generate.timer.stop()
        self.generate.shutdown()
        self.compare.cancel()
        for thread, worker in list(self._loads.values()):
            worker.cancel()
            for sig in (worker.progress, worker.counted, worker.layer_ready, worker.loaded, worker.failed,
                        worker.done):
                try:
                    sig.disconnect()
                except (RuntimeError, TypeError):
                    pass
            reaper().retire(thread, worker)  # a parse in progress ends on its own; the thread is kept till then
        self._loads.clear()
        if self.census is not None:
            self.census.model.close()
        super().closeEvent(event)
