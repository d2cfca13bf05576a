"""What a person has open and has done, under the views: the model (`model`), the generation run (`run`), the
comparison (`comparison`), and what each view was showing (`views`: its selection, its choices).

The window is built around a Session and can be rebuilt around the same one (View → Language): the work in
progress goes on, and every view shows again what it showed.  Views listen to these objects' signals (which
carry plain dataclasses and the core's own objects) and never read one another; a view that wants another to
show something asks here (`go_to`, `show_layer`).
"""

from __future__ import annotations

from ..qt_compat import QtCore
from .comparison import CompareTask, ComparisonSession
from .cost import CostSession
from .model import Loading, ModelSession
from .run import EMPTY, FINISHED, PAUSED, RUNNING, RunSession, RunSettings, RunSnapshot

__all__ = ["CompareTask", "ComparisonSession", "EMPTY", "FINISHED", "Loading", "ModelSession", "PAUSED", "RUNNING",
           "RunSession", "RunSettings", "RunSnapshot", "Session"]


class Session(QtCore.QObject):
    go_to = QtCore.Signal(str)  # a view asks for a tab (tabs.py's key)
    show_layer = QtCore.Signal(str, str)  # a layer (and tensor, or "") to select in Layers

    def __init__(self, settings: QtCore.QSettings, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.model = ModelSession(settings, self)
        self.run = RunSession(settings, self)
        self.comparison = ComparisonSession(settings, self)
        self.cost = CostSession(settings, self.run, self)
        self.views: dict[str, object] = {}  # tab key -> what its view was showing, kept across a rebuild
        # the first listeners: the old model's run and comparison go before any view fills with the new one
        self.model.counted.connect(self._counted)

    def _counted(self, census) -> None:
        self.run.set_model(str(census.model.path), self.model.plan, census)
        self.comparison.set_model(census)
        self.cost.set_model(census)

    def pick_layer(self, layer: str, tensor: str = "") -> None:
        """Select a layer (and tensor) in Layers and show that tab."""
        self.show_layer.emit(layer, tensor)
        self.go_to.emit("layers")

    def close(self) -> None:
        """The last window closed: every worker ends, the model's maps close."""
        self.run.shutdown()
        self.run.ablation.shutdown()
        self.comparison.cancel()
        self.cost.close()
        self.model.close()
