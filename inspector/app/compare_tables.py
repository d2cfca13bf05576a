"""The Compare tab's tables: cells that sort by their number, and a table whose columns fit what they hold
(columns.py) with headers said in the tab's words."""

from __future__ import annotations

from . import i18n
from .columns import NAME_WAYS, ColumnFit, compact_rows
from .qt_compat import QtCore, QtWidgets


class SortItem(QtWidgets.QTableWidgetItem):
    """A cell that sorts by its number where it has one (a size sorts by bytes, not by its text)."""

    def __lt__(self, other) -> bool:
        a, b = self.data(QtCore.Qt.UserRole), other.data(QtCore.Qt.UserRole)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return a < b
        return self.text() < other.text()


def item(value, text: str | None = None) -> QtWidgets.QTableWidgetItem:
    """A cell showing `text` (else the value), sorted and right-aligned by `value` where it is a number."""
    cell = SortItem(text if text is not None else str(value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.setData(QtCore.Qt.UserRole, value)
        cell.setTextAlignment(QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
    return cell


def table(columns: list[str], elastic: int = 0, floor_chars: int | None = None, ways=NAME_WAYS,
          context: str = "CompareView") -> QtWidgets.QTableWidget:
    """`columns`: the headers' source texts (QT_TRANSLATE_NOOP'd under `context`); `elastic`: the column that
    takes what the others leave and gives way first."""
    t = QtWidgets.QTableWidget(0, len(columns))
    t.setHorizontalHeaderLabels([i18n.translate(context, c) for c in columns])
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
    t.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectRows)
    t.setSelectionMode(QtWidgets.QAbstractItemView.SingleSelection)
    t.horizontalHeader().setStretchLastSection(True)
    t.setWordWrap(False)
    compact_rows(t)
    # names take what the numbers leave: columns.py
    t.fit = ColumnFit(t, t.horizontalHeader(), elastic=elastic, ways=ways,
                      **({"floor_chars": floor_chars} if floor_chars else {}))
    return t
