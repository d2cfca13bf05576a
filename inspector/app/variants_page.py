"""Compare All Variants: every file of the folder against the float one, in one table ranked by quality per byte
(compare.advice.rank), the recommendation for a memory budget above it (variants_advice.py), and the rows marked —
the file to take in bold, the one to avoid in the warning colour, files no better than another muted, a name its
storage contradicts flagged with an icon and its reason on hover.  Double-click a row: that file's own comparison.

Its words keep the Compare tab's translation context ("CompareView"): they were that view's before it was split.
"""

from __future__ import annotations

from .. import palette, units
from . import i18n
from .columns import TEXT_WAYS, text_width
from .compare_tables import item, table
from .drift_chart import peak_name
from .i18n import translate
from .qt_compat import QtCore, QtGui, QtWidgets
from .variants_advice import VariantsAdvice

ROW_ROLE = QtCore.Qt.UserRole + 1  # a row's compare.variants.VariantRow
QT_TRANSLATE_NOOP = QtCore.QT_TRANSLATE_NOOP
COLUMNS = [  # short headers (eleven columns fit 1024 px); each header's tooltip says it whole
    QT_TRANSLATE_NOOP("CompareView", "file"), QT_TRANSLATE_NOOP("CompareView", "size"),
    QT_TRANSLATE_NOOP("CompareView", "bits/param"), QT_TRANSLATE_NOOP("CompareView", "mean KL"),
    QT_TRANSLATE_NOOP("CompareView", "p99 KL"), QT_TRANSLATE_NOOP("CompareView", "top-1"),
    QT_TRANSLATE_NOOP("CompareView", "PPL B/A"), QT_TRANSLATE_NOOP("CompareView", "drift peak"),
    QT_TRANSLATE_NOOP("CompareView", "differs at"), QT_TRANSLATE_NOOP("CompareView", "tokens/s"),
    QT_TRANSLATE_NOOP("CompareView", "stored as")]
TIPS = [
    QT_TRANSLATE_NOOP("CompareView", "The model file, within the folder"),
    QT_TRANSLATE_NOOP("CompareView", "The file's bytes (its external data included)"),
    QT_TRANSLATE_NOOP("CompareView", "Bits per parameter as stored"),
    QT_TRANSLATE_NOOP("CompareView", "Mean KL(reference ‖ file) per token of the continuation, in nats"),
    QT_TRANSLATE_NOOP("CompareView", "The 99th percentile of the KL per token, in nats"),
    QT_TRANSLATE_NOOP("CompareView", "How often the file's top token is the reference's"),
    QT_TRANSLATE_NOOP("CompareView", "The file's perplexity on the text over the reference's (above 1: worse)"),
    QT_TRANSLATE_NOOP("CompareView", "Where the file's residual stream drifts from the reference's most"),
    QT_TRANSLATE_NOOP("CompareView", "The first position of the continuation where the file would choose another "
                                     "token (counted from 1)"),
    QT_TRANSLATE_NOOP("CompareView", "The file's own decode speed"),
    QT_TRANSLATE_NOOP("CompareView", "How the file stores its weights")]


