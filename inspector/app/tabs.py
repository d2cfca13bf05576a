"""The window's tabs, in order: one entry each — the key a command line and the session name it by, its title,
and its view ("module:Class" under inspector.app, imported when the window is built).  No Qt here: `main.py`
reads the keys before it knows whether there is a display.

A view is a QWidget made as `View(session)`; it listens to the session (session/) and may have
`fill(census)` (a generator, staged: yield after each bounded piece of work, `staging.PAINT` after a plot),
`finish_statistics(census)` (the same, once every statistic is in), `state()` / `restore_state(state)` (what it
shows, kept when the window is rebuilt) and `save_settings` / `restore_settings` (kept between sessions).
Adding a view is its module and one line here.
"""

from __future__ import annotations

from typing import NamedTuple


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate looks for
    """Marks a title for the translation tools; the window shows it translated."""
    return text


class Tab(NamedTuple):
    key: str
    title: str  # translated in the "MainWindow" context
    view: str  # "module:Class" in inspector.app


TABS = (
    Tab("overview", QT_TRANSLATE_NOOP("MainWindow", "Overview"), "overview_view:OverviewView"),
    Tab("layers", QT_TRANSLATE_NOOP("MainWindow", "Layers"), "layers_view:LayersView"),
    Tab("graph", QT_TRANSLATE_NOOP("MainWindow", "Graph"), "graph_view:GraphView"),
    Tab("generate", QT_TRANSLATE_NOOP("MainWindow", "Generate"), "generate_view:GenerateView"),
    Tab("inside", QT_TRANSLATE_NOOP("MainWindow", "Inside"), "inside_view:InsideView"),
    Tab("compare", QT_TRANSLATE_NOOP("MainWindow", "Compare"), "compare_view:CompareView"),
    Tab("cost", QT_TRANSLATE_NOOP("MainWindow", "Cost"), "cost_view:CostView"),
)
TAB_KEYS = tuple(tab.key for tab in TABS)
