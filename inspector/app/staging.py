"""Showing a model in small steps, a few per event-loop turn, so the window repaints between them.

Each view's `fill(census)` is a generator that yields after a bounded piece of work (a card,
a plot, a few tree rows).  The stager runs steps until its time budget for the turn is spent,
or a step yields PAINT (its result costs a paint: a plot), then gives the event loop a pause,
long enough for that paint and the user's input, before the next turn.  Filling a GPT-2-small model in one go held the GUI thread for 60-90 ms; in steps no
turn holds it long (bench/gui_stall_bench.py).
"""

from __future__ import annotations

import logging
import time
from typing import Callable, Iterable, Iterator

from ..errors import plain_message
from . import gui_pulse
from .qt_compat import QtCore

log = logging.getLogger(__name__)
PAINT = object()  # yielded by a step whose result should be painted before the next step runs
BUDGET_S = 0.008  # work per turn
PAUSE_MS = 15  # between turns: 0 would run before the paint that the last step asked for


class Stager(QtCore.QObject):
    """Runs a queue of step generators on the GUI thread; `start` replaces any queue in progress."""

    finished = QtCore.Signal()
    failed = QtCore.Signal(str)

    def __init__(self, parent: QtCore.QObject | None = None, budget_s: float = BUDGET_S, pause_ms: int = PAUSE_MS):
        super().__init__(parent)
        self.budget_s = budget_s
        self._queue: list[Iterator] = []
        self._timer = QtCore.QTimer(self, singleShot=True, interval=pause_ms)
        self._timer.timeout.connect(self._turn)

    @property
    def busy(self) -> bool:
        return bool(self._queue)

    def start(self, steps: Iterable[Iterator | Callable[[], None]]) -> None:
        """Queue `steps` (generators, or plain callables as one step each) and run the first turn now."""
        self._queue = [s if isinstance(s, Iterator) else _once(s) for s in steps]
        self._timer.stop()
        gui_pulse.hold(self, True)  # workers give way until the queue is done (gui_pulse.py)
        self._turn()

    def append(self, steps: Iterable[Iterator | Callable[[], None]]) -> None:
        """Queue more steps after those waiting (or run them now when nothing waits)."""
        idle = not self._queue
        self._queue += [s if isinstance(s, Iterator) else _once(s) for s in steps]
        if idle:
            self._timer.stop()
            gui_pulse.hold(self, True)
            self._turn()

    def cancel(self) -> None:
        self._queue = []
        self._timer.stop()
        gui_pulse.hold(self, False)

    def _turn(self) -> None:
        end = time.perf_counter() + self.budget_s
        while self._queue:
            try:
                if next(self._queue[0]) is PAINT:
                    break
            except StopIteration:
                self._queue.pop(0)
            except Exception as exc:  # noqa: BLE001 - a view that cannot show this model says so, the rest go on
                self._queue.pop(0)
                log.exception("showing the model")
                self.failed.emit(plain_message(exc, self.tr("Could not show part of the model")))
            if time.perf_counter() >= end:
                break
        if self._queue:
            self._timer.start()
        else:
            gui_pulse.hold(self, False)
            self.finished.emit()


def _once(fn: Callable[[], None]) -> Iterator:
    fn()
    yield
