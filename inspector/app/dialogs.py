"""The window's small dialogs: choosing a model file or folder, and Help's guide, shortcuts and About."""

from __future__ import annotations

from .qt_compat import QtCore, QtGui, QtWidgets
from .tabs import TABS

FILE_DIALOG_SIZE = (900, 560)


QT_TRANSLATE_NOOP = QtCore.QT_TRANSLATE_NOOP  # under this name lupdate finds the strings; shown translated
GUIDE_TITLE = QT_TRANSLATE_NOOP("MainWindow", "Quick Guide")
GUIDE = QT_TRANSLATE_NOOP(
    "MainWindow",
    "<h3>GPT Inspector in five steps</h3><ol>"
    "<li><b>Open</b> a model: File → Open (a .onnx file), File → Open Export Folder (a Hugging Face, "
    "transformers.js or onnxruntime-genai folder), or drop either on the window.</li>"
    "<li><b>Overview</b>: the architecture, the exact count of weights and biases, what they would take "
    "in memory, and how this model compares in size with well-known ones.</li>"
    "<li><b>Layers</b>: every layer and tensor, sortable; pick one for its histogram and statistics, or "
    "compare all blocks. <b>Graph</b>: the nodes each tensor was found through.</li>"
    "<li><b>Generate</b>: type a prompt, then Step (F10) one token at a time or Run (F5); click a token "
    "for the candidates it was chosen from, and double-click another candidate to continue the run from "
    "there with it. Tick “read the inside” and the <b>Inside</b> tab shows "
    "where each token looked and what each block would have said; right-click a head or a box there to switch "
    "it off and see what changes, and “What Each Head Does” reads every head's role.</li>"
    "<li><b>Compare</b> two models or every file of a folder (where the output drifts block by block, and "
    "which file to take; double-click a file for its own comparison); <b>Cost</b> shows the memory and speed a "
    "context needs here and on common GPUs; <b>File → Export Report</b> (Ctrl+E) keeps it all as HTML, PDF, "
    "Markdown or JSON.</li></ol>")
SHORTCUTS_TITLE = QT_TRANSLATE_NOOP("MainWindow", "Keyboard Shortcuts")
SHORTCUTS = (QT_TRANSLATE_NOOP("MainWindow", "Open a model"), QT_TRANSLATE_NOOP("MainWindow", "Show a tab"),
             QT_TRANSLATE_NOOP("MainWindow", "Generate one token (Step)"),
             QT_TRANSLATE_NOOP("MainWindow", "Generate until the run ends (Run)"),
             QT_TRANSLATE_NOOP("MainWindow", "Export a report"),
             QT_TRANSLATE_NOOP("MainWindow", "Compare with another model"),
             QT_TRANSLATE_NOOP("MainWindow", "Move between controls"), QT_TRANSLATE_NOOP("MainWindow", "Quit"))
ABOUT_TITLE = QT_TRANSLATE_NOOP("MainWindow", "About GPT Inspector")
ABOUT = QT_TRANSLATE_NOOP(
    "MainWindow",
    "<b>GPT Inspector {version}</b><p>What the parameters of an ONNX GPT are, and what running them costs: an "
    "exact census of its weights and biases by block and role, their histograms, and its graph; step-by-step "
    "generation with the candidates of every token, branches from any of them, and live latency and memory; "
    "what happens inside a step (attention, the logit lens); comparisons of two models or of every variant of "
    "a folder; and reports in HTML, PDF, Markdown, JSON and CSV.</p>")
FILTERS = (QT_TRANSLATE_NOOP("MainWindow", "ONNX models (*.onnx)"), QT_TRANSLATE_NOOP("MainWindow", "All files (*)"))


def _tr(text: str) -> str:
    return QtCore.QCoreApplication.translate("MainWindow", text)


def ask_model_path(parent, title: str, start: str, folder: bool = False) -> str:
    """A file dialog wide enough for its columns (Qt's own dialog, where there is no native one, opens narrow)."""
    dialog = QtWidgets.QFileDialog(parent, title, start)
    if folder:
        dialog.setFileMode(QtWidgets.QFileDialog.Directory)
        dialog.setOption(QtWidgets.QFileDialog.ShowDirsOnly, True)
    else:
        dialog.setFileMode(QtWidgets.QFileDialog.ExistingFile)
        dialog.setNameFilters([_tr(f) for f in FILTERS])
    screen = (parent.screen() if parent is not None else QtWidgets.QApplication.primaryScreen()).availableGeometry()
    width, height = min(FILE_DIALOG_SIZE[0], screen.width()), min(FILE_DIALOG_SIZE[1], screen.height())
    dialog.resize(width, height)
    for view in dialog.findChildren(QtWidgets.QTreeView):
        view.header().resizeSection(0, width // 2)
    if dialog.exec() and dialog.selectedFiles():
        return dialog.selectedFiles()[0]
    return ""


def guide(parent) -> None:
    QtWidgets.QMessageBox.information(parent, _tr(GUIDE_TITLE), _tr(GUIDE))


def shortcuts(parent) -> None:
    native = QtGui.QKeySequence.NativeText
    keys = (QtGui.QKeySequence(QtGui.QKeySequence.Open).toString(native), f"Ctrl+1 … Ctrl+{len(TABS)}", "F10", "F5",
            "Ctrl+E", "Ctrl+Shift+C", "Tab / Shift+Tab",
            QtGui.QKeySequence(QtGui.QKeySequence.Quit).toString(native) or "Ctrl+Q")
    table = "".join(f"<tr><td><b>{k}</b></td><td>&nbsp;&nbsp;{_tr(v)}</td></tr>" for k, v in zip(keys, SHORTCUTS))
    QtWidgets.QMessageBox.information(parent, _tr(SHORTCUTS_TITLE), f"<table>{table}</table>")


def about(parent) -> None:
    from .. import __version__

    QtWidgets.QMessageBox.about(parent, _tr(ABOUT_TITLE), _tr(ABOUT).format(version=__version__))
