"""Choose which model file of a folder to open, when it holds several (fp32, fp16, int8, q4 …)."""

from __future__ import annotations

from .. import units
from ..model.sources import Variant
from .qt_compat import QtCore, QtWidgets

DIALOG_WIDTH, DIALOG_BASE_HEIGHT, ROW_HEIGHT, ROWS_SHOWN = 520, 120, 26, 10


class VariantDialog(QtWidgets.QDialog):
    """A list of the folder's model files with dtype and size; the best one is preselected."""

    chosen = QtCore.Signal(str)  # the variant's name, relative to the folder

    def __init__(self, folder: str, variants: list[Variant], current: str | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Open a model file"))
        self.variants = variants
        label = QtWidgets.QLabel(self.tr("{0}\nholds {1} model files. Which one should be opened?").format(folder, len(variants)))
        label.setTextFormat(QtCore.Qt.PlainText)
        label.setWordWrap(True)
        self.table = QtWidgets.QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels([self.tr("file"), self.tr("dtype"), self.tr("size")])
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SingleSelection)
        for v in variants:
            item = QtWidgets.QTreeWidgetItem([v.name, v.dtype, units.nbytes(v.nbytes)])
            item.setTextAlignment(2, QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
            item.setData(0, QtCore.Qt.UserRole, v.name)
            self.table.addTopLevelItem(item)
        for col in range(3):
            self.table.resizeColumnToContents(col)
        pick = next((i for i, v in enumerate(variants) if v.name == current), 0)
        self.table.setCurrentItem(self.table.topLevelItem(pick))
        self.table.itemDoubleClicked.connect(lambda *_: self.accept())
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Open | QtWidgets.QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QtWidgets.QVBoxLayout(self)
        lay.addWidget(label)
        lay.addWidget(self.table)
        lay.addWidget(buttons)
        self.resize(DIALOG_WIDTH, DIALOG_BASE_HEIGHT + ROW_HEIGHT * min(len(variants), ROWS_SHOWN))

    def selected(self) -> str | None:
        item = self.table.currentItem()
        return item.data(0, QtCore.Qt.UserRole) if item is not None else None

    def accept(self) -> None:
        name = self.selected()
        super().accept()
        if name:
            self.chosen.emit(name)
