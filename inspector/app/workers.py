"""Long work off the GUI thread: loading + census + statistics, generation, comparing, a report's content.

Each worker runs in a QThread as a `Job`; results come back as signals carrying plain objects.  Everything
the workers import is imported here, on the GUI thread: PySide6's import hook must not
run for a first import inside a worker thread (it crashes the interpreter).  A newer
job cancels the older one, and results of a cancelled or stale job are dropped (`Job.owns`:
napari's and Orange's discipline).
"""

from __future__ import annotations

import logging
import threading
import time

from dataclasses import dataclass

import numpy.ma  # noqa: F401  (np.unique imports it on its first call, which is a worker's)
from PySide6.QtCore import QMetaMethod, QObject, Qt, QThread, Signal, Slot

from ..engine import Generator
from ..engine.metrics import release_memory
from ..engine.plan import plan_for
from ..errors import Cancelled
from ..plan.guard import DoesNotFit
from ..pipeline import WALKED, inspect
from ..report.content import build_report
from ..stats import compute_statistics
from ..stats import kernel  # noqa: F401  (numba, for a model of 16-bit floats: imported here, not by a worker)
from .gui_pulse import give_way, polite
from .i18n import describe_error

log = logging.getLogger(__name__)
PROGRESS_EVERY_S = 0.05


class Reaper(QObject):
    """Keeps worker threads alive until their work really ends, without blocking the GUI thread.

    A QThread destroyed while it runs aborts the process, and some work cannot be interrupted (onnxruntime
    creating a session, protobuf parsing a file).  A thread that is done with is asked to quit and kept
    here until it has finished; `wait_all` (at exit) waits for the stragglers.
    """

    def __init__(self):
        super().__init__()
        self._threads: list[tuple[QThread, QObject]] = []

    def retire(self, thread: QThread | None, worker: QObject | None) -> None:
        if thread is None:
            return
        thread.quit()
        self._threads.append((thread, worker))
        # queued: the slot runs here, on the GUI thread, once the thread has left its event loop
        thread.finished.connect(self._reap, Qt.QueuedConnection)
        self._reap()

    @Slot()
    def _reap(self) -> None:
        alive = []
        for thread, worker in self._threads:
            if thread.isFinished() or not thread.isRunning():
                thread.wait()  # returns at once: it has finished
            else:
                alive.append((thread, worker))
        reaped = len(alive) < len(self._threads)
        self._threads = alive
        if reaped:  # a worker (and the session or census it held) is gone: its memory back to the system
            release_memory()

    @property
    def running(self) -> int:
        return sum(1 for thread, _w in self._threads if thread.isRunning())

    def wait_all(self) -> None:
        for thread, _worker in self._threads:
            thread.wait()
        self._threads = []


_reaper: Reaper | None = None


def reaper() -> Reaper:
    """The process's one Reaper (made on the GUI thread, on first use); waited for at exit."""
    global _reaper
    if _reaper is None:
        import atexit

        _reaper = Reaper()
        atexit.register(_reaper.wait_all)
    return _reaper


def start_in_thread(worker: QObject, entry=None) -> QThread:
    """A new thread for `worker`, started; `entry` (a slot of the worker) runs first in it."""
    thread = QThread()
    worker.moveToThread(thread)
    if entry is not None:
        thread.started.connect(entry)
    thread.start()
    return thread


def _signal_names(worker: QObject) -> list[str]:
    meta = worker.metaObject()
    return [bytes(meta.method(i).name()).decode() for i in range(meta.methodOffset(), meta.methodCount())
            if meta.method(i).methodType() == QMetaMethod.Signal]


