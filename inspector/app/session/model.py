"""The open model: its source, census, statistics and run plan, the load in progress, and the recent list.

It outlives the window (a language switch rebuilds the window around it): the loading worker's signals come
here, not to a widget, and views learn of the model through this object's signals.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...engine.metrics import release_memory
from ...engine.plan import plan_for
from ...errors import safe_text
from ...messages import Message
from ...model.sources import open_source
from ..qt_compat import QtCore
from ..workers import Job, LoadWorker, end_job

MAX_RECENT = 10


@dataclass(frozen=True)
class Loading:
    """A load in progress, as the status bar shows it (`message`: the core's progress line, a messages.Message the
    view renders in the interface's language)."""

    name: str
    fraction: float = 0.0
    message: Message | None = None


class ModelSession(QtCore.QObject):
    loading = QtCore.Signal(object)  # Loading while a load runs, None when it has ended
    counted = QtCore.Signal(object)  # Census without statistics: counts, architecture, graph
    layer_ready = QtCore.Signal(object)  # a Layer whose statistics are in
    statistics_ready = QtCore.Signal(object)  # Census: every statistic is in
    failed = QtCore.Signal(str, str)  # message, details (the model shown before stays)
    cancelled = QtCore.Signal(str, str)  # the file whose opening was cancelled, the file still shown ("" if none)
    recent_changed = QtCore.Signal()

    def __init__(self, settings: QtCore.QSettings, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.census = None
        self.plan = None  # engine.plan.RunPlan of the model shown
        self.progress: Loading | None = None
        self._job: Job | None = None
        self._asked: tuple[str, str | None] = ("", None)  # what the load in progress was asked to open

    @property
    def source(self):
        return self.census.model.source if self.census is not None else None

    @property
    def variants(self) -> list:
        return list(self.source.variants) if self.source is not None else []

    # ------------------------------------------------------------------ loading
    def check(self, path: str | Path):
        """The model source at `path` (its variants), or a one-line InspectorError."""
        return open_source(path)

    def open(self, path: str | Path, variant: str | None = None) -> None:
        """Load `path` off the GUI thread; a load in progress is cancelled (quietly: a newer one replaces it)."""
        end_job(self._job)
        self._asked = (str(path), variant)
        name = safe_text(Path(path).name if not variant else f"{Path(path).name}/{variant}", 60)
        self.progress = Loading(name)
        worker = LoadWorker(str(path), variant)
        self._job = Job(worker, worker.run, progress=self._on_progress, counted=self._on_counted,
                        layer_ready=self._on_layer_ready, loaded=self._on_statistics, failed=self._on_failed,
                        done=self._on_done)
        self.loading.emit(self.progress)

    def cancel(self) -> None:
        """Cancel a load in progress; says so (`cancelled`) when one was running."""
        if self._job is None:
            return
        end_job(self._job)
        self._job = None
        name, self.progress = self.progress.name if self.progress else "", None
        self.loading.emit(None)
        self.cancelled.emit(name, self.census.model.path.name if self.census is not None else "")

    @property
    def busy(self) -> bool:
        return self._job is not None

    def _mine(self) -> bool:
        return self._job is not None and self._job.owns(self.sender())

    @QtCore.Slot(float, object)
    def _on_progress(self, fraction: float, message: Message) -> None:
        if self._mine() and self.progress is not None:
            self.progress = Loading(self.progress.name, fraction, message)
            self.loading.emit(self.progress)

    @QtCore.Slot(object, object)
    def _on_counted(self, census, plan=None) -> None:
        """The census without statistics: every view fills with the counts (the old model's run and comparison go
        first, through `counted`'s first listeners, the session's); the statistics follow layer by layer."""
        if not self._mine():
            return
        self.show(census, plan)

    def show(self, census, plan=None) -> None:
        """Make `census` the open model (from a load, or one taken elsewhere) and tell every listener."""
        old = self.census
        self.census = census
        self.plan = plan if plan is not None else plan_for(census)
        path, variant = self._asked
        self._remember(str(census.model.path) if variant or not path else path, census.model.path)
        source = census.model.source
        self.settings.setValue("last_folder", str(source.root if source is not None else census.model.path.parent))
        self.counted.emit(census)
        if old is not None and old is not census:
            old.model.close()  # its maps
            QtCore.QTimer.singleShot(0, release_memory)  # and the heap it freed, back to the system
        if census.statistics_done:  # a census that came with its statistics
            self.statistics_ready.emit(census)

    @QtCore.Slot(str)
    def _on_layer_ready(self, name: str) -> None:
        if self._mine() and self.census is not None and (layer := self.census.layer(name)) is not None:
            self.layer_ready.emit(layer)

    @QtCore.Slot()
    def _on_statistics(self) -> None:
        if self._mine() and self.census is not None:
            self.statistics_ready.emit(self.census)

    @QtCore.Slot(str, str)
    def _on_failed(self, message: str, details: str) -> None:
        if self._mine():
            self.failed.emit(message, details)

    @QtCore.Slot()
    def _on_done(self) -> None:
        if self._mine():
            end_job(self._job)
            self._job, self.progress = None, None
            self.loading.emit(None)

    def close(self) -> None:
        """At the end: the load stopped, the model's maps closed."""
        end_job(self._job)
        self._job = None
        if self.census is not None:
            self.census.model.close()

    # ------------------------------------------------------------------ recent models
    def recent(self) -> list[str]:
        value = self.settings.value("recent", [])
        if isinstance(value, str):
            value = [value]
        return [v for v in (value or []) if isinstance(v, str)]

    def clear_recent(self) -> None:
        self.settings.setValue("recent", [])
        self.recent_changed.emit()

    def _remember(self, path: str, model_file: Path | None = None) -> None:
        """Once per model: the folder and its model file are the same entry (the latest way it was opened)."""
        model_file = (model_file or Path(path)).resolve()

        def same(p: str) -> bool:
            q = Path(p).resolve()
            return q == model_file or q == Path(path).resolve() or (q.is_dir() and model_file.is_relative_to(q))

        items = [path] + [p for p in self.recent() if not same(p)]
        self.settings.setValue("recent", items[:MAX_RECENT])
        self.settings.setValue("last_model", path)
        self.recent_changed.emit()

