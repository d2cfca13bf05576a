"""The main window: menus, tabs, drag and drop, progress with Cancel, and error dialogs."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from .. import units
from .compare_view import CompareView
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
MAX_RECENT = 10
WINDOW_SIZE = (1440, 900)
STATUS_MS = 8000  # how long a status-bar message stays
PROGRESS_WIDTH, PROGRESS_STEPS = 260, 1000
STATUS_TEXT_CHARS = 80


def app_icon() -> QtGui.QIcon:
    with resources.as_file(resources.files("inspector") / "assets" / "icon.svg") as p:
        return QtGui.QIcon(str(p))


class MainWindow(QtWidgets.QMainWindow):
    counts_shown = QtCore.Signal(object)  # Census: counts, architecture, scale and graph are on screen
    model_loaded = QtCore.Signal(object)  # Census: and every statistic and histogram too
    load_failed = QtCore.Signal(str)

    def __init__(self, settings: QtCore.QSettings | None = None):
        super().__init__()
        self.settings = settings or QtCore.QSettings("GPT Inspector", "GPT Inspector")
        self.census = None
        self.last_result = None
        self._serial = 0
        self._loads: dict[int, tuple[QtCore.QThread, LoadWorker]] = {}
        self._loading_path, self._loading_variant = "", None
        self._plan = None  # engine.plan.RunPlan of the model shown
        self.stager = Stager(self)
        self.stager.failed.connect(self.show_error)
        self.setWindowTitle("GPT Inspector")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.resize(*WINDOW_SIZE)

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
            self.tabs.addTab(views[key], title)
        self.setCentralWidget(self.tabs)

        self.progress = QtWidgets.QProgressBar(maximumWidth=PROGRESS_WIDTH, maximum=PROGRESS_STEPS)
        self.progress_label = QtWidgets.QLabel()
        self.cancel_btn = QtWidgets.QPushButton("Cancel")
        self.cancel_btn.clicked.connect(self.cancel_load)
        sb = self.statusBar()
        sb.addPermanentWidget(self.progress_label)
        sb.addPermanentWidget(self.progress)
        sb.addPermanentWidget(self.cancel_btn)
        self._set_busy(False)
        self._build_menus()

    # ------------------------------------------------------------------ menus
    def _build_menus(self) -> None:
        file = self.menuBar().addMenu("&File")
        self.open_action = file.addAction("&Open…", self.open_dialog, QtGui.QKeySequence.Open)
        self.open_folder_action = file.addAction("Open Export &Folder…", self.open_folder_dialog)
        self.variant_menu = file.addMenu("Open &Variant")
        self.variant_menu.setEnabled(False)
        self.recent_menu = file.addMenu("Open &Recent")
        self._fill_recent()
        self.reopen_action = file.addAction("Reopen Last Model at Start")
        self.reopen_action.setCheckable(True)
        self.reopen_action.setChecked(self.settings.value("reopen_last", False, type=bool))
        self.reopen_action.toggled.connect(lambda on: self.settings.setValue("reopen_last", on))
        file.addSeparator()
        self.compare_action = file.addAction("&Compare With…", self.compare_with_dialog, "Ctrl+Shift+C")
        self.compare_variants_action = file.addAction("Compare All &Variants", self.compare_all_variants)
        self.compare_action.setEnabled(False)
        self.compare_variants_action.setEnabled(False)
        file.addSeparator()
        self.export_action = file.addAction("&Export Report…", self.export_report, "Ctrl+E")
        self.export_action.setEnabled(False)
        file.addSeparator()
        file.addAction("&Quit", self.close, QtGui.QKeySequence.Quit)
        view = self.menuBar().addMenu("&View")
        for i, (_key, title) in enumerate(TABS):
            view.addAction(title, lambda i=i: self.tabs.setCurrentIndex(i), f"Ctrl+{i + 1}")
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("&About GPT Inspector", self._about)

    def _about(self) -> None:
        from .. import __version__

        QtWidgets.QMessageBox.about(
            self, "About GPT Inspector",
            f"<b>GPT Inspector {__version__}</b><p>What the parameters of an ONNX GPT are, and what running them "
            "costs: an exact census of weights and biases, their histograms, and step-by-step generation with "
            "live latency and memory.</p>")

    def recent_files(self) -> list[str]:
        value = self.settings.value("recent", [])
        if isinstance(value, str):
            value = [value]
        return [v for v in (value or []) if isinstance(v, str)]

    def _remember(self, path: str) -> None:
        items = [path] + [p for p in self.recent_files() if p != path]
        self.settings.setValue("recent", items[:MAX_RECENT])
        self.settings.setValue("last_model", path)
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for p in self.recent_files():
            self.recent_menu.addAction(p, lambda p=p: self.open_model(p))
        if self.recent_files():
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear List", lambda: (self.settings.setValue("recent", []),
                                                              self._fill_recent()))
        self.recent_menu.setEnabled(bool(self.recent_files()))

    def open_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Open an ONNX model", self._start_dir(),
                                                        "ONNX models (*.onnx);;All files (*)")
        if path:
            self.open_path(path)

    def open_folder_dialog(self) -> None:
        path = QtWidgets.QFileDialog.getExistingDirectory(self, "Open an export folder", self._start_dir())
        if path:
            self.open_path(path)

    def _start_dir(self) -> str:
        last = self.settings.value("last_model", "")
        return str(Path(last).parent) if last else str(Path.home())

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
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Compare with another ONNX model",
                                                        str(self.census.model.path.parent),
                                                        "ONNX models (*.onnx);;All files (*)")
        if path:
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

        self.compare.start(make, f"A: {safe_text(a.name, 60)}   B: {safe_text(Path(path).name, 60)}")
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

        self.compare.start(make, f"every file of {safe_text(root.name, 60)}")
        self.tabs.setCurrentWidget(self.compare)

    # ------------------------------------------------------------------ loading
    def open_path(self, path: str | Path) -> VariantDialog | None:
        """Open what the user pointed at: a folder holding several model files asks which one first."""
        try:
            source = open_source(path)
        except InspectorError as exc:
            self.load_failed.emit(str(exc))
            self.show_error(str(exc))
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
        self._set_busy(True, f"opening {safe_text(Path(path).name, 60)}…")
        self._loads[serial] = (start_in_thread(worker, worker.run), worker)
        return serial

    def cancel_load(self) -> None:
        for _thread, worker in self._loads.values():
            worker.cancel()
        self._set_busy(False)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.progress.setVisible(busy)
        self.cancel_btn.setVisible(busy)
        self.progress_label.setText(text)
        if busy:
            self.progress.setValue(0)

    @QtCore.Slot(int, float, str)
    def _on_progress(self, serial: int, fraction: float, message: str) -> None:
        if serial == self._serial:
            self.progress.setValue(int(fraction * PROGRESS_STEPS))
            self.progress_label.setText(message[:STATUS_TEXT_CHARS])

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
        self._remember(str(census.model.path) if self._loading_variant else self._loading_path)
        self._fill_variants(census)
        self.setWindowTitle(f"GPT Inspector — {census.model.path.parent.name}/{census.model.path.name}")
        self.export_action.setEnabled(False)  # a report wants the statistics
        self.compare.set_model(census)
        self.compare_action.setEnabled(True)
        self.compare_variants_action.setEnabled(self.compare.variants_btn.isEnabled())
        self.statusBar().showMessage(f"{census.parameters:,} parameters in {census.model.path.name}", STATUS_MS)
        if old is not None:
            old.model.close()
        # the visible view first; each view fills in steps, and the window repaints between them
        views = [self.overview, self.layers, self.graph, self.inside]
        current = self.tabs.currentWidget()
        views.sort(key=lambda v: v is not current)
        self.stager.start([v.fill(census) for v in views] + [
            lambda: self.generate.set_model(str(census.model.path), self._plan),
            lambda: self.counts_shown.emit(census)])
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
        self.report_dialog.exported.connect(lambda p: self.statusBar().showMessage(f"report written to {p}", STATUS_MS))
        self.report_dialog.open()
        return self.report_dialog

    # ------------------------------------------------------------------ closing
    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
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
