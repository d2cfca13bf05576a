"""Parts switched off and what that changes: the parts a person chose (heads, a block's attention or MLP, from the
Inside tab's grid, its heads map or the model diagram), what the model lets be switched off, the intact and the
switched-off runs side by side, and the reading of what each head does.

One owner, held by the run (`session.run.ablation`); the views listen to its signals and ask it to act.  The work
runs in an AblationWorker of its own (ablation_worker.py), so the Generate tab's run is never disturbed.  Choosing
parts starts a new comparison after a short pause (several parts switched off in a row make one comparison).
"""

from __future__ import annotations

import secrets
from dataclasses import replace

from ... import ablation_text as say
from ...model.ablation import Ablation, Part
from .. import gui_pulse
from ..ablation_worker import AblationWorker, CompareRequest, HeadsRequest
from ..qt_compat import QtCore
from ..workers import Job, end_job

SETTLE_MS = 400  # after the last part switched on or off, before the comparison starts


class AblationSession(QtCore.QObject):
    parts_changed = QtCore.Signal(object)  # tuple[Part, ...]
    hooks_changed = QtCore.Signal(object)  # model.ablation.Hooks, or None (no model, or not read yet)
    comparison_changed = QtCore.Signal(object)  # engine.ablation_run.AblationComparison, or None
    compare_progress = QtCore.Signal(object)  # (fraction, what) while comparing, None when not
    heads_changed = QtCore.Signal(object)  # engine.heads.HeadsReading, or None
    heads_progress = QtCore.Signal(object)  # (fraction, core Message) while reading, None when not
    failed = QtCore.Signal(str, str, str)  # "compare", "heads" or "hooks"; message; details
    _compare = QtCore.Signal(object)  # CompareRequest, to the worker's thread
    _read = QtCore.Signal(object)  # HeadsRequest, to the worker's thread

    def __init__(self, run, parent=None):
        """`run`: the RunSession whose settings (prompt, sampling, max tokens) the comparison runs with."""
        super().__init__(parent)
        self.run = run
        self.path: str | None = None
        self.plan = None
        self.parts: tuple[Part, ...] = ()
        self.hooks = None
        self.hooks_error = ""
        self.comparison = None
        self.compare_error = ""
        self.comparing: tuple | None = None  # (fraction, what) while a comparison runs
        self.heads = None
        self.heads_error = ""
        self.reading: tuple | None = None  # (fraction, Message) while the heads are read
        self._job: Job | None = None
        self._opening = None  # set_model's pending start of the worker (gui_pulse.when_idle)
        self._serial = 0
        self._compare_serial = self._heads_serial = -1
        self._timer = QtCore.QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._timer.timeout.connect(self.compare)

    # ------------------------------------------------------------------ the model
    def set_model(self, path: str | None, plan=None) -> None:
        """Another model (or none): nothing switched off, no comparison or reading; its Hooks are read at once."""
        self.shutdown()
        self.path, self.plan = path, plan
        self.parts, self.hooks, self.comparison, self.heads = (), None, None, None
        self.hooks_error = self.compare_error = self.heads_error = ""
        for signal in (self.parts_changed, self.hooks_changed, self.comparison_changed, self.heads_changed):
            signal.emit(() if signal is self.parts_changed else None)
        if path:  # once the views have shown the model: the hooks are a second census of it, and read beside the
            # views' first fill they took the GUI thread's turns (a 405B shape opening: its longest gap 94-144 ms with
            # them, 43-55 without); asked for sooner (a comparison, the heads), they are read then
            self._opening = token = object()  # shutdown() or another model drops it
            gui_pulse.when_idle(self, lambda: self._opening is token and self._ensure_worker())

    def shutdown(self) -> None:
        self._opening = None  # a worker waiting to be started (set_model) is not
        self._timer.stop()
        end_job(self._job)
        self._job = None
        self._set_comparing(None)
        self._set_reading(None)

    def _ensure_worker(self) -> bool:
        if self._job is not None:
            return True
        if not self.path:
            return False
        worker = AblationWorker(self.path, self.run.settings.provider, self.plan)
        self._job = Job(worker, worker.open, requests=[(self._compare, worker.compare), (self._read, worker.read_heads)],
                        hooks_ready=self._on_hooks, progress=self._on_progress, compared=self._on_compared,
                        heads_read=self._on_heads, cancelled=self._on_cancelled, failed=self._on_failed)
        return True

    # ------------------------------------------------------------------ the parts
    def why_not(self, part: Part) -> str:
        """'' when `part` can be switched off in this model, else why not (in the interface's language)."""
        from .. import i18n
        from ..switch_off_menu import HOOKS_PENDING, NO_MODEL

        if not self.path:
            return i18n.translate("SwitchOffMenu", NO_MODEL)
        if self.hooks is None:
            return self.hooks_error or i18n.translate("SwitchOffMenu", HOOKS_PENDING)
        hooks = self.hooks
        head_ok = part.kind != "head" or 0 <= (part.head or 0) < hooks.n_head
        if head_ok and hooks.takes(part):
            return ""
        return i18n.core(hooks.why.get(part.kind) or say.NO_BLOCKS())  # the first reason this kind is refused
        return ""

    def is_off(self, part: Part) -> bool:
        return part in self.parts

    def set_parts(self, parts) -> None:
        """These parts off (in the order given, each once); a comparison follows shortly, or none when empty."""
        parts = tuple(dict.fromkeys(parts))
        if parts == self.parts:
            return
        self.parts = parts
        self.parts_changed.emit(parts)
        self._cancel_compare()
        if parts:
            self._timer.start()
        else:
            self._timer.stop()
            self.comparison, self.compare_error = None, ""
            self.comparison_changed.emit(None)

    def switch(self, part: Part, off: bool = True) -> None:
        """`part` switched off (`off`), or back on."""
        if off and part not in self.parts:
            self.set_parts(self.parts + (part,))
        elif not off and part in self.parts:
            self.set_parts(p for p in self.parts if p != part)

    def clear(self) -> None:
        self.set_parts(())

    @property
    def ablation(self) -> Ablation | None:
        return Ablation(self.parts) if self.parts else None

    # ------------------------------------------------------------------ the comparison
    def compare(self) -> bool:
        """The intact and the switched-off runs with the Generate tab's settings as they are now (the candidates
        the changes list, the seed, the prompt).  False when nothing can start."""
        self._timer.stop()
        if not self.parts or not self._ensure_worker():
            return False
        self._cancel_compare()
        self._serial += 1
        self._compare_serial = self._serial
        settings = self.run.settings
        config = replace(settings.config(), inside=False)  # the copy's keep input is all the comparison reads
        if config.sampling.seed is None:  # "a new seed each run": one new seed, the same for both runs
            config = replace(config, sampling=replace(config.sampling, seed=secrets.randbelow(2 ** 31)))
        self.compare_error = ""
        self._set_comparing((0.0, ""))
        self._compare.emit(CompareRequest(Ablation(self.parts), settings.prompt, config, self._serial))
        return True

    def cancel_compare(self) -> None:
        self._timer.stop()
        self._cancel_compare()

    def _cancel_compare(self) -> None:
        if self._compare_serial >= 0 and self._job is not None:
            self._job.worker.cancel(self._compare_serial)
        self._compare_serial = -1
        self._set_comparing(None)

    def _set_comparing(self, state) -> None:
        if state != self.comparing:
            self.comparing = state
            self.compare_progress.emit(state)

    # ------------------------------------------------------------------ the heads
    def read_heads(self, length: int, seed: int = 0) -> bool:
        """Read what each head does (engine/heads.py) on a probe of `length` random tokens twice."""
        if not self._ensure_worker():
            return False
        self.cancel_heads()
        self._serial += 1
        self._heads_serial = self._serial
        self.heads_error = ""
        self._set_reading((0.0, None))
        self._read.emit(HeadsRequest(length, seed, self._serial))
        return True

    def cancel_heads(self) -> None:
        if self._heads_serial >= 0 and self._job is not None:
            self._job.worker.cancel(self._heads_serial)
        self._heads_serial = -1
        self._set_reading(None)

    def _set_reading(self, state) -> None:
        if state != self.reading:
            self.reading = state
            self.heads_progress.emit(state)

    # ------------------------------------------------------------------ the worker's signals
    def _mine(self) -> bool:
        return self._job is not None and self._job.owns(self.sender())

    @QtCore.Slot(object)
    def _on_hooks(self, hooks) -> None:
        if self._mine():
            self.hooks, self.hooks_error = hooks, ""
            self.hooks_changed.emit(hooks)

    @QtCore.Slot(int, float, object)
    def _on_progress(self, serial: int, fraction: float, what) -> None:
        if not self._mine():
            return
        if serial == self._compare_serial:
            self._set_comparing((fraction, what))
        elif serial == self._heads_serial:
            self._set_reading((fraction, what))

    @QtCore.Slot(int, object)
    def _on_compared(self, serial: int, comparison) -> None:
        if self._mine() and serial == self._compare_serial:
            self._compare_serial = -1
            self._set_comparing(None)
            self.comparison = comparison
            self.comparison_changed.emit(comparison)

    @QtCore.Slot(int, object)
    def _on_heads(self, serial: int, reading) -> None:
        if self._mine() and serial == self._heads_serial:
            self._heads_serial = -1
            self._set_reading(None)
            self.heads = reading
            self.heads_changed.emit(reading)

    @QtCore.Slot(int)
    def _on_cancelled(self, serial: int) -> None:
        pass  # the session has moved on already (a newer request, or none): nothing to show

    @QtCore.Slot(int, str, str)
    def _on_failed(self, serial: int, message: str, details: str) -> None:
        if not self._mine():
            return
        if serial == -1:
            self.hooks_error = message
            self.failed.emit("hooks", message, details)
        elif serial == self._compare_serial:
            self._compare_serial = -1
            self._set_comparing(None)
            self.compare_error = message
            self.failed.emit("compare", message, details)
        elif serial == self._heads_serial:
            self._heads_serial = -1
            self._set_reading(None)
            self.heads_error = message
            self.failed.emit("heads", message, details)
