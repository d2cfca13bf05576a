"""The GUI thread's pulse, so that long work on other threads gives way while the window is busy.

Python runs one thread at a time: a worker reading a giant model's statistics takes the interpreter for 5 ms turns,
and a view filling itself on the GUI thread (a graph of thousands of nodes, a chart laid out again) then takes twice
as long and the window stalls.  A timer on the GUI thread beats every 10 ms; a worker that finds the beat late (the
GUI thread is busy) sleeps one short turn, so the GUI thread has the interpreter to itself.  A beat that is very late
means the GUI thread is waiting (a dialog's own loop aside, on a worker to end): then nobody waits for it."""

from __future__ import annotations

import threading
import time

from .qt_compat import QtCore

BEAT_MS = 10
BUSY_S = 0.02  # a beat this late: the GUI thread is working
WAITING_S = 0.5  # a beat this late: the GUI thread is not running its loop at all (do not wait for it)
GIVE_S = 0.004  # a worker's turn given away

_last = [0.0]  # when the GUI thread last beat (0: no pulse, as in the core's own tests)
_timer: list = []
_holders: set = set()  # ids of what fills views in steps now (a Stager with a queue): workers give way meanwhile


def start() -> None:
    """On the GUI thread, once (the window calls it)."""
    if _timer or threading.current_thread() is not threading.main_thread():
        return
    timer = QtCore.QTimer()
    timer.setTimerType(QtCore.Qt.PreciseTimer)
    timer.timeout.connect(_beat)
    timer.start(BEAT_MS)
    _timer.append(timer)
    _beat()


def _beat() -> None:
    _last[0] = time.monotonic()


def hold(owner: object, on: bool) -> None:
    """On the GUI thread: `owner` fills views in steps from now (on) or is done (off).  A step's own work is short,
    but between steps a worker that runs on takes the core and the interpreter, and the next step waits for both:
    while anything holds, workers give a turn at each slice whether or not the beat is late."""
    if on:
        _holders.add(id(owner))
    else:
        _holders.discard(id(owner))


def release(key: int) -> None:
    """What `hold` holds for an owner that is gone (its id): a view deleted while it held."""
    _holders.discard(key)


def give_way() -> None:
    """From a worker thread, between pieces of work: a turn given to a busy GUI thread (at most GIVE_S)."""
    if not _last[0] or threading.current_thread() is threading.main_thread():
        return
    late = time.monotonic() - _last[0]
    if BUSY_S < late < WAITING_S or (_holders and late < WAITING_S):
        time.sleep(GIVE_S)


def polite(cancelled):
    """`cancelled` (a check a long task calls between its pieces) that also gives way to a busy GUI thread."""
    def check() -> bool:
        give_way()
        return cancelled()
    return check
