"""What `main.py --screenshot` does before its picture for switching parts off: switch parts off and wait for the
comparison (`--ablate SPEC`), read the heads (`--heads`), and open a switch-off menu (`--menu WHERE`), drawn into
the picture where it opened (a menu is a window of its own: the main window's grab does not hold it)."""

from __future__ import annotations

from ..model.ablation import parse_spec
from .qt_compat import QtGui, QtWidgets

def ablate(session, spec: str, done, failed) -> None:
    """Switch `spec`'s parts off; `done()` once the comparison is in."""
    ablation = session.run.ablation
    state = {"done": False}

    def compared(comparison) -> None:
        if comparison is not None and not state["done"]:
            state["done"] = True
            done()

    ablation.comparison_changed.connect(compared)
    ablation.failed.connect(lambda kind, message, _d: kind == "compare" and failed(message))
    ablation.set_parts(parse_spec(spec))


def read_heads(session, window, done, failed) -> None:
    """Read the heads (the default probe); `done()` once read.  The Inside tab shows them."""
    ablation = session.run.ablation
    ablation.heads_changed.connect(lambda reading: reading is not None and done())
    ablation.failed.connect(lambda kind, message, _d: kind == "heads" and failed(message))
    inside = window.views["inside"]
    inside.pages.setCurrentWidget(inside.heads_panel)
    inside.heads_panel.read()


def open_menu(window, spec: str):
    """Right-click where `spec` says (grid:B.H, heads:B.H, diagram:attn|mlp|heads), a real context-menu event;
    returns the menu that opened, or None."""
    place, _, what = spec.partition(":")
    inside = window.views["inside"]
    window.show_tab("inside")
    if place == "diagram":
        key = {"attn": "block.attn", "mlp": "block.mlp", "heads": "block.attn.heads"}[what]
        canvas = inside.diagram.canvas
        rect = next((pl.rect for pl in canvas.placed if pl.key == key), None)
        widget, point = canvas, rect.center() if rect is not None else None
    else:
        block, head = (int(v) for v in what.split("."))
        if place == "heads":
            inside.pages.setCurrentWidget(inside.heads_panel)
            widget = inside.heads_panel.map
            point = widget.cell_rect(block, head).center() if widget.reading is not None else None
        else:
            inside.pages.setCurrentIndex(0)
            widget = inside.grid
            point = widget._cell(block, head).center() if widget.attention is not None else None
    if point is None:
        return None
    QtWidgets.QApplication.processEvents()
    local = point.toPoint()
    event = QtGui.QContextMenuEvent(QtGui.QContextMenuEvent.Mouse, local, widget.mapToGlobal(local))
    QtWidgets.QApplication.sendEvent(widget, event)
    menu = inside.heads_panel.menu if place == "heads" else inside.switch_menu
    QtWidgets.QApplication.processEvents()
    return menu


def grab(window, menu=None) -> QtGui.QPixmap:
    """The window's picture, with `menu` drawn where it opened."""
    picture = window.grab()
    if menu is not None and menu.isVisible():
        painter = QtGui.QPainter(picture)
        painter.drawPixmap(window.mapFromGlobal(menu.pos()), menu.grab())
        painter.end()
    return picture