class Job:
    """A worker run in its own thread, and its end written once: cancelled, every signal disconnected (a result
    queued before that is dropped by `owns`), the thread handed to the reaper.  `slots` connect the worker's
    signals by name to methods of an object on the GUI thread (so they arrive there, queued); `requests` connect
    signals of the GUI side to the worker's slots (queued into its thread), and are disconnected at the end too."""

    def __init__(self, worker: QObject, entry=None, requests: tuple = (), **slots):
        self.worker = worker
        for name, slot in slots.items():
            getattr(worker, name).connect(slot)
        self.requests = tuple(requests)
        for signal, slot in self.requests:
            signal.connect(slot)
        self.thread = start_in_thread(worker, entry)
        self.ended = False

    def owns(self, sender) -> bool:
        """`sender` (QObject.sender() in a slot) is this job's worker, and the job has not been ended."""
        return not self.ended and sender is self.worker

    def end(self) -> None:
        if self.ended:
            return
        self.ended = True
        cancel = getattr(self.worker, "cancel", None)
        if cancel is not None:
            cancel()
        for name in _signal_names(self.worker):
            try:
                getattr(self.worker, name).disconnect()
            except (RuntimeError, TypeError):
                pass
        for signal, slot in self.requests:
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        reaper().retire(self.thread, self.worker)  # never blocks, never destroys a running thread


def end_job(job: "Job | None") -> None:
    if job is not None:
        job.end()


class LoadWorker(QObject):
    """Loads a model, takes the census and computes statistics, reporting progress."""

    progress = Signal(float, object)  # fraction, messages.Message
    counted = Signal(object, object)  # Census without statistics, engine.plan.RunPlan
    layer_ready = Signal(str)  # the layer whose statistics are in
    loaded = Signal()  # every statistic is in
    failed = Signal(str, str)  # message, details
    done = Signal()

    def __init__(self, path: str, variant: str | None = None):
        super().__init__()
        self.path, self.variant = path, variant
        self._cancel = threading.Event()
        self._last_emit = 0.0
        self.outcome: str | None = None  # "loaded", "failed" or "cancelled" once run() has ended

    def cancel(self) -> None:
        self._cancel.set()

    def _progress(self, fraction: float, message) -> None:
        now = time.monotonic()
        if now - self._last_emit > PROGRESS_EVERY_S or fraction >= 1.0:  # throttled: only visible changes
            self._last_emit = now
            self.progress.emit(fraction, message)

    @Slot()
    def run(self) -> None:
        """The counts first (no value read: a second whatever the size), then the statistics layer by layer."""
        try:
            census = inspect(self.path, self.variant, statistics=False, progress=self._progress,
                             cancelled=polite(self._cancel.is_set))
            census.node_rows  # noqa: B018 - the graph listing too, here rather than on the GUI thread
            plan = plan_for(census)
            if self._cancel.is_set():
                raise Cancelled()
            self.counted.emit(census, plan)
            compute_statistics(census, lambda f, m: self._progress(WALKED + (1 - WALKED) * f, m),
                               polite(self._cancel.is_set), on_layer=lambda layer: self.layer_ready.emit(layer.name),
                               pause=give_way)
            self.outcome = "loaded"
            self.loaded.emit()
        except Cancelled:
            self.outcome = "cancelled"
        except Exception as exc:  # noqa: BLE001 - every failure becomes a dialog, never a crash
            self.outcome = "failed"
            msg, details = describe_error(exc)
            self.failed.emit(msg, details)
        finally:
            self.done.emit()


@dataclass(frozen=True)
class RunRequest:
    """What the Generate controls ask of the worker: a new run (`prompt`), or the paused run continued with
    `config` (applied, or refused), optionally from a branch: `branch` = (step index, the token chosen there)."""

    prompt: str | None
    config: object  # engine GenerationConfig
    max_steps: int = 0  # 0: until the run ends
    branch: tuple[int, int] | None = None


