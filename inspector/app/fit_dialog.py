"""The "does not fit" dialog: the memory guard (inspector/plan/guard.py) stopped a run or a comparison before any
session was made; this says what it needs, what there is and what would fit, and lets a person run it anyway.

The app lives on either way: nothing was loaded, and "Cancel" leaves everything as it was.
"""

from __future__ import annotations

import html
import logging

from .. import units
from ..plan import messages as say
from . import i18n
from .qt_compat import QtCore, QtWidgets

log = logging.getLogger(__name__)
DIALOG_WIDTH = 520


class FitDialog(QtWidgets.QDialog):
    """A Verdict that does not fit, said in the interface's language; accepted means "Run anyway"."""

    def __init__(self, verdict, parent=None):
        super().__init__(parent)
        self.verdict = verdict
        self.setWindowTitle(self.tr("Not enough memory"))
        self.setModal(True)
        plans = verdict.plans or []
        both = len(plans) > 1
        needed, available = units.nbytes(verdict.needed_bytes), units.nbytes(verdict.available_bytes)
        # each model is planned at its own context at most (the core caps the run's at it)
        context = f"{max((p.context for p in plans), default=verdict.context):,}"
        if both:
            head = self.tr("These {0} models held at once need {1} of memory at {2} tokens of context, and {3} is "
                           "available.").format(len(plans), needed, context, available)
        elif verdict.where == "RAM":
            head = self.tr("This model needs {0} of memory at {1} tokens of context, and {2} is available."
                           ).format(needed, context, available)
        else:
            head = self.tr("This model needs {0} of GPU memory on {1} at {2} tokens of context, and {3} is free."
                           ).format(needed, verdict.where, context, available)
        self.headline = _label(f"<b>{_h(head)}</b>")
        rows = []
        for plan in plans:
            name = f"<tr><td colspan='2'><i>{_h(plan.model)}</i></td></tr>" if both else ""
            parts = ((self.tr("Weights"), plan.weights_bytes), (self.tr("KV cache"), plan.kv_cache_bytes),
                     (self.tr("Runtime"), plan.runtime_bytes))
            rows.append(name + "".join(f"<tr><td>{_h(a)}</td><td align='right'>{_h(units.nbytes(b))}</td></tr>"
                                       for a, b in parts))
        self.parts = _label(f"<table cellspacing='3'>{''.join(rows)}</table>")
        would = [i18n.core(alt) for alt in verdict.alternatives]
        if would:
            items = "".join(f"<li>{_h(w)}</li>" for w in would)
            would_fit = self.tr("What would fit:")
            fit_text = f"{_h(would_fit)}<ul style='margin-top:2px'>{items}</ul>"
        else:
            fit_text = _h(i18n.core(say.NOTHING_FITS()) if not both else self.tr(
                "Compare them one at a time with less text, or on a machine with more memory."))
        self.alternatives = _label(fit_text)
        self.warning = _label(_h(self.tr(
            "Running it anyway may make this machine swap for minutes, or the system may end the app and what is "
            "open in it.")))
        buttons = QtWidgets.QDialogButtonBox()
        self.cancel_button = buttons.addButton(QtWidgets.QDialogButtonBox.Cancel)
        self.run_button = buttons.addButton(self.tr("Run Anyway"), QtWidgets.QDialogButtonBox.AcceptRole)
        self.cancel_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        icon = QtWidgets.QLabel()
        icon.setPixmap(self.style().standardIcon(QtWidgets.QStyle.SP_MessageBoxWarning).pixmap(40, 40))
        icon.setAlignment(QtCore.Qt.AlignTop)
        text = QtWidgets.QVBoxLayout()
        for w in (self.headline, self.parts, self.alternatives, self.warning):
            text.addWidget(w)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(text, 1)
        lay = QtWidgets.QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(buttons)
        self.setMinimumWidth(DIALOG_WIDTH)


class FitWatch(QtCore.QObject):
    """Shows the dialog when the session's run or comparison is refused, and runs it anyway when asked (made by the
    window, so it goes with the window: a rebuilt window makes its own)."""

    def __init__(self, window: QtWidgets.QWidget, session):
        super().__init__(window)
        self.window, self.session = window, session
        self.dialog: FitDialog | None = None
        session.run.refused.connect(self._run_refused)
        session.comparison.refused.connect(self._comparison_refused)

    @QtCore.Slot(object)
    def _run_refused(self, verdict) -> None:
        self._ask(verdict, self.session.run.run_anyway)

    @QtCore.Slot(object)
    def _comparison_refused(self, verdict) -> None:
        self._ask(verdict, self.session.comparison.run_anyway)

    def _ask(self, verdict, run_anyway) -> None:
        log.warning("%s", verdict.message)
        if QtWidgets.QApplication.instance().property("inspector_headless"):
            return  # screenshot runs log it instead of waiting on a dialog
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = FitDialog(verdict, self.window)
        self.dialog.accepted.connect(run_anyway)
        self.dialog.open()


def _label(text: str) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(text)
    label.setTextFormat(QtCore.Qt.RichText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
    return label


def _h(text: str) -> str:
    return html.escape(str(text), quote=False)
