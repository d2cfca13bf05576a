"""The GUI thread's pulse, so that long work on other threads gives way while the window is busy.

Python runs one thread at a time: a worker reading a giant model's statistics takes the interpreter for 5 ms turns,
and a view filling itself on the GUI thread (a graph of thousands of nodes, a chart laid out again) then takes twice
as long and the window stalls.  A timer on the GUI thread beats every 10 ms; a worker that finds the beat late (the
GUI thread is busy) sleeps one short turn, so the GUI thread has the interpreter to itself.  A beat that is very late
means the GUI thread is waiting (a dialog's own loop aside, on a worker to end): then nobody waits for it."""

from __future__ import annotations

import sys
import threading
import time

from .qt_compat import QtCore

BEAT_MS = 10
BUSY_S = 0.02  # a beat this late: the GUI thread is working
WAITING_S = 0.5  # a beat this late: the GUI thread is not running its loop at all (do not wait for it)
GIVE_S = 0.004  # a worker's turn given away
IDLE_CHECK_MS = 50  # how often when_idle looks again
SWITCH_S = 0.0005  # how long a thread waiting for the interpreter waits before the one running must let it go

_last = [0.0]  # when the GUI thread last beat (0: no pulse, as in the core's own tests)
_timer: list = []
_holders: set = set()  # ids of what fills views in steps now (a Stager with a queue): workers give way meanwhile


def start() -> None:
    """On the GUI thread, once (the window calls it)."""
    if _timer or threading.current_thread() is not threading.main_thread():
        return
    # PySide lets the interpreter go around most Qt calls, and takes it back after: a slot or a paint takes it back
    # dozens of times, and each time, while a worker runs Python, waited up to the switch interval (5 ms by
    # default): 26 ms of the GUI thread's work took 300 ms on the wall as a 405B shape opened (futex waits of ~4 ms,
    # 20 a tenth of a second).  Half a millisecond: the GUI thread waits little, the workers lose a few percent.
    sys.setswitchinterval(SWITCH_S)
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


def when_idle(context: QtCore.QObject, callback, _first: bool = True) -> None:
    """On the GUI thread: `callback()` once nothing holds the pulse, looked at from the next turn of the event loop
    on (what the same signal starts, a view's fill, holds by then); dropped if `context` is deleted first.  For work
    that can wait for the views' first fill (a second census of the model)."""
    if _first or _holders:
        QtCore.QTimer.singleShot(0 if _first else IDLE_CHECK_MS, context,
                                 lambda: when_idle(context, callback, _first=False))
        return
    callback()


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
