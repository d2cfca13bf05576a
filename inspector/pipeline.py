"""Open a model and take its census with statistics: the one pipeline the command line, the report
command and the app's loading worker all run (file → loaded model → census → statistics).

Progress goes to `progress(fraction, message)`; `cancelled()` is polled between the steps and
between tensors, and raises Cancelled when it says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from .errors import Cancelled
from .model import load_model, take_census
from .model.census import Census
from .stats import compute_statistics
from . import progress_text as say

Progress = say.Progress
LOADED, WALKED = 0.02, 0.05  # the share of progress the parse and the graph walk take; statistics the rest


def inspect(path: str | Path, variant: str | None = None, statistics: bool = True,
            progress: Progress | None = None, cancelled: Callable[[], bool] | None = None) -> Census:
    report = progress or (lambda _f, _m: None)
    check = cancelled or (lambda: False)
    report(0.0, say.READING_GRAPH())
    model = load_model(path, variant=variant)
    try:
        if check():
            raise Cancelled()
        report(LOADED, say.WALKING_GRAPH())
        census = take_census(model)
        if statistics:
            compute_statistics(census, lambda f, m: report(WALKED + (1 - WALKED) * f, m), check)
    except BaseException:
        model.close()
        raise
    return census
