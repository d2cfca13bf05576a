"""Graph: the nodes the census walked, grouped by layer and searchable, so a user sees why a tensor
was attributed where it was."""

from __future__ import annotations

from .qt_compat import QtCore, QtWidgets

COLUMNS = ["node", "op", "inputs", "outputs", "input shapes", "parameters"]
BATCH = 64  # nodes per fill step: a big graph never freezes the window


class GraphView(QtWidgets.QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.search = QtWidgets.QLineEdit()
        self.search.setPlaceholderText("search op type, node, input, output, shape or parameter…")
        self.search.setClearButtonEnabled(True)
        self.count = QtWidgets.QLabel()
        self.tree = QtWidgets.QTreeWidget()
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self._timer = QtCore.QTimer(self, singleShot=True, interval=150)  # filter after typing pauses
        self._timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._timer.start)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.tree, 1)
        self.rows = []
        self.filled = True
        self.tree.setColumnWidth(0, 340)
        self.tree.setColumnWidth(1, 150)

    def clear(self) -> None:
        self.tree.clear()
        self.rows = []
        self.count.setText("")

    def fill(self, census):
        """Steps: a batch of nodes at a time (`filled` turns True at the end)."""
        self.clear()
        self.rows = census.node_rows
        self.filled = False
        groups: dict[str, QtWidgets.QTreeWidgetItem] = {}
        for start in range(0, len(self.rows), BATCH):
            yield
            for row in self.rows[start:start + BATCH]:
                parent = groups.get(row.layer)
                if parent is None:
                    parent = groups[row.layer] = QtWidgets.QTreeWidgetItem([row.layer])
                    self.tree.addTopLevelItem(parent)
                item = QtWidgets.QTreeWidgetItem([row.name, row.op, ", ".join(row.inputs), ", ".join(row.outputs),
                                                  row.shapes, ", ".join(row.parameters)])
                item.setData(0, QtCore.Qt.UserRole, row)
                parent.addChild(item)
            self.count.setText(f"listing {min(start + BATCH, len(self.rows)):,} of {len(self.rows):,} nodes…")
        yield
        for parent in groups.values():
            parent.setText(1, f"{parent.childCount()} nodes")
        self.filled = True
        if self.search.text().strip():
            self.apply_filter()
        else:  # new rows are all shown already
            self.count.setText(f"{len(self.rows):,} of {len(self.rows):,} nodes")

    def apply_filter(self) -> int:
        """Hide nodes that do not match; returns how many are shown."""
        needle = self.search.text().strip()
        shown = 0
        for i in range(self.tree.topLevelItemCount()):
            parent = self.tree.topLevelItem(i)
            visible = 0
            for j in range(parent.childCount()):
                child = parent.child(j)
                ok = not needle or child.data(0, QtCore.Qt.UserRole).matches(needle)
                child.setHidden(not ok)
                visible += ok
            parent.setHidden(visible == 0)
            parent.setExpanded(bool(needle) and visible > 0)
            shown += visible
        self.count.setText(f"{shown:,} of {len(self.rows):,} nodes")
        return shown
