"""What running the open model costs: its shape for the planner, the devices it is planned on, the choices the Cost
tab offers (context, batch, KV-cache precision, device), the memory along the context, and the last run's figures.

The first plan of a model is made on a worker (the model's shape, and this machine's read bandwidth: a probe of
about half a second the first time, then cached); after that every plan is arithmetic (a milliseconds' worth for
a whole curve), made here when a choice changes.  It outlives the window, as the other session objects do.
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
    512 MiB, once a machine), then the plan along the context for each set of choices (a few hundred plans: tens
    of milliseconds on a giant's 80 layers, more on a busy machine).  One thread for the session's life: a thread
    ended per request would be reaped with a garbage collection over the whole census (hundreds of ms on a giant)."""

    planned = QtCore.Signal(object, object, object, object)  # the census, ModelShape, CPU Device, [GPU Device]
    drawn = QtCore.Signal(object, object)  # the choices it was made for, {name: array}
    failed = QtCore.Signal(str, str)

    def __init__(self):
        super().__init__()
        self.latest = None  # the newest request: older ones still queued are skipped
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
    def draw(self, request) -> None:
        key, args = request
        if key != self.latest or self._cancel.is_set():
            return
        try:
            curve = planner.by_context(*args)
            self.drawn.emit(key, {k: np.array([np.nan if v is None else v for v in vals], float)
                                  for k, vals in curve.items()})
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(*describe_error(exc))


class CostSession(QtCore.QObject):
    _plan_asked = QtCore.Signal(object)  # a census, to the worker's thread
    _curve_asked = QtCore.Signal(object)  # (choices, by_context's arguments), to the worker's thread
    changed = QtCore.Signal()  # the shape arrived, a choice changed, or a run was measured
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
        self.measured: Measured | None = None
        self.error = ""
        self._job: Job | None = None  # the worker, made at the first model
        self._planning = None  # the census whose shape is being read (None: none)
        self._waiting = None  # the choices whose curve is being made (None: the curve on show is current)
        if run is not None:
            run.finished.connect(self.measure)

    # ------------------------------------------------------------------ the model
    def set_model(self, census) -> None:
        """A new model: its plan is made again (on a worker); the last run's figures were another model's."""
        self.census, self.shape, self.curve, self.measured, self.error = census, None, None, None, ""
        self.context = 0
        self._planning = self._waiting = None
        if census is not None:
            self._planning = self._ask(census)
            self._plan_asked.emit(census)
            self.busy_changed.emit(True)
        self.changed.emit()

    def _ask(self, latest):
        """The worker (made once), told which request is the newest."""
        if self._job is None:
            worker = CostWorker()
            self._job = Job(worker, requests=[(self._plan_asked, worker.plan), (self._curve_asked, worker.draw)],
                            planned=self._on_planned, drawn=self._on_curve, failed=self._on_failed)
        self._job.worker.latest = latest
        return latest

    def close(self) -> None:
        end_job(self._job)
        self._job = self._planning = self._waiting = None

    @property
    def busy(self) -> bool:
        """The first plan of the model, or its curve, is still being made."""
        return self._planning is not None or (self.curve is None and self._waiting is not None)

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
        """What the tab's controls say (`kv_dtype` None: as exported; False: unchanged).  The curve is drawn again
        only for what changes it (the context only moves the point on it)."""
        redraw = False
        if batch is not None and batch != self.batch:
            self.batch, redraw = _int(batch, 1, *BATCHES), True
            self.qsettings.setValue("cost/batch", self.batch)
        if kv_dtype is not False and kv_dtype != self.kv_dtype and (kv_dtype is None or kv_dtype in KV_DTYPES):
            self.kv_dtype, redraw = kv_dtype, True
            self.qsettings.setValue("cost/kv_dtype", kv_dtype or "")
        if device is not None and device != self.device and 0 <= device <= len(self.gpus):
            self.device, redraw = device, True
        if context is not None:
            self.context = max(1, min(int(context), self.max_context))
        if redraw:
            self._replan()
        else:
            self.changed.emit()

    def contexts(self) -> np.ndarray:
        top = self.max_context
        return np.unique(np.linspace(1, top, min(CURVE_POINTS, top)).round().astype(int))

    def _choices(self) -> tuple:
        return (id(self.shape), self.batch, self.kv_dtype, self.device)

    def _replan(self) -> None:
        """The point on show at once; the curve on a worker (the one in progress is dropped for the newer)."""
        if self.shape is None or self.target is None:
            return
        self._waiting = key = self._ask(self._choices())
        self._curve_asked.emit((key, (self.shape, self.contexts(), self.batch, self.kv_dtype, self.target)))
        if self.measured is not None:
            self.measured = self._measured(self.measured.context, self.measured.prompt, self.measured.tokens_per_s,
                                           self.measured.peak_rss, self.measured.provider)
        self.changed.emit()

    @property
    def drawing(self) -> bool:
        """A curve for the choices as they are now is still being made."""
        return self._waiting is not None

    @QtCore.Slot(object, object)
    def _on_curve(self, key, curve) -> None:
        if not self._mine() or key != self._waiting:
            return
        self._waiting = None
        self.curve = curve
        self.changed.emit()

    def plan(self) -> planner.Plan | None:
        """The plan at the context on show (with the common GPUs' verdicts)."""
        if self.shape is None or self.target is None:
            return None
        return planner.make_plan(self.shape, self.context or self.max_context, self.batch, self.kv_dtype, self.target)

    # ------------------------------------------------------------------ the last run
    @QtCore.Slot(object)
    def measure(self, result) -> None:
        """A run ended: its decode speed and peak memory, beside the plan of that run."""
        if result is None or result.metrics is None:
            return
        prompt = len(result.prompt_ids)
        self.measured = self._measured(prompt + len(result.new_ids), prompt, result.metrics.tokens_per_s,
                                       result.metrics.peak_rss, result.provider)
        self.changed.emit()

    def _measured(self, context: int, prompt: int, tps, rss: int, provider: str) -> Measured:
        plan = None
        if self.shape is not None and self.cpu is not None:
            where = self.gpus[0] if provider == "cuda" and self.gpus else self.cpu
            plan = planner.make_plan(self.shape, max(1, context), 1, None, where, prompt=max(1, prompt),
                                     compare=False)
        return Measured(context, prompt, tps, rss, provider, plan)


def _int(value, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(value)))
    except (TypeError, ValueError):
        return default
