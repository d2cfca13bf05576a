"""What the engine takes from a census: the architecture, the precision note, and what onnxruntime should open.

The window has its census already and hands the plan to the generation worker; the command line
takes a census first (which checks the file before onnxruntime reads a byte) and builds it here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..messages import Message
from ..model.architecture import Architecture
from ..model.pruning import pruned
from ..stats.precision import precision_view
from .experts import find_router_probes


@dataclass(frozen=True)
class RunPlan:
    architecture: Architecture | None = None  # fills what the session's inputs leave open (a fused cache's head size)
    note: Message | None = None  # why greedy ids may differ from the float model's
    model_bytes: bytes | None = None  # a copy without dead nodes, for a file full of them (model/pruning.py)
    external_folder: str | None = None  # where that copy's external data lies
    precision: dict | None = None  # stats.precision's view
    routers: object | None = None  # experts.RouterProbes: where a mixture of experts' routers say what they chose


def plan_for(census) -> RunPlan:
    model = census.model
    copy = None
    if not any(t.span is not None for t in model.tensors.values()):  # a lazily parsed file lacks its weights here
        copy = pruned(model.proto)
    view = precision_view(census)
    return RunPlan(census.architecture, view["note"], copy.SerializeToString() if copy is not None else None,
                   str(model.folder) if copy is not None and model.external_bytes else None, view,
                   find_router_probes(census))