class GenerationWorker(QObject):
    """Owns a Generator in its own thread; GUI sets pause/stop flags directly (they are thread-safe)."""

    ready = Signal(str)  # provider
    started = Signal(object)  # the prompt's ids, when a run starts
    stepped = Signal(object)  # Step
    branched = Signal(object)  # Step: the step a person chose the token of; the steps after it are gone
    idle = Signal(object)  # GenerationResult or None, when a run/step ends
    failed = Signal(str, str)
    refused = Signal(object)  # plan.guard.Verdict: the model would not fit, and no session was made

    def __init__(self, model_path: str, provider: str, plan=None, admit=None):
        """`admit()`: the memory guard, called here before the session is made; it raises DoesNotFit."""
        super().__init__()
        self.model_path, self.provider, self.plan, self.admit = model_path, provider, plan, admit
        self.gen = None
        self._pause = threading.Event()

    @Slot()
    def open(self) -> None:
        try:
            if self.admit is not None:
                self.admit()
            self.gen = Generator(self.model_path, provider=self.provider, plan=self.plan,
                                 validate=False)  # the window has loaded and checked it already
            self.ready.emit(self.gen.provider)
        except DoesNotFit as exc:
            self.refused.emit(exc.verdict)
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(*describe_error(exc))

    def pause(self) -> None:
        self._pause.set()

    def stop(self) -> None:
        if self.gen is not None:
            self.gen.stop()

    def cancel(self) -> None:
        self.pause()
        self.stop()

    @Slot(object)
    def start_run(self, request: RunRequest) -> None:
        """Start a new run, or continue the paused one with the settings as they are now (every one applies from the
        next step, or the engine refuses them and nothing runs), from a branch if asked; then take up to
        `max_steps` steps (0: until done)."""
        if self.gen is None:
            return
        self._pause.clear()
        try:
            if request.prompt is not None:
                self.started.emit(list(self.gen.start(request.prompt, request.config)))
            elif request.branch is not None:
                self.branched.emit(self.gen.branch(*request.branch, config=request.config))
            else:
                self.gen.update_config(request.config)
            taken = 0
            for step in self.gen.steps():  # the engine ends it: finished, or stopped ("stopped")
                self.stepped.emit(step)
                taken += 1
                if self._pause.is_set() or (request.max_steps and taken >= request.max_steps):
                    break
            self.idle.emit(self.gen.result() if self.gen.state is not None else None)
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(*describe_error(exc))
            self.idle.emit(self.gen.result() if self.gen.state is not None and self.gen.state.steps else None)


class CompareWorker(QObject):
    """Compares the open model with another (or every variant of its folder) off the GUI thread."""

    progress = Signal(float, object)  # fraction, messages.Message
    compared = Signal(object)  # compare.run.Comparison, or a list of compare.variants.VariantRow
    failed = Signal(str, str)
    refused = Signal(object)  # plan.guard.Verdict: the models would not fit together, and nothing was run
    done = Signal()

    def __init__(self, job):
        """`job(progress, cancelled)` does the work and returns what `compared` carries."""
        super().__init__()
        self.job = job
        self._cancel = threading.Event()
        self.outcome: str | None = None

    def cancel(self) -> None:
        self._cancel.set()

    @Slot()
    def run(self) -> None:
        try:
            result = self.job(self.progress.emit, self._cancel.is_set)
            self.outcome = "compared"
            self.compared.emit(result)
        except Cancelled:
            self.outcome = "cancelled"
        except DoesNotFit as exc:
            self.outcome = "refused"
            self.refused.emit(exc.verdict)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message, never a crash
            self.outcome = "failed"
            self.failed.emit(*describe_error(exc))
        finally:
            self.done.emit()


class ReportWorker(QObject):
    """Gathers a report's content (charts included) off the GUI thread; the dialog writes the file."""

    progress = Signal(float, object)  # fraction, messages.Message
    built = Signal(object)
    failed = Signal(str, str)

    def __init__(self, census, run, attention_at: list[int] | None = None, comparison=None, lang: str = "en",
                 heads=None, budget: int | None = None):
        super().__init__()
        self.census, self.run_result, self.attention_at = census, run, attention_at
        self.comparison, self.lang, self.heads, self.budget = comparison, lang, heads, budget
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @Slot()
    def run(self) -> None:
        try:
            self.built.emit(build_report(self.census, self.run_result, self.progress.emit, self._cancel.is_set,
                                         attention_at=self.attention_at, comparison=self.comparison,
                                         lang=self.lang, heads=self.heads, budget=self.budget))
        except Cancelled:
            self.failed.emit("", "")
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(*describe_error(exc))
