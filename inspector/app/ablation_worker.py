"""Switching parts off, off the GUI thread: what the model lets be switched off (its Hooks), the intact and the
switched-off runs side by side, and what each head does.

The worker holds a Generator of its own, opened the first time a run or a reading is asked for, so the Generate
tab's run (and its paused state) is never disturbed; the Hooks are read when the model opens, from the probed
copy's graph alone (no session: cheap, and the switch-off menus know at once which entries to offer).  Everything
it imports is imported here, on the GUI thread (see workers.py).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from ..engine import Generator
from ..engine.ablation_run import compare_ablation
from ..engine.heads import DEFAULT_LENGTH, read_heads
from ..engine.inside import prepare
from ..errors import Cancelled
from ..model.ablation import Ablation
from .i18n import describe_error

INTACT, SWITCHED_OFF = "intact", "switched off"  # the comparison's two phases, as `progress` names them


@dataclass(frozen=True)
class CompareRequest:
    ablation: Ablation
    prompt: str
    config: object  # engine GenerationConfig
    serial: int  # the session's count of requests: a result answers the newest only


@dataclass(frozen=True)
class HeadsRequest:
    length: int = DEFAULT_LENGTH
    seed: int = 0
    serial: int = 0


class AblationWorker(QObject):
    """Lives in its own thread (workers.Job); the GUI side sets the cancel flag directly (thread-safe)."""

    hooks_ready = Signal(object)  # model.ablation.Hooks
    progress = Signal(int, float, object)  # serial, fraction, what: INTACT / SWITCHED_OFF or a core Message
    compared = Signal(int, object)  # serial, engine.ablation_run.AblationComparison
    heads_read = Signal(int, object)  # serial, engine.heads.HeadsReading
    cancelled = Signal(int)  # serial
    failed = Signal(int, str, str)  # serial, message, details

    def __init__(self, path: str, provider: str = "auto", plan=None):
        super().__init__()
        self.path, self.provider, self.plan = path, provider, plan
        self.gen: Generator | None = None
        self._cancelled_upto = -1  # requests with a serial up to this one are not wanted any more

    def cancel(self, upto: int | None = None) -> None:
        """Stop the requests up to serial `upto` (None: all) at their next step (the switched-off run's next step,
        a reading's next head); safe from any thread.  A newer request, queued meanwhile, still runs."""
        self._cancelled_upto = sys.maxsize if upto is None else max(self._cancelled_upto, upto)

    def _unwanted(self, serial: int) -> bool:
        return serial <= self._cancelled_upto

    @Slot()
    def open(self) -> None:
        """The Hooks, from the probed copy's graph (no onnxruntime session is made)."""
        try:
            self.hooks_ready.emit(prepare(self.path)[0].hooks)
        except Exception as exc:  # noqa: BLE001 - a model whose copy cannot be made: no part can be switched off
            self.failed.emit(-1, *describe_error(exc))

    def _generator(self) -> Generator:
        if self.gen is None:
            self.gen = Generator(self.path, provider=self.provider, plan=self.plan, validate=False)
        return self.gen

    @Slot(object)
    def compare(self, request: CompareRequest) -> None:
        serial = request.serial
        if self._unwanted(serial):
            return self.cancelled.emit(serial)
        try:
            gen = self._generator()
            total = max(1, request.config.max_new_tokens)
            self.progress.emit(serial, 0.0, INTACT)
            done = [0]

            def on_step(_step) -> None:
                if self._unwanted(serial):
                    raise Cancelled()
                done[0] += 1
                self.progress.emit(serial, 0.5 + 0.5 * min(1.0, done[0] / total), SWITCHED_OFF)

            result = compare_ablation(gen, request.prompt, request.config, request.ablation, on_step)
            if self._unwanted(serial):
                raise Cancelled()
            self.compared.emit(serial, result)
        except Cancelled:
            self.cancelled.emit(serial)
        except Exception as exc:  # noqa: BLE001 - every failure becomes one line, never a crash
            self.failed.emit(serial, *describe_error(exc))

    @Slot(object)
    def read_heads(self, request: HeadsRequest) -> None:
        serial = request.serial
        if self._unwanted(serial):
            return self.cancelled.emit(serial)
        try:
            reading = read_heads(self._generator(), request.length, request.seed,
                                 lambda f, what: self.progress.emit(serial, f, what), lambda: self._unwanted(serial))
            self.heads_read.emit(serial, reading)
        except Cancelled:
            self.cancelled.emit(serial)
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(serial, *describe_error(exc))
