"""Workers give a busy GUI thread its turn (app/gui_pulse.py), and the statistics call `pause` before each slice."""

import threading
import time

import pytest

pytest.importorskip("pytestqt")

from inspector.app import gui_pulse  # noqa: E402
from inspector.model import load_model, take_census  # noqa: E402
from inspector.stats import compute_statistics  # noqa: E402

from .conftest import SAMPLE  # noqa: E402


def _given(late: float) -> float:
    """How long a worker thread's give_way takes when the GUI thread's last beat was `late` seconds ago."""
    gui_pulse._last[0] = time.monotonic() - late
    took = []

    def worker():
        t = time.perf_counter()
        gui_pulse.give_way()
        took.append(time.perf_counter() - t)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    return took[0]


def test_a_worker_gives_way_only_while_the_gui_thread_is_busy(qapp, monkeypatch):
    monkeypatch.setattr(gui_pulse, "GIVE_S", 0.05)  # long enough to tell apart from no wait on any machine
    saved = gui_pulse._last[0]
    try:
        assert _given(0.0) < 0.04  # the GUI thread beats: nothing to give
        assert _given(0.1) >= 0.05  # busy: a turn given
        assert _given(2.0) < 0.04  # not running its loop at all (waiting): nobody waits for it
        gui_pulse._last[0] = 0.0
        assert _given(0.0) < 0.04  # no pulse (the core alone)
        gui_pulse._last[0] = time.monotonic() - 0.1
        t = time.perf_counter()
        gui_pulse.give_way()  # the GUI thread itself never waits for itself
        assert time.perf_counter() - t < 0.04
    finally:
        gui_pulse._last[0] = saved


def test_the_window_starts_the_pulse(qtbot, window):
    before = gui_pulse._last[0]
    assert gui_pulse._timer and before > 0
    qtbot.waitUntil(lambda: gui_pulse._last[0] > before, timeout=5000)  # it beats while the loop runs


def test_statistics_pause_before_each_slice_on_the_reading_thread():
    census = take_census(load_model(SAMPLE))
    calls = []
    compute_statistics(census, pause=lambda: calls.append(threading.current_thread().name), workers=2)
    stored = {p.stored for p in census.tensors}
    assert len(calls) >= len(stored) - 2  # a slice each at least (the tied head's copy is not read again)
    assert all(name.startswith("stats") for name in calls)
    assert census.layer("block 0").stats["weight"].summary()["count"] > 0


def test_the_first_window_takes_the_apps_own_objects_out_of_full_collections(qtbot, window):
    """A worker reaped (release_memory) or Python's own full pass walked every module, class and widget on the GUI
    thread (~100,000 objects, 40-60 ms): the first window moves what exists by then out of those passes."""
    import gc

    assert gc.get_freeze_count() > 10_000  # modules, classes, the first window's widgets


def test_workers_give_way_while_views_fill_in_steps(qtbot, monkeypatch):
    """A Stager with steps queued holds the pulse: a worker gives a turn at each slice even while the beat is on
    time (between steps), and no longer once the last step has run."""
    from inspector.app.staging import Stager

    monkeypatch.setattr(gui_pulse, "GIVE_S", 0.05)
    saved = gui_pulse._last[0]
    stager = Stager()
    seen = []

    def steps():
        for _ in range(3):
            seen.append(_given(0.0))  # the beat on time: only the hold makes the worker wait
            yield

    try:
        stager.start([steps()])
        qtbot.waitUntil(lambda: not stager.busy)
        assert len(seen) == 3 and min(seen) >= 0.05
        assert _given(0.0) < 0.04  # the fill is done: nothing held
    finally:
        gui_pulse._last[0] = saved


def test_work_that_can_wait_runs_once_the_views_have_filled(qtbot):
    """when_idle: from the next turn of the event loop on, once nothing holds the pulse (the hooks' census waits for
    the views' first fill); never for a context deleted meanwhile."""
    from inspector.app.qt_compat import QtCore

    owner, gone = QtCore.QObject(), QtCore.QObject()
    ran = []
    gui_pulse.hold(owner, True)
    try:
        gui_pulse.when_idle(owner, lambda: ran.append("waited"))
        gui_pulse.when_idle(gone, lambda: ran.append("gone"))
        gone.deleteLater()
        qtbot.wait(3 * gui_pulse.IDLE_CHECK_MS)
        assert ran == []  # held all along
    finally:
        gui_pulse.hold(owner, False)
    qtbot.waitUntil(lambda: ran == ["waited"])
    gui_pulse.when_idle(owner, lambda: ran.append("next turn"))
    assert ran == ["waited"]  # not at once: what the same signal starts may hold by the next turn
    qtbot.waitUntil(lambda: ran == ["waited", "next turn"])
