"""The line that says what is switched off (each part a link that switches it back on), how the comparison is
going, and the buttons to compare again or switch everything back on.  The Generate tab's side-by-side pane and
the Inside tab both show one; each listens to the session (session/ablation.py)."""

from __future__ import annotations

import html

from . import i18n
from .qt_compat import QtCore, QtWidgets

PROGRESS_STEPS = 1000


class AblationBar(QtWidgets.QWidget):
    """`go_to` (optional): a callable that shows the comparison elsewhere (the Inside tab's "Show in Generate")."""

    def __init__(self, ablation, go_to=None, hide_when_empty: bool = False, parent=None):
        super().__init__(parent)
        self.ablation = ablation
        self.hide_when_empty = hide_when_empty
        self.parts_label = QtWidgets.QLabel()
        self.parts_label.setWordWrap(True)
        self.parts_label.setTextInteractionFlags(QtCore.Qt.LinksAccessibleByMouse | QtCore.Qt.LinksAccessibleByKeyboard)
        self.parts_label.linkActivated.connect(self._link)
        self.parts_label.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
        self.progress = QtWidgets.QProgressBar(maximum=PROGRESS_STEPS, textVisible=False)
        self.progress.setFixedWidth(90)
        self.progress.setVisible(False)
        self.compare_btn = QtWidgets.QPushButton(self.tr("Compare Again"))
        self.compare_btn.setToolTip(self.tr("Run the intact and the switched-off model again with the Generate "
                                            "tab's prompt and settings as they are now"))
        self.compare_btn.clicked.connect(self._compare)
        self.cancel_btn = QtWidgets.QPushButton(self.tr("Cancel"))
        self.cancel_btn.clicked.connect(ablation.cancel_compare)
        self.clear_btn = QtWidgets.QPushButton(self.tr("Switch All Back On"))
        self.clear_btn.clicked.connect(ablation.clear)
        lay = QtWidgets.QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.parts_label, 1)
        lay.addWidget(self.progress)
        lay.addWidget(self.compare_btn)
        lay.addWidget(self.cancel_btn)
        lay.addWidget(self.clear_btn)
        self.show_btn = None
        if go_to is not None:
            self.show_btn = QtWidgets.QPushButton(self.tr("Show in Generate"))
            self.show_btn.setToolTip(self.tr("The intact and the switched-off runs side by side"))
            self.show_btn.clicked.connect(go_to)
            lay.addWidget(self.show_btn)
        for signal in (ablation.parts_changed, ablation.compare_progress, ablation.comparison_changed,
                       ablation.hooks_changed):
            signal.connect(self.refresh)
        ablation.failed.connect(self.refresh)
        self.refresh()

    def refresh(self, *_args) -> None:
        a = self.ablation
        parts = a.parts
        if parts:
            links = ", ".join(f'<a href="{i}">{html.escape(i18n.core(p.label))}</a>' for i, p in enumerate(parts))
            text = self.tr("<b>Switched off</b> (click one to switch it back on): {0}").format(links)
        else:
            text = self.tr("Nothing is switched off: right-click a head in the Inside tab's attention grid or heads "
                           "map, or an attention or MLP box of its model diagram, to switch it off and see what "
                           "changes.")
        if a.comparing is not None:
            fraction, what = a.comparing
            self.progress.setValue(int(fraction * PROGRESS_STEPS))
            phase = self.tr("running the intact model…") if what in ("", "intact") else self.tr(
                "running with the parts switched off…")
            text += f"<br><i>{html.escape(phase)}</i>"
        elif a.compare_error and parts:
            text += "<br>" + html.escape(a.compare_error)
        self.progress.setVisible(a.comparing is not None)
        self.cancel_btn.setVisible(a.comparing is not None)
        self.compare_btn.setVisible(a.comparing is None)
        self.parts_label.setText(text)
        self.compare_btn.setEnabled(bool(parts))
        self.clear_btn.setEnabled(bool(parts))
        if self.show_btn is not None:
            self.show_btn.setEnabled(bool(parts))
        if self.hide_when_empty:
            self.setVisible(bool(parts))

    def _link(self, href: str) -> None:
        parts = self.ablation.parts
        i = int(href)
        if 0 <= i < len(parts):
            self.ablation.switch(parts[i], off=False)

    def _compare(self) -> None:
        self.ablation.compare()
