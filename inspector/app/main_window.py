"""The main window: the tabs (tabs.py) over a Session, the menus, the status bar, drops, error dialogs, and its
own size and place on the screen.

The window holds no model, run or comparison of its own: they live in the Session (session/), which it can be
rebuilt around (View → Language) without losing anything a person did.
"""

from __future__ import annotations

import gc
import importlib
import logging
from importlib import resources
from pathlib import Path

from .. import units
from ..errors import InspectorError
from . import dialogs, gui_pulse, i18n
from .elided_label import ElidedLabel
from .fit_dialog import FitWatch
from .fonts import install_fonts
from .qt_compat import QtCore, QtGui, QtWidgets
from .session import Session
from .splitters import KeptSplitter
from .staging import Stager
from .tabs import TABS
from .variant_dialog import VariantDialog

log = logging.getLogger(__name__)
_windows: set = set()  # windows made by a language switch, kept alive (nothing else holds them)
WINDOW_SIZE = (1440, 900)  # the first size, where the screen has room for it
STATUS_MS = 8000  # how long a status-bar message stays
PROGRESS_WIDTH, PROGRESS_STEPS = 200, 1000
FRAME_SETTLE_MS = (0, 300)  # a window manager frames a new window a moment after it is shown


def app_icon() -> QtGui.QIcon:
    with resources.as_file(resources.files("inspector") / "assets" / "icon.svg") as p:
        return QtGui.QIcon(str(p))


def fit_rect(rect: QtCore.QRect, screen: QtCore.QRect, minimum: QtCore.QSize) -> QtCore.QRect:
    """`rect` moved (and shrunk, not below `minimum`) so that it lies within `screen`."""
    w = max(min(rect.width(), screen.width()), minimum.width())
    h = max(min(rect.height(), screen.height()), minimum.height())
    x = min(max(rect.x(), screen.x()), screen.x() + max(0, screen.width() - w))
    y = min(max(rect.y(), screen.y()), screen.y() + max(0, screen.height() - h))
    return QtCore.QRect(x, y, w, h)


def _settle_heap() -> None:
    """Once a process, when its first window is built: what exists by then (modules, classes, that window's widgets,
    about 100,000 objects) lives as long as the app, and is moved out of the garbage collector's full passes.  Each
    pass (release_memory when a worker is reaped, or Python's own) walked all of it on the GUI thread: 40-60 ms."""
    if not _settled:
        _settled.append(True)
        gc.collect()
        gc.freeze()


_settled: list = []


def _view_class(spec: str):
    module, name = spec.split(":")
    return getattr(importlib.import_module(f"{__package__}.{module}"), name)


