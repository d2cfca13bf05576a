"""What running the open model costs: its shape for the planner, the devices it is planned on, the choices the Cost
tab offers (context, batch, KV-cache precision, device), the memory along the context, and the last run's figures.

Every plan is made on a worker: the model's shape and this machine's devices first (the read bandwidth: a probe of
about half a second the first time, then cached), then for each set of choices the curve along the context (tens
of milliseconds on a giant's layers), the plan at the context on show and the last run's.  The GUI thread only
draws what comes back: a choice changed while a giant's statistics stream must not make it plan.  It outlives the
window, as the other session objects do.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from ...plan import bandwidth, devices, planner
from ...plan.shape import ModelShape, shape_of
from ..i18n import describe_error
from ..qt_compat import QtCore
from ..workers import Job, end_job

try:  # NVML's module, when installed: its first import on the GUI thread too
    import pynvml
except ImportError:  # pragma: no cover - no GPU support installed
    pynvml = None
FIRST_IMPORTED_HERE = (bandwidth, pynvml)  # what the worker would import first (PySide6's import hook: workers.py)
CURVE_POINTS = 240  # contexts the chart is drawn at (from 1 to the model's context)
BATCHES = (1, 64)  # the batch's range
KV_DTYPES = planner.KV_DTYPES


def contexts_for(top: int) -> np.ndarray:
    """The contexts a curve is drawn at: CURVE_POINTS of them from 1 to `top`, each once (rounded, in order; not
    np.unique, whose first call imports numpy.ma — a fifth of a second, and never in a worker: workers.py)."""
    x = np.linspace(1, top, min(CURVE_POINTS, top)).round().astype(int)
    return x[np.concatenate(([True], x[1:] != x[:-1]))]


@dataclass(frozen=True)
class Request:
    """What the worker is asked to plan: the curve for the choices (when it is not on show yet), the plan at the
    context on show, and the last run's plan (when a run's figures wait for theirs)."""

    serial: int  # the newest request is the only one made (older ones still queued are skipped)
    choices: tuple  # CostSession._choices() when it was asked
    shape: ModelShape
    batch: int
    kv_dtype: str | None
    target: "devices.Device"
    context: int  # the context on show
    top: int  # the curve's last context (the model's)
    curve: bool
    run: tuple | None  # (context, prompt, Device) of the last run, or None


@dataclass(frozen=True)
class Measured:
    """The last run that ended: what it reached and what the plan says of the same run."""

    context: int  # prompt + generated tokens
    prompt: int
    tokens_per_s: float | None  # decode steps only (engine.metrics.RunMetrics)
    peak_rss: int
    provider: str
    plan: planner.Plan | None  # the plan of that very run (its context, its prompt, where it ran)


class CostWorker(QtCore.QObject):
    """The planner's work off the GUI thread: a model's shape and this machine's devices (the bandwidth probe reads
    512 MiB, once a machine), then for each request the plan along the context (a few hundred plans: tens of
    milliseconds on a giant's 80 layers, more on a busy machine), at the context on show and of the last run.  One thread for the session's life: a thread
    ended per request would be reaped with a garbage collection over the whole census (hundreds of ms on a giant)."""

    planned = QtCore.Signal(object, object, object, object)  # the census, ModelShape, CPU Device, [GPU Device]
    planned_for = QtCore.Signal(object, object, object, object)  # Request, {name: array} or None, Plan, Plan/None
    failed = QtCore.Signal(str, str)

    def __init__(self):
        super().__init__()
        self.latest = None  # the newest census or request serial: older ones still queued are skipped
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @QtCore.Slot(object)
    def plan(self, census) -> None:
        if census is not self.latest or self._cancel.is_set():
            return
        try:
            shape = shape_of(census)
            cpu = devices.this_cpu()
            gpus = devices.local_gpus()
            self.planned.emit(census, shape, cpu, gpus)
        except Exception as exc:  # noqa: BLE001 - a plan that cannot be made is a line in the tab, not a crash
            self.failed.emit(*describe_error(exc))

    @QtCore.Slot(object)
    def work(self, request: Request) -> None:
        if request.serial != self.latest or self._cancel.is_set():
            return
        try:
            curve = None
            if request.curve:
                raw = planner.by_context(request.shape, contexts_for(request.top), request.batch,
                                         request.kv_dtype, request.target)
                curve = {k: np.array([np.nan if v is None else v for v in vals], float) for k, vals in raw.items()}
            point = planner.make_plan(request.shape, request.context, request.batch, request.kv_dtype,
                                      request.target)
            run = None
            if request.run is not None:
                context, prompt, where = request.run
                run = planner.make_plan(request.shape, max(1, context), 1, None, where, prompt=max(1, prompt),
                                        compare=False)
            self.planned_for.emit(request, curve, point, run)
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(*describe_error(exc))


class CostSession(QtCore.QObject):
    _plan_asked = QtCore.Signal(object)  # a census, to the worker's thread
    _work_asked = QtCore.Signal(object)  # a Request, to the worker's thread
    changed = QtCore.Signal()  # the shape arrived, a choice changed, a plan arrived or a run was measured
    busy_changed = QtCore.Signal(bool)
    failed = QtCore.Signal(str)  # the plan could not be made (the tab says why)

    def __init__(self, qsettings: QtCore.QSettings, run=None, parent=None):
        super().__init__(parent)
        self.qsettings = qsettings
        self.census = None
        self.shape: ModelShape | None = None
        self.cpu: devices.Device | None = None
        self.gpus: list[devices.Device] = []
        self.device = 0  # 0: this machine's CPU and RAM; i: its GPU i - 1
        self.batch = _int(qsettings.value("cost/batch", 1), 1, *BATCHES)
        kv = str(qsettings.value("cost/kv_dtype", ""))
        self.kv_dtype: str | None = kv if kv in KV_DTYPES else None  # None: as the export keeps it
        self.context = 0  # 0: the model's own context
        self.curve: dict[str, np.ndarray] | None = None
        self.point: planner.Plan | None = None  # the worker's plan at the context on show (None: not made yet)
        self.measured: Measured | None = None
        self.error = ""
        self._job: Job | None = None  # the worker, made at the first model
        self._planning = None  # the census whose shape is being read (None: none)
        self._curve_for = None  # the choices the curve on show was made for
        self._serial = 0
        self._waiting: int | None = None  # the serial of the request whose answer is awaited (None: all in)
        if run is not None:
            run.finished.connect(self.measure)

    # ------------------------------------------------------------------ the model
    def set_model(self, census) -> None:
        """A new model: its plan is made again (on a worker); the last run's figures were another model's."""
        self.census, self.shape, self.curve, self.point, self.measured, self.error = census, None, None, None, None, ""
        self.context = 0
        self._planning = self._waiting = self._curve_for = None
        if census is not None:
            self._planning = self._ask(census)
            self._plan_asked.emit(census)
            self.busy_changed.emit(True)
        self.changed.emit()

    def _ask(self, latest):
        """The worker (made once), told which request is the newest."""
        if self._job is None:
            worker = CostWorker()
            self._job = Job(worker, requests=[(self._plan_asked, worker.plan), (self._work_asked, worker.work)],
                            planned=self._on_planned, planned_for=self._on_planned_for, failed=self._on_failed)
        self._job.worker.latest = latest
        return latest

    def close(self) -> None:
        end_job(self._job)
        self._job = self._planning = self._waiting = None

    @property
    def busy(self) -> bool:
        """The first plan of the model, or its curve, is still being made."""
        return self._planning is not None or ((self.curve is None or self.point is None) and self._waiting is not None)

    @property
    def max_context(self) -> int:
        return int(self.shape.context_length or planner.DEFAULT_CONTEXT) if self.shape is not None else 1

    def _mine(self) -> bool:
        return self._job is not None and self._job.owns(self.sender())

    @QtCore.Slot(object, object, object, object)
    def _on_planned(self, census, shape, cpu, gpus) -> None:
        if not self._mine() or census is not self._planning:
            return
        self._planning = None
        self.shape, self.cpu, self.gpus = shape, cpu, list(gpus)
        self.device = min(self.device, len(self.gpus))
        self.busy_changed.emit(False)
        self._replan()

    @QtCore.Slot(str, str)
    def _on_failed(self, message: str, _details: str) -> None:
        if self._mine():
            self._planning = self._waiting = None
            self.error = message
            self.busy_changed.emit(False)
            self.failed.emit(message)
            self.changed.emit()

    # ------------------------------------------------------------------ the choices
    @property
    def target(self) -> devices.Device | None:
        """Where the plan puts the model: this machine's RAM, or one of its GPUs."""
        if self.cpu is None:
            return None
        return self.gpus[self.device - 1] if 0 < self.device <= len(self.gpus) else self.cpu

    def set_choices(self, context: int | None = None, batch: int | None = None, kv_dtype: str | None | bool = False,
                    device: int | None = None) -> None:
        """What the tab's controls say (`kv_dtype` None: as exported; False: unchanged).  The worker plans again:
        the curve only for what changes it (the context only moves the point on it)."""
        changed = False
        if batch is not None and batch != self.batch:
            self.batch, changed = _int(batch, 1, *BATCHES), True
            self.qsettings.setValue("cost/batch", self.batch)
        if kv_dtype is not False and kv_dtype != self.kv_dtype and (kv_dtype is None or kv_dtype in KV_DTYPES):
            self.kv_dtype, changed = kv_dtype, True
            self.qsettings.setValue("cost/kv_dtype", kv_dtype or "")
        if device is not None and device != self.device and 0 <= device <= len(self.gpus):
            self.device, changed = device, True
        if context is not None:
            context = max(1, min(int(context), self.max_context))
            changed = changed or context != self.context
            self.context = context
        if changed:
            self._replan()

    def contexts(self) -> np.ndarray:
        return contexts_for(self.max_context)

    def _choices(self) -> tuple:
        return (id(self.shape), self.batch, self.kv_dtype, self.device)

    def _replan(self) -> None:
        """Ask the worker for what the choices now need (a request in progress is dropped for the newer); the
        view shows the context at once and the plans when they come."""
        if self.shape is None or self.target is None:
            return
        choices = self._choices()
        run = None
        if self.measured is not None and self.measured.plan is None:
            run = (self.measured.context, self.measured.prompt, self._run_device(self.measured.provider))
        self._serial += 1
        self._waiting = self._ask(self._serial)
        self._work_asked.emit(Request(self._serial, choices, self.shape, self.batch, self.kv_dtype, self.target,
                                      self.context or self.max_context, self.max_context,
                                      choices != self._curve_for, run))
        self.changed.emit()

    @property
    def drawing(self) -> bool:
        """Plans for the choices as they are now are still being made."""
        return self._waiting is not None

    @property
    def curve_current(self) -> bool:
        """The curve on show is the one for the choices as they are now (a context moved keeps it)."""
        return self.curve is not None and self._curve_for == self._choices()

    @QtCore.Slot(object, object, object, object)
    def _on_planned_for(self, request: Request, curve, point, run) -> None:
        if not self._mine() or request.serial != self._waiting or request.shape is not self.shape:
            return
        self._waiting = None
        if curve is not None:
            self.curve, self._curve_for = curve, request.choices
        self.point = point
        m = self.measured
        if run is not None and m is not None and m.plan is None:
            self.measured = Measured(m.context, m.prompt, m.tokens_per_s, m.peak_rss, m.provider, run)
        self.changed.emit()

    def plan(self) -> planner.Plan | None:
        """The plan at the context on show, made now (the Cost tab draws the worker's: `point`)."""
        if self.shape is None or self.target is None:
            return None
        return planner.make_plan(self.shape, self.context or self.max_context, self.batch, self.kv_dtype, self.target)

    # ------------------------------------------------------------------ the last run
    @QtCore.Slot(object)
    def measure(self, result) -> None:
        """A run ended: its decode speed and peak memory, beside the plan of that run (the worker's, once made)."""
        if result is None or result.metrics is None:
            return
        prompt = len(result.prompt_ids)
        self.measured = Measured(prompt + len(result.new_ids), prompt, result.metrics.tokens_per_s,
                                 result.metrics.peak_rss, result.provider, None)
        if self.shape is not None and self.cpu is not None:
            self._replan()
        else:
            self.changed.emit()

    def _run_device(self, provider: str) -> devices.Device:
        return self.gpus[0] if provider == "cuda" and self.gpus else self.cpu


def _int(value, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(value)))
    except (TypeError, ValueError):
        return default