class VariantsPage(QtWidgets.QWidget):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.title = QtWidgets.QLabel()
        self.title.setWordWrap(True)
        self.table = table(COLUMNS, elastic=len(COLUMNS) - 1, ways=TEXT_WAYS)  # the storage gives way
        for c, tip in enumerate(TIPS):
            self.table.horizontalHeaderItem(c).setToolTip(translate("CompareView", tip))
        self.table.setSortingEnabled(True)
        self.table.setToolTip(translate("CompareView", "Double-click a file to compare it with the reference, tensor "
                                                       "by tensor and token by token"))
        self.table.cellDoubleClicked.connect(self._opened)
        self.advice = VariantsAdvice(session.comparison.budget)
        self.advice.budget_changed.connect(session.comparison.set_budget)
        self.advice.advised.connect(self._mark)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.title)
        lay.addWidget(self.advice)
        lay.addWidget(self.table, 1)

    def show_rows(self, rows) -> None:
        """compare.variants.VariantRow list: the table in rank order (the reference first), advised and marked."""
        t = self.table
        self.title.setText(translate(
            "CompareView", "Every file of the folder against the float one, reading the same continuation and text, "
            "best per byte first: KL(reference ‖ file) per token, how often the top tokens agree, the perplexity "
            "ratio, the block where the drift grows most, and the file's own decode speed."))
        t.setSortingEnabled(False)
        t.horizontalHeader().setSortIndicator(-1, QtCore.Qt.AscendingOrder)  # ranked: the reference first
        ranked = sorted(rows, key=lambda r: (r.rank is None, r.rank or 0))
        t.setRowCount(len(ranked))
        reference = translate("CompareView", " (reference)")
        for r, v in enumerate(ranked):
            agree = units.percent(v.top1_agreement) if v.top1_agreement is not None else "–"
            first = None if v.first_divergence is None else v.first_divergence + 1  # counted from 1, as people do
            cells = [item(v.file + (reference if v.reference else "")), item(v.bytes, units.nbytes(v.bytes)),
                     item(v.bits_per_parameter, units.number(v.bits_per_parameter, 3)),
                     item(v.kl_mean, units.number(v.kl_mean, 3)), item(v.kl_p99, units.number(v.kl_p99, 3)),
                     item(v.top1_agreement, agree), item(v.ppl_ratio, units.number(v.ppl_ratio, 4)),
                     item(None, "–" if v.reference else peak_name(v.drift_peak)),
                     item(first, "–" if first is None else str(first)),
                     item(v.tokens_per_s, units.number(v.tokens_per_s, 4)), item(i18n.core(v.error or v.stored_as))]
            cells[-1].setToolTip(cells[-1].text())
            if v.error:
                cells[-1].setForeground(QtGui.QColor(palette.WARNING))
            cells[0].setData(ROW_ROLE, v)
            for col, cell in enumerate(cells):
                t.setItem(r, col, cell)
        self.advice.set_rows(rows)  # marks the rows (_mark)
        t.fit.set_content(self._widths())
        t.setSortingEnabled(True)

    def _widths(self) -> list[int]:
        """Each column's content width, measured in bold (the file to take is) with room for a flag's icon."""
        t = self.table
        bold = QtGui.QFont(t.font())
        bold.setBold(True)
        fm = QtGui.QFontMetrics(bold)
        widths = [text_width(fm, [t.item(r, c).text() for r in range(t.rowCount()) if t.item(r, c)])
                  for c in range(t.columnCount())]
        widths[0] += self.style().pixelMetric(QtWidgets.QStyle.PM_SmallIconSize) + 6
        return widths

    def _mark(self, advice) -> None:
        """The file to take in bold, the one to avoid in the warning colour, files no better than another muted, a
        flagged name with the warning icon; each file's tooltip says why."""
        t = self.table
        take, avoid = (advice.take, advice.avoid) if advice is not None else (None, None)
        warning = self.style().standardIcon(QtWidgets.QStyle.SP_MessageBoxWarning)
        for r in range(t.rowCount()):
            cell = t.item(r, 0)
            v = cell.data(ROW_ROLE) if cell is not None else None
            if v is None:
                continue
            why = []
            if v.rank is not None:
                why.append(translate("CompareView", "rank {0} by quality per byte").format(v.rank))
            if v.file == take:
                why.append(translate("CompareView", "the file to take (see above)"))
            if v.file == avoid:
                why.append(translate("CompareView", "the file to avoid (see above)"))
            if v.dominated_by:
                why.append(translate("CompareView", "no better than {0}: no larger and closer to the reference").format(
                    v.dominated_by))
            if v.flag is not None:
                why.append(i18n.core(v.flag))
            font = cell.font()
            font.setBold(v.file == take)
            colour = palette.WARNING if v.file == avoid else palette.MUTED if v.dominated_by else None
            for c in range(t.columnCount() - 1):  # "stored as" keeps its own colour (an error's)
                t.item(r, c).setFont(font)
                t.item(r, c).setData(QtCore.Qt.ForegroundRole, QtGui.QColor(colour) if colour else None)
            cell.setIcon(warning if v.flag is not None else QtGui.QIcon())
            cell.setToolTip("\n".join([v.file] + why))

    def _opened(self, row: int, _column: int = 0) -> None:
        """A file of the table compared with the reference on its own (the table stays, to go back to)."""
        cell = self.table.item(row, 0)
        v = cell.data(ROW_ROLE) if cell is not None else None
        if v is not None and not v.reference and not v.error:
            self.session.comparison.open_variant(v)