class MainWindow(QtWidgets.QMainWindow):
    counts_shown = QtCore.Signal(object)  # Census: counts, architecture, scale and graph are on screen
    model_loaded = QtCore.Signal(object)  # Census: and every statistic and histogram too
    load_failed = QtCore.Signal(str)

    def __init__(self, settings: QtCore.QSettings | None = None, session: Session | None = None):
        super().__init__()
        gui_pulse.start()  # workers give way while this thread is busy (gui_pulse.py)
        install_fonts()
        self.settings = settings or QtCore.QSettings("GPT Inspector", "GPT Inspector")
        self.session = session or Session(self.settings)
        self.replaced_by: MainWindow | None = None
        self._replacing = False
        self.keep_size = False  # sized on purpose (--size, a screenshot): not fitted to the screen
        self.stager = Stager(self)
        self.stager.failed.connect(self.show_error)
        self.setWindowTitle("GPT Inspector")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)

        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setDocumentMode(True)
        self.views: dict[str, QtWidgets.QWidget] = {}
        for tab in TABS:
            view = _view_class(tab.view)(self.session)
            self.views[tab.key] = view
            self.tabs.addTab(view, self.tr(tab.title))
        self.setCentralWidget(self.tabs)

        self.progress = QtWidgets.QProgressBar(maximumWidth=PROGRESS_WIDTH, maximum=PROGRESS_STEPS)
        self.progress_label = ElidedLabel()
        self.cancel_btn = QtWidgets.QPushButton(self.tr("Cancel"))
        self.cancel_btn.clicked.connect(self.cancel_load)
        sb = self.statusBar()
        sb.addPermanentWidget(self.progress_label, 1)
        sb.addPermanentWidget(self.progress)
        sb.addPermanentWidget(self.cancel_btn)
        self._build_menus()
        self._connect_session()
        self._restore_settings()
        self._show_session()
        _settle_heap()

    def __getattr__(self, name: str):
        """A tab's view by its key (window.layers): the table in tabs.py names them."""
        views = self.__dict__.get("views")
        if views is not None and name in views:
            return views[name]
        raise AttributeError(name)

    @property
    def census(self):
        return self.session.model.census

    # ------------------------------------------------------------------ the session
    def _connect_session(self) -> None:
        m, run, c = self.session.model, self.session.run, self.session.comparison
        m.loading.connect(self._show_loading)
        m.counted.connect(self._on_counted)
        m.statistics_ready.connect(self._on_statistics)
        m.failed.connect(self._on_failed)
        m.cancelled.connect(self._on_cancelled)
        m.recent_changed.connect(self._fill_recent)
        run.failed.connect(self.show_error)
        c.failed.connect(self.show_error)
        c.started.connect(self._comparison_started)
        self.session.go_to.connect(self.show_tab)
        self.fit_watch = FitWatch(self, self.session)  # a run or comparison that would not fit: a dialog

    def _comparison_started(self, _task) -> None:
        self.show_tab("compare")  # a comparison asked for, from any menu or view: its tab

    def _show_session(self) -> None:
        """A window built around a session that already holds a model (a rebuild): every view shows it again, and
        then what it was showing (its selection, its choices)."""
        self._show_loading(self.session.model.progress)
        census = self.session.model.census
        if census is not None:
            self._on_counted(census)
            if census.statistics_done:
                self._on_statistics(census)
        states = dict(self.session.views)
        if states:
            self.stager.append([lambda: self._restore_views(states)])

    def _restore_views(self, states: dict) -> None:
        for key, state in states.items():
            view = self.views.get(key)
            if view is not None and state is not None and hasattr(view, "restore_state"):
                view.restore_state(state)

    def keep_view_states(self) -> None:
        """What each view shows, into the session (before the window is rebuilt)."""
        self.session.views = {key: view.state() for key, view in self.views.items() if hasattr(view, "state")}
        self.session.views["__tab__"] = self.current_tab()

    def current_tab(self) -> str:
        return TABS[self.tabs.currentIndex()].key

    def show_tab(self, key: str) -> None:
        if key in self.views:
            self.tabs.setCurrentWidget(self.views[key])

    def rebuild_view(self, key: str) -> QtWidgets.QWidget:
        """Make one tab's view again (a new view module, a new language for it): it shows what the old one did."""
        old = self.views[key]
        state = old.state() if hasattr(old, "state") else None
        index = self.tabs.indexOf(old)
        current = self.tabs.currentIndex()
        view = _view_class(TABS[index].view)(self.session)
        self.views[key] = view
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, view, self.tr(TABS[index].title))
        self.tabs.setCurrentIndex(current)
        old.deleteLater()
        for split in view.findChildren(KeptSplitter):
            split.restore(self.settings)
        if hasattr(view, "restore_settings"):
            view.restore_settings(self.settings)
        census = self.session.model.census
        steps = []
        if census is not None and hasattr(view, "fill"):
            steps.append(view.fill(census))
            if census.statistics_done and hasattr(view, "finish_statistics"):
                steps.append(view.finish_statistics(census))
        if state is not None and hasattr(view, "restore_state"):
            steps.append(lambda: view.restore_state(state))
        self.stager.append(steps)
        return view

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
        self.compare_variants_action = file.addAction(self.tr("Compare &All Variants"),
                                                      self.session.comparison.compare_variants)
        self.compare_action.setEnabled(False)
        self.compare_variants_action.setEnabled(False)
        file.addSeparator()
        self.export_action = file.addAction(self.tr("&Export Report…"), self.export_report, "Ctrl+E")
        self.export_action.setEnabled(False)
        file.addSeparator()
        file.addAction(self.tr("&Quit"), self.close, QtGui.QKeySequence.Quit)
        view = self.menuBar().addMenu(self.tr("&View"))
        for i, tab in enumerate(TABS):
            view.addAction(self.tr(tab.title), lambda i=i: self.tabs.setCurrentIndex(i), f"Ctrl+{i + 1}")
        view.addSeparator()
        self.language_menu = view.addMenu(self.tr("&Language"))
        group = QtGui.QActionGroup(self)
        chosen = self.settings.value(i18n.SETTING, "system")
        for key, label, *_ in i18n.LANGUAGES:
            action = self.language_menu.addAction(label or self._system_language())
            action.setCheckable(True)
            action.setChecked(key == chosen)
            action.setData(key)
            group.addAction(action)
            action.triggered.connect(lambda _on=False, key=key: self.set_language(key))
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        help_menu.addAction(self.tr("Quick &Guide"), lambda: dialogs.guide(self), QtGui.QKeySequence.HelpContents)
        help_menu.addAction(self.tr("&Keyboard Shortcuts"), lambda: dialogs.shortcuts(self))
        help_menu.addSeparator()
        help_menu.addAction(self.tr("&About GPT Inspector"), lambda: dialogs.about(self))

    def _system_language(self) -> str:
        """The system entry names the system's language ("System (Deutsch)"); with no language (the C locale),
        just "System default"."""
        locale = QtCore.QLocale.system()
        if locale.language() in (QtCore.QLocale.C, QtCore.QLocale.AnyLanguage):
            return self.tr("System default")
        return self.tr("System ({0})").format(locale.nativeLanguageName() or QtCore.QLocale.languageToString(
            locale.language()))

    def set_language(self, key: str) -> "MainWindow":
        """Saved, then the window is made again in the new language around the same session: the model, the run,
        the inside data, the comparison and what every view shows stay.  Returns the new window.
        (Qt translates when a string is made: rebuilding is how every label, menu and tooltip changes.)"""
        if key == self.settings.value(i18n.SETTING, "system"):
            return self
        self.settings.setValue(i18n.SETTING, key)
        i18n.install(QtWidgets.QApplication.instance(), key)
        self.save_settings()
        self.keep_view_states()
        window = MainWindow(self.settings, self.session)
        window.restoreGeometry(self.saveGeometry())
        window.show_tab(self.current_tab())
        _windows.add(window)
        window.destroyed.connect(lambda *_: _windows.discard(window))
        self._replacing = True
        if self.isVisible():
            window.show()
        self.close()
        self.deleteLater()
        self.replaced_by = window
        return window

    # ------------------------------------------------------------------ recent models and variants
    def recent_files(self) -> list[str]:
        return self.session.model.recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_files()
        for p in recent:
            self.recent_menu.addAction(p, lambda p=p: self.open_model(p))
        if recent:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction(self.tr("Clear List"), self.session.model.clear_recent)
        self.recent_menu.setEnabled(bool(recent))

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

    # ------------------------------------------------------------------ opening
    def open_dialog(self) -> None:
        if path := dialogs.ask_model_path(self, self.tr("Open an ONNX model"), self._start_dir()):
            self.open_path(path)

    def open_folder_dialog(self) -> None:
        if path := dialogs.ask_model_path(self, self.tr("Open an export folder"), self._start_dir(folder=True),
                                          folder=True):
            self.open_path(path)

    def _start_dir(self, folder: bool = False) -> str:
        """Where the last model was: its folder for a file, the export folder itself for a folder."""
        last = self.settings.value("last_folder" if folder else "last_model", "")
        if last and Path(last).exists():
            return str(Path(last) if Path(last).is_dir() else Path(last).parent)
        return str(Path.home())

    def open_path(self, path: str | Path) -> VariantDialog | None:
        """Open what the user pointed at: a folder holding several model files asks which one first."""
        try:
            source = self.session.model.check(path)
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

    def open_model(self, path: str | Path, variant: str | None = None) -> None:
        """Start loading `path` off the GUI thread; any load in progress is cancelled."""
        self.session.model.open(path, variant)

    def cancel_load(self) -> None:
        self.session.model.cancel()

    def _show_loading(self, loading) -> None:
        busy = loading is not None
        self.progress.setVisible(busy)
        self.cancel_btn.setVisible(busy)
        if not busy:
            self.progress_label.set_full_text("")
            self._title()
            return
        self.setWindowTitle(self.tr("GPT Inspector — opening {file}…").format(file=loading.name))
        self.progress.setValue(int(loading.fraction * PROGRESS_STEPS))
        self.progress_label.set_full_text(f"{loading.name}: {i18n.progress(loading.message)}" if loading.message
                                          else self.tr("opening {file}…").format(file=loading.name))

    def _on_cancelled(self, name: str, shown: str) -> None:
        self.statusBar().showMessage(
            self.tr("Opening {file} was cancelled; still showing {shown}.").format(file=name, shown=shown) if shown
            else self.tr("Opening {file} was cancelled.").format(file=name), STATUS_MS)

    def _title(self) -> None:
        path = self.census.model.path if self.census is not None else None
        self.setWindowTitle(f"GPT Inspector — {path.parent.name}/{path.name}" if path else "GPT Inspector")

    def _on_counted(self, census) -> None:
        """The census without statistics (a second whatever the size): every view fills with the counts, the visible
        one first, each in steps; the statistics follow layer by layer (the views hear of them from the session)."""
        self._fill_variants(census)
        self._title()
        self.export_action.setEnabled(False)  # a report wants the statistics
        self.compare_action.setEnabled(True)
        self.compare_variants_action.setEnabled(self.session.comparison.folder is not None)
        self.statusBar().showMessage(self.tr("{count} parameters in {file}").format(
            count=f"{census.parameters:,}", file=census.model.path.name), STATUS_MS)
        views = [v for v in self.views.values() if hasattr(v, "fill")]
        current = self.tabs.currentWidget()
        views.sort(key=lambda v: v is not current)
        self.stager.start([v.fill(census) for v in views] + [lambda: self.counts_shown.emit(census)])

    def _on_statistics(self, census) -> None:
        """After whatever is still being shown: the statistics in every view that shows them, then model_loaded."""
        def done():
            self.export_action.setEnabled(True)
            self.model_loaded.emit(census)

        steps = [v.finish_statistics(census) for v in self.views.values() if hasattr(v, "finish_statistics")]
        self.stager.append(steps + [done])

    def _on_failed(self, message: str, details: str) -> None:
        self._title()
        self.load_failed.emit(message)
        self.show_error(message, details)

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
        self.views["compare"].ask_and_compare()

    def compare_with(self, path: str) -> None:
        """Compare the open model (A) with the model at `path` (B) in the Compare tab."""
        self.session.comparison.compare_with(path)

    def compare_all_variants(self) -> None:
        self.session.comparison.compare_variants()

    # ------------------------------------------------------------------ errors and the report
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

    def export_report(self):
        if self.census is None:
            return None
        from .report_dialog import ReportDialog

        run, comparison = self.session.run, self.session.comparison
        shown = run.snapshot().shown if run.selected is not None else None
        self.report_dialog = ReportDialog(self.census, run.result, self, settings=self.settings,
                                          attention_at=[shown] if shown is not None else None,
                                          comparison=comparison.result, heads=run.ablation.heads,
                                          budget=comparison.budget_bytes())
        self.report_dialog.exported.connect(
            lambda p: self.statusBar().showMessage(self.tr("report written to {path}").format(path=p), STATUS_MS))
        self.report_dialog.open()
        return self.report_dialog

    # ------------------------------------------------------------------ size, place and what is kept
    def _restore_settings(self) -> None:
        geometry = self.settings.value("window/geometry")
        if not (geometry and self.restoreGeometry(geometry)):
            screen = self._available()
            self.resize(min(WINDOW_SIZE[0], screen.width()), min(WINDOW_SIZE[1], screen.height()))
            self.move(screen.center() - self.rect().center())
        self.fit_to_screen()
        for split in self.findChildren(KeptSplitter):
            split.restore(self.settings)
        for view in self.views.values():
            if hasattr(view, "restore_settings"):
                view.restore_settings(self.settings)
        self.show_tab(self.session.views.get("__tab__") or str(self.settings.value("window/tab", TABS[0].key)))

    def _available(self) -> QtCore.QRect:
        screen = self.screen() or QtWidgets.QApplication.primaryScreen()
        return screen.availableGeometry()

    def fit_to_screen(self) -> None:
        """Within the screen it is on: a window saved on a larger screen, or partly off this one, is brought back."""
        if self.keep_size or self.isMaximized() or self.isFullScreen():
            return
        frame, inner = self.frameGeometry(), self.geometry()
        margins = QtCore.QMargins(inner.left() - frame.left(), inner.top() - frame.top(),
                                  frame.right() - inner.right(), frame.bottom() - inner.bottom())
        fitted = fit_rect(frame, self._available(), self.minimumSizeHint().grownBy(margins))
        if fitted != frame:
            self.setGeometry(fitted.marginsRemoved(margins))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not getattr(self, "_fitted", False):  # once the window manager has framed it: all of it on the screen
            self._fitted = True
            for delay in FRAME_SETTLE_MS:
                QtCore.QTimer.singleShot(delay, self.fit_to_screen)

    def save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/tab", self.current_tab())
        for split in self.findChildren(KeptSplitter):
            split.save(self.settings)  # only those that were laid out on screen
        for view in self.views.values():
            if hasattr(view, "save_settings"):
                view.save_settings(self.settings)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        self.save_settings()
        self.stager.cancel()
        if not self._replacing:  # the last window: the work ends and the model is closed
            self.session.close()
        super().closeEvent(event)
