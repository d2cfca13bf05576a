"""The comparison: what is compared with what, the worker doing it, and the result on show — a pair of models,
or every variant of the open model's folder (kept while one of its files is compared on its own, to go back to).

It outlives the window; the Compare view draws what this object's signals carry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from ..qt_compat import QtCore
from ..workers import CompareWorker, Job, end_job

DEFAULT_PROMPT = "The meaning of life is"
DEFAULT_TOKENS = 32
PAIR, VARIANTS = "pair", "variants"


@dataclass(frozen=True)
class CompareTask:
    """A pair: A and B (a file or folder each, `variant_*` a file of a folder); every variant: `a` is the folder."""

    kind: str
    a: str
    b: str | None = None
    variant_a: str | None = None
    variant_b: str | None = None

    @property
    def names(self) -> tuple[str, str]:
        """What the title calls A and B (a folder's variant by its file name)."""
        def name(path, variant):
            return Path(variant).name if variant else Path(path).name

        return name(self.a, self.variant_a), name(self.b or "", self.variant_b)


class ComparisonSession(QtCore.QObject):
    started = QtCore.Signal(object)  # CompareTask
    progress = QtCore.Signal(float, object)  # fraction, the core's progress line (a messages.Message)
    finished = QtCore.Signal(object)  # compare.run.Comparison, or a list of compare.variants.VariantRow
    failed = QtCore.Signal(str, str)
    refused = QtCore.Signal(object)  # plan.guard.Verdict: both models at once would not fit; `run_anyway()` runs it
    busy_changed = QtCore.Signal(bool)
    cleared = QtCore.Signal()  # a new model: nothing compared yet
    settings_changed = QtCore.Signal()  # the prompt or the number of tokens

    def __init__(self, qsettings: QtCore.QSettings, parent=None):
        super().__init__(parent)
        self.qsettings = qsettings
        self.prompt = str(qsettings.value("compare/prompt", DEFAULT_PROMPT))
        try:
            self.tokens = max(1, int(qsettings.value("compare/tokens", DEFAULT_TOKENS)))
        except (TypeError, ValueError):
            self.tokens = DEFAULT_TOKENS
        self.budget = str(qsettings.value("compare/budget", ""))  # the variants' memory budget, as typed
        self.model_path: Path | None = None  # A: the open model's file
        self.folder: Path | None = None  # its folder, when it holds several model files
        self.task: CompareTask | None = None
        self.result = None
        self.variants = None  # the last table of every variant (kept while one of them is compared)
        self.variants_task: CompareTask | None = None
        self._job: Job | None = None

    # ------------------------------------------------------------------ the model and the settings
    def set_model(self, census) -> None:
        """A new model: the old comparison no longer applies."""
        self.cancel()
        self.task = self.result = self.variants = self.variants_task = None
        source = census.model.source if census is not None else None
        self.model_path = census.model.path if census is not None else None
        self.folder = source.root if source is not None and len(source.variants) > 1 else None
        self.cleared.emit()

    def set_prompt(self, prompt: str, tokens: int) -> None:
        if (prompt, tokens) == (self.prompt, self.tokens):
            return
        self.prompt, self.tokens = prompt, tokens
        self.qsettings.setValue("compare/prompt", prompt)
        self.qsettings.setValue("compare/tokens", tokens)
        self.settings_changed.emit()

    def set_budget(self, text: str) -> None:
        """The memory budget the variants' recommendation is for (as typed; empty: any size)."""
        if text != self.budget:
            self.budget = text
            self.qsettings.setValue("compare/budget", text)

    def budget_bytes(self) -> int | None:
        """The budget as bytes; None for none, or for what is not a size (the view says why)."""
        from ...compare.advice import parse_budget
        from ...errors import InspectorError

        try:
            return parse_budget(self.budget) if self.budget.strip() else None
        except InspectorError:
            return None

    @property
    def busy(self) -> bool:
        return self._job is not None

    # ------------------------------------------------------------------ starting
    def compare_with(self, path: str | Path) -> bool:
        """The open model (A) against the model at `path` (B)."""
        if self.model_path is None:
            return False
        return self.start(CompareTask(PAIR, str(self.model_path), str(path)))

    def compare_variants(self) -> bool:
        """Every file of the open model's folder against the float one."""
        if self.folder is None:
            return False
        return self.start(CompareTask(VARIANTS, str(self.folder)))

    def open_variant(self, row) -> bool:
        """A row of the variants' table compared on its own with the table's reference, tensor by tensor."""
        reference = next((r for r in self.variants or [] if r.reference), None)
        if reference is None or row.reference or self.variants_task is None:
            return False
        folder = self.variants_task.a
        return self.start(CompareTask(PAIR, folder, folder, reference.file, row.file))

    def back_to_variants(self) -> bool:
        """The variants' table again, as it was (no new run)."""
        if self.variants is None:
            return False
        self.cancel()
        self.task, self.result = self.variants_task, self.variants
        self.started.emit(self.task)
        self.finished.emit(self.result)
        return True

    def rerun(self) -> bool:
        """The same comparison with the prompt and tokens as they are now."""
        return self.task is not None and self.start(self.task)

    def run_anyway(self) -> bool:
        """The comparison the memory guard stopped, run without the check (a person chose so)."""
        return self.task is not None and not self.busy and self.start(self.task, force=True)

    def start(self, task: CompareTask, force: bool = False) -> bool:
        """`force`: no memory check before the two sessions are made (otherwise a comparison that would not fit
        this machine is `refused` before either is)."""
        from ...compare.run import compare
        from ...compare.text import TEXT_WINDOW
        from ...compare.variants import DEFAULT_PROMPT as VARIANTS_PROMPT, compare_variants
        from ...plan.compare_guard import admit_pair, guard_compare

        self.cancel()
        prompt, tokens = self.prompt or None, self.tokens
        held = SimpleNamespace(variants=task.kind == VARIANTS, a=task.a, b=task.b, variant_a=task.variant_a,
                               variant_b=task.variant_b, max_new_tokens=tokens, provider="auto")

        def check() -> None:  # in the worker: the counts of both files are taken there
            if not force:
                guard_compare(held, prompt or (VARIANTS_PROMPT if task.kind == VARIANTS else None), TEXT_WINDOW)

        if task.kind == VARIANTS:
            def job(progress, cancelled):
                check()
                return compare_variants(task.a, prompt, tokens, progress=progress, cancelled=cancelled)
        else:  # two models: compare checks the two censuses it takes before it makes a session
            admit = None if force or not prompt else admit_pair(prompt, tokens, "auto", TEXT_WINDOW)

            def job(progress, cancelled):
                return compare(task.a, task.b, prompt, tokens, variant_a=task.variant_a, variant_b=task.variant_b,
                               progress=progress, cancelled=cancelled, admit=admit)
        self.task = task
        worker = CompareWorker(job)
        self._job = Job(worker, worker.run, progress=self._on_progress, compared=self._on_compared,
                        failed=self._on_failed, refused=self._on_refused, done=self._on_done)
        self.started.emit(task)
        self.busy_changed.emit(True)
        return True

    def cancel(self) -> None:
        if self._job is None:
            return
        end_job(self._job)
        self._job = None
        self.busy_changed.emit(False)

    # ------------------------------------------------------------------ the worker's signals
    def _mine(self) -> bool:
        return self._job is not None and self._job.owns(self.sender())

    def _finish(self) -> None:
        """The worker's answer is in: idle again at once (its `done` may still be queued)."""
        end_job(self._job)
        self._job = None
        self.busy_changed.emit(False)

    @QtCore.Slot(float, object)
    def _on_progress(self, fraction: float, message) -> None:
        if self._mine():
            self.progress.emit(fraction, message)

    @QtCore.Slot(object)
    def _on_compared(self, result) -> None:
        if not self._mine():
            return
        self._finish()
        self.result = result
        if isinstance(result, list):
            self.variants, self.variants_task = result, self.task
        self.finished.emit(result)

    @QtCore.Slot(str, str)
    def _on_failed(self, message: str, details: str) -> None:
        if self._mine():
            self._finish()
            self.failed.emit(message, details)

    @QtCore.Slot(object)
    def _on_refused(self, verdict) -> None:
        if self._mine():
            self._finish()
            self.refused.emit(verdict)

    @QtCore.Slot()
    def _on_done(self) -> None:
        if self._mine():  # a cancelled job: nothing came, the worker has ended
            self._finish()
