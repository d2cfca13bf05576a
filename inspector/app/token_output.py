"""The generated text with every token marked and clickable (the Generate tab's middle, top); a token a person
chose instead of the model's (a branch) is marked apart."""

from __future__ import annotations

from .. import palette
from .qt_compat import QtCore, QtGui, QtWidgets

LINE_HEIGHT_PERCENT = 150
TEXT_POINTS = 13
NEWLINE_SHOWN = "↵\u2028"  # a newline inside a token, shown, in the same paragraph
PART_OF_A_CHARACTER = "\u2009"  # a token whose bytes complete no character yet: a thin, clickable sliver


class TokenOutput(QtWidgets.QTextBrowser):
    """`render` appends new tokens (a long run stays cheap) and re-renders only for a new highlight or run."""

    token_clicked = QtCore.Signal(int)  # the step's index

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.anchorClicked.connect(self._clicked)
        self.setPlaceholderText(self.tr("Generated text appears here; click a token to see its candidates."))
        self._rendered: tuple = (0, None, None)  # steps shown, the highlighted one, the last step shown
        self._block = QtGui.QTextBlockFormat()
        self._block.setLineHeight(LINE_HEIGHT_PERCENT, QtGui.QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
        self._prompt_format = QtGui.QTextCharFormat()
        self._prompt_format.setForeground(QtGui.QColor(palette.PROMPT_TEXT))
        self._prompt_format.setFontPointSize(TEXT_POINTS)
        self._token_format = QtGui.QTextCharFormat(self._prompt_format)
        self._token_format.setAnchor(True)
        self._token_format.setForeground(QtGui.QColor(palette.TOKEN_TEXT))

    def _clicked(self, url: QtCore.QUrl) -> None:
        if url.scheme() == "tok":
            self.token_clicked.emit(int(url.path() or url.host() or 0))

    def reset(self) -> None:
        self.clear()
        self._rendered = (0, None, None)

    def render(self, prompt: str, steps: list, selected: int | None) -> None:
        """Text is inserted as it is (spaces and tabs kept), each token a link to its step."""
        shown, highlight, last = self._rendered
        cursor = self.textCursor()
        if not (shown and highlight == selected and shown <= len(steps) and steps[shown - 1] is last):
            self.clear()
            cursor = QtGui.QTextCursor(self.document())
            cursor.setBlockFormat(self._block)
            cursor.insertText(prompt, self._prompt_format)
            shown = 0
        cursor.movePosition(QtGui.QTextCursor.End)
        for s in steps[shown:]:
            fmt = QtGui.QTextCharFormat(self._token_format)
            bg = palette.SELECTED if s.index == selected else palette.FORCED if s.forced else (
                palette.TOKEN_EVEN if s.index % 2 == 0 else palette.TOKEN_ODD)
            fmt.setBackground(QtGui.QColor(bg))
            if s.forced:  # a branch: a person chose this token; the run went on from it
                fmt.setFontUnderline(True)
                fmt.setUnderlineStyle(QtGui.QTextCharFormat.DashUnderline)
                fmt.setToolTip(self.tr("Step {0}: your choice; the model had chosen another token").format(
                    s.index + 1))
            fmt.setAnchorHref(f"tok:{s.index}")
            # the characters this token completes: a CJK character split over three tokens shows whole, once
            text = s.shown if s.shown or not s.text else PART_OF_A_CHARACTER
            cursor.insertText(text.replace("\n", NEWLINE_SHOWN), fmt)
        self.setTextCursor(cursor)
        self._rendered = (len(steps), selected, steps[-1] if steps else None)
