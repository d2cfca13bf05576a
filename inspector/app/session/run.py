"""The generation run: its settings, its worker, its steps (with the inside data they read), its state and the
step on show.

It outlives the window: the worker's signals come here, views draw what `changed` carries (a RunSnapshot), and
the Generate panel writes the settings here as a person edits them (kept between sessions at once).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from types import SimpleNamespace

from ...engine.cli import memory_guard
from ...engine.generator import GenerationConfig
from ...engine.sampling import SamplingConfig
from ..qt_compat import QtCore
from ..workers import GenerationWorker, Job, RunRequest, end_job
from .ablation import AblationSession

REDRAW_MS = 50  # steps arrive as fast as the model runs; views hear of them at most 20 times a second
EMPTY, RUNNING, PAUSED, FINISHED = "empty", "running", "paused", "finished"
DEFAULT_PROMPT = "The meaning of life is"
PROVIDERS = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class RunSettings:
    """What the Generate panel shows, as a person left it (`top_k` 0: off; `seed` -1: a new one each run)."""

    prompt: str = DEFAULT_PROMPT
    greedy: bool = True
    temperature: float = 0.8
    top_k: int = 0
    top_p: float = 1.0
    seed: int = 0
    max_tokens: int = 64
    candidates: int = 8
    stop_at_eos: bool = True
    inside: bool = False
    provider: str = "auto"

    def config(self) -> GenerationConfig:
        greedy = self.greedy
        sampling = SamplingConfig(greedy=greedy, temperature=self.temperature,
                                  top_k=self.top_k or None if not greedy else None,
                                  top_p=self.top_p if self.top_p < 1.0 and not greedy else None,
                                  seed=None if self.seed < 0 else self.seed)
        return GenerationConfig(max_new_tokens=self.max_tokens, sampling=sampling, candidates=self.candidates,
                                stop_at_eos=self.stop_at_eos, inside=self.inside)

    def save(self, settings: QtCore.QSettings) -> None:
        for name, value in asdict(self).items():
            settings.setValue(f"generate/{name}", value)

    @classmethod
    def load(cls, settings: QtCore.QSettings) -> "RunSettings":
        """What was saved, each value checked: a hand-edited or older settings file falls back value by value."""
        values = {}
        for f in fields(cls):
            key = f"generate/{f.name}"
            if not settings.contains(key):
                continue
            try:
                kind = type(getattr(cls, f.name))
                value = (settings.value(key, type=bool) if kind is bool else str(settings.value(key)) if kind is str
                         else kind(float(settings.value(key))))
            except (TypeError, ValueError):
                continue
            if f.name == "provider" and value not in PROVIDERS:
                continue
            values[f.name] = value
        return cls(**values)


@dataclass(frozen=True)
class RunSnapshot:
    """The run as views draw it: a copy, so a view holds it safely while the next steps arrive."""

    steps: tuple = ()
    prompt: str = ""  # the run's prompt as typed
    prompt_ids: tuple = ()  # … as the model saw it
    state: str = EMPTY
    result: object = None  # GenerationResult, once the run has paused or ended
    selected: int | None = None  # the step a person picked (None: follow the latest)
    provider: str | None = None  # where the worker runs, once it has opened the model

    @property
    def shown(self) -> int | None:
        """The step on show: the one picked, else the latest."""
        if self.selected is not None and 0 <= self.selected < len(self.steps):
            return self.selected
        return len(self.steps) - 1 if self.steps else None

    @property
    def generated(self) -> int:
        return len(self.steps)


class RunSession(QtCore.QObject):
    changed = QtCore.Signal(object)  # RunSnapshot
    settings_changed = QtCore.Signal(object)  # RunSettings (from any editor: the panel, the Inside tab's hint)
    model_changed = QtCore.Signal()  # another model (its plan: `plan`); the run was cleared
    failed = QtCore.Signal(str, str)  # message, details
    finished = QtCore.Signal(object)  # GenerationResult of a run that ended
    refused = QtCore.Signal(object)  # plan.guard.Verdict: the model would not fit; `run_anyway()` runs it all the same
    _requested = QtCore.Signal(object)  # RunRequest, to the worker's thread

    def __init__(self, qsettings: QtCore.QSettings, parent=None):
        super().__init__(parent)
        self.qsettings = qsettings
        self.settings = RunSettings.load(qsettings)
        self.path: str | None = None
        self.plan = None  # engine.plan.RunPlan: architecture, precision note, what onnxruntime opens
        self.census = None  # the open model's counts: the memory guard's plan before a session is made
        self.forced = False  # a person chose "Run anyway": this model is not checked again
        self._refused: RunRequest | None = None  # the request the guard stopped, for run_anyway
        self._job: Job | None = None
        self.provider: str | None = None
        self.running = False
        self.steps: list = []
        self.prompt_ids: list[int] = []
        self.prompt = ""
        self.result = None
        self.selected: int | None = None
        self._last: RunRequest | None = None
        self._timer = QtCore.QTimer(self, singleShot=True, interval=REDRAW_MS)
        self._timer.timeout.connect(self._emit)
        self.ablation = AblationSession(self, self)  # parts switched off, and what that changes (its own worker)

    # ------------------------------------------------------------------ state
    @property
    def state(self) -> str:
        if self.running:
            return RUNNING
        if not self.steps:
            return EMPTY
        return FINISHED if self.result is not None and self.result.finish else PAUSED

    def snapshot(self) -> RunSnapshot:
        return RunSnapshot(tuple(self.steps), self.prompt, tuple(self.prompt_ids), self.state, self.result,
                           self.selected, self.provider)

    def _emit(self) -> None:
        self._timer.stop()
        self.changed.emit(self.snapshot())

    def flush(self) -> None:
        """Tell the views now rather than at the next redraw tick."""
        self._emit()

    # ------------------------------------------------------------------ the model
    def set_model(self, path: str | None, plan=None, census=None) -> None:
        """Another model (or none): the old worker stopped and its session freed, the run cleared."""
        self.shutdown()
        self.path, self.plan, self.census = path, plan, census
        self.forced, self._refused = False, None
        self._clear()
        self.ablation.set_model(path, plan)
        self.model_changed.emit()
        self._emit()

    def shutdown(self) -> None:
        """Stop a run and end the worker thread (at the end, on a new model, on another provider)."""
        end_job(self._job)
        self._job = None
        self.running = False
        self.provider = None

    # ------------------------------------------------------------------ settings
    def set_settings(self, settings: RunSettings) -> None:
        """As a person edits them; kept at once.  Another provider takes effect with the next run (a run in
        progress or paused keeps its own: the panel does not offer the choice then)."""
        if settings == self.settings:
            return
        old, self.settings = self.settings, settings
        settings.save(self.qsettings)
        if settings.provider != old.provider and self.state in (EMPTY, FINISHED):
            self.shutdown()
        self.settings_changed.emit(settings)

    def update_settings(self, **changes) -> None:
        self.set_settings(replace(self.settings, **changes))

    # ------------------------------------------------------------------ actions
    def _ensure_worker(self) -> bool:
        if self._job is not None:
            return True
        if not self.path:
            return False
        worker = GenerationWorker(self.path, self.settings.provider, self.plan, self._admit())
        self._job = Job(worker, worker.open, requests=[(self._requested, worker.start_run)], started=self._on_started, stepped=self._on_step,
                        branched=self._on_branched, idle=self._on_idle, failed=self._on_failed, ready=self._on_ready,
                        refused=self._on_refused)
        return True

    def _admit(self):
        """The memory guard the worker calls before it makes the session (None: not checked): the prompt as set now
        (a token per UTF-8 byte until the tokenizer counts it) and the new tokens, where the run will sit."""
        if self.forced or self.census is None:
            return None
        s, census = self.settings, self.census
        guard = memory_guard(SimpleNamespace(prompt=s.prompt, prompt_ids=None, max_new_tokens=s.max_tokens,
                                             provider=s.provider))
        return lambda: guard(census)

    def _request(self, request: RunRequest) -> None:
        self._last = request
        self.running = True
        self._emit()
        self._requested.emit(request)  # queued: the worker's thread runs it once the model is open

    def go(self, max_steps: int = 0) -> bool:
        """Step (`max_steps` 1) or Run (0): a new run from the prompt, or the paused one continued with the settings
        as they are now; after a finished run, a new one.  False when nothing can start."""
        if self.running or not self._ensure_worker():
            return False
        if self.state == FINISHED:
            self._clear()
        prompt = None
        if not self.steps:
            self.prompt = prompt = self.settings.prompt
        self._request(RunRequest(prompt, self.settings.config(), max_steps))
        return True

    def branch(self, index: int, token: int) -> bool:
        """Continue the run from step `index` as if it had chosen `token`: the steps after it go, and the run goes
        on from there with the settings as they are now.  False while the run is running (pause it first)."""
        if self.running or self._job is None or not 0 <= index < len(self.steps):
            return False
        self._request(RunRequest(None, self.settings.config(), 0, (index, int(token))))
        return True

    def run_anyway(self) -> bool:
        """The run the memory guard stopped, made without the check (it may not fit: a person chose so)."""
        request, self._refused = self._refused, None
        if request is None or self.running:
            return False
        self.forced = True
        if not self._ensure_worker():
            return False
        if request.prompt is not None:
            self.prompt = request.prompt
        self._request(request)
        return True

    def pause(self) -> None:
        if self._job is not None:
            self._job.worker.pause()

    def stop(self) -> None:
        if self._job is not None:
            self._job.worker.stop()

    def reset(self) -> None:
        """Clear the run (a running one is stopped first: it clears when it has)."""
        if self.running:
            self.stop()
            return
        self._clear()
        self._emit()

    def _clear(self) -> None:
        self.steps, self.result, self.selected, self.prompt_ids, self.prompt = [], None, None, [], ""

    def select(self, index: int | None) -> None:
        """The step on show (its candidates, its inside): from Generate's text or the Inside tab's pager."""
        if index is not None and not 0 <= index < len(self.steps):
            return
        if index != self.selected:
            self.selected = index
            self._emit()

    # ------------------------------------------------------------------ reading
    def token_text(self, token_id: int) -> str:
        """A token id as text (the tokenizer decodes one id safely from any thread)."""
        gen = self._job.worker.gen if self._job is not None else None
        return gen.token_text(token_id) if gen else f"<{token_id}>"

    def context_ids(self, index: int) -> list[int]:
        """The positions step `index` attended over: the prompt's, then the tokens chosen before it."""
        return self.prompt_ids + [s.id for s in self.steps[:index]]

    def candidates_for(self, index: int) -> list[tuple[str, float, int, bool]]:
        """(token text, probability, id, chosen) for step `index`."""
        s = self.steps[index]
        return [(self.token_text(i), p, i, i == s.id) for i, p in s.top]

    # ------------------------------------------------------------------ the worker's signals
    def _mine(self) -> bool:
        return self._job is not None and self._job.owns(self.sender())

    @QtCore.Slot(str)
    def _on_ready(self, provider: str) -> None:
        if self._mine():
            self.provider = provider
            self._emit()

    @QtCore.Slot(object)
    def _on_started(self, prompt_ids) -> None:
        if self._mine():
            self.prompt_ids = list(prompt_ids)
            self.steps, self.result = [], None

    @QtCore.Slot(object)
    def _on_step(self, step) -> None:
        if not self._mine():
            return
        self.steps.append(step)
        if not self._timer.isActive():
            self._timer.start()

    @QtCore.Slot(object)
    def _on_branched(self, step) -> None:
        if self._mine():
            self.steps = self.steps[:step.index] + [step]
            self.selected = None
            self._emit()

    @QtCore.Slot(object)
    def _on_idle(self, result) -> None:
        if not self._mine():
            return
        self.running = False
        self.result = result
        if result is not None:
            self.steps = list(result.steps)  # the engine's list is the truth (a branch, a stopped step)
        self._emit()
        if result is not None and result.finish:
            self.finished.emit(result)

    @QtCore.Slot(object)
    def _on_refused(self, verdict) -> None:
        """The guard said no before any session was made: the worker goes (its queued request finds no model), the
        request waits for "Run anyway"."""
        if not self._mine():
            return
        self.shutdown()
        self._refused = self._last
        if not self.steps:
            self.prompt = ""
        self._emit()
        self.refused.emit(verdict)

    @QtCore.Slot(str, str)
    def _on_failed(self, message: str, details: str) -> None:
        if self._mine():
            self.failed.emit(message, details)
