"""What the GUI-stall benchmarks share: the window they drive, a 10 ms timer whose late ticks are the stalls, and
each phase's figures.  A stall is a gap between ticks beyond the period; the goal is the longest <= 50 ms."""

from __future__ import annotations

import os
import time
from pathlib import Path

GOAL_MS = 50.0


class StallClock:
    """The app's window (offscreen unless a display is set, its settings cleared: every round from the defaults)
    and the ticks of a 10 ms timer on its thread."""

    def __init__(self, ini_name: str, width: int, height: int):
        if not os.environ.get("DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from inspector.app.main_window import MainWindow
        from inspector.app.qt_compat import QtCore, QtWidgets

        self.QtCore = QtCore
        self.app = QtWidgets.QApplication([])
        settings = QtCore.QSettings(str(Path("/tmp") / ini_name), QtCore.QSettings.IniFormat)
        settings.clear()  # the app keeps each setting as it is made ("read the inside" included)
        self.window = MainWindow(settings)
        self.window.resize(width, height)
        self.window.show()
        self.stamps: list[float] = []
        self.timer = QtCore.QTimer(interval=10)
        self.timer.setTimerType(QtCore.Qt.PreciseTimer)
        self.timer.timeout.connect(lambda: self.stamps.append(time.perf_counter()))
        self.timer.start()
        self.wait(lambda: len(self.stamps) > 20, 5)

    def wait(self, condition, limit: float = 600.0) -> None:
        """Run the event loop until `condition()` or `limit` seconds."""
        end = time.perf_counter() + limit
        while not condition() and time.perf_counter() < end:
            self.app.processEvents(self.QtCore.QEventLoop.AllEvents, 5)
            time.sleep(0.001)

    def mark(self) -> int:
        return len(self.stamps)

    def gaps(self, since: int) -> list[float]:
        """The gaps between ticks since `mark()` gave `since`, in ms."""
        s = self.stamps[since:]
        return [(b - a) * 1000 for a, b in zip(s, s[1:])]


def figures(seconds: float, gaps: list[float]) -> dict:
    """A phase's figures for the round's JSON: its length, its ticks, the longest gap and the 99th percentile."""
    gaps = sorted(gaps) or [0.0]
    return {"seconds": seconds, "ticks": len(gaps), "longest": gaps[-1], "p99": gaps[int(0.99 * (len(gaps) - 1))]}


def verdict(median_ms: float) -> str:
    return "OK" if median_ms <= GOAL_MS else f"over the {GOAL_MS:.0f} ms goal"
