"""Splitters that come back as a person left them, and start where each pane's content shows whole.

A splitter never laid out on screen has no sizes worth keeping (saving one that was never shown brought the
Generate tab back crushed on the next launch), so it is saved only once it has been; a saved state is applied
when the splitter is first laid out, and one that would squeeze a pane below what it needs is dropped for the
default positions.  The window saves and restores every KeptSplitter it holds, by key.
"""

from __future__ import annotations

from typing import Callable

from .qt_compat import QtCore, QtWidgets


class KeptSplitter(QtWidgets.QSplitter):
    def __init__(self, key: str, orientation=QtCore.Qt.Horizontal, parent=None):
        super().__init__(orientation, parent)
        self.key = key
        self.laid_out = False  # it has had a size on screen: its state means something
        self.default_sizes: Callable[[int], list[int] | None] | None = None  # total -> sizes, at the first layout
        self._saved = None
        self.kept = False  # showing a saved state, or a person has moved it: the defaults no longer apply
        self.splitterMoved.connect(self._moved)

    def _moved(self, *_args) -> None:
        self.kept = True

    # ------------------------------------------------------------------ kept between sessions
    def restore(self, settings: QtCore.QSettings) -> None:
        self._saved = settings.value(self.key) or None
        if self.laid_out and self._saved is not None:
            self._apply_saved()

    def save(self, settings: QtCore.QSettings) -> None:
        """Saved only once laid out; otherwise what was saved before stays."""
        if self.laid_out:
            settings.setValue(self.key, self.saveState())

    # ------------------------------------------------------------------ the first layout
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._first_layout()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._first_layout()

    def _first_layout(self) -> None:
        if not self.laid_out and self.isVisible() and self._total() > 0:
            self.laid_out = True
            if self._saved is None or not self._apply_saved():
                self.apply_defaults()

    def _total(self) -> int:
        return self.width() if self.orientation() == QtCore.Qt.Horizontal else self.height()

    def _needs(self, i: int) -> int:
        hint = self.widget(i).minimumSizeHint()
        need = hint.width() if self.orientation() == QtCore.Qt.Horizontal else hint.height()
        return max(need, 1)

    def _apply_saved(self) -> bool:
        """The saved positions, unless they squeeze a pane below its minimum (then False: the defaults apply)."""
        before = self.sizes()
        if not self.restoreState(self._saved):
            return False
        sizes = self.sizes()
        if sum(sizes) <= 0 or any(sizes[i] < self._needs(i) for i in range(self.count()) if self.widget(i).isVisible()):
            self.setSizes(before)
            return False
        self.kept = True
        return True

    def apply_defaults(self) -> None:
        if self.default_sizes is not None and (sizes := self.default_sizes(self._total())):
            self.setSizes(sizes)

    def content_changed(self) -> None:
        """The panes' content is in (a new model): the default positions again, unless a saved or dragged position
        is on show."""
        if self.laid_out and not self.kept:
            self.apply_defaults()
