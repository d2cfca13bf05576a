"""The right-click menus that switch parts off: a head (the Inside tab's attention grid, its heads map), a block's
attention or MLP (the model diagram's boxes).  An entry this model cannot take is greyed out with the reason as
its tooltip; a part already off offers to switch it back on; every menu ends with "switch everything back on"
while something is off.  The parts live in the session (session/ablation.py); the menu only asks it."""

from __future__ import annotations

from ..model.ablation import Part
from .qt_compat import QtCore, QtWidgets

# why an entry is greyed out before the model says (session/ablation.py translates them in this context)
HOOKS_PENDING = QtCore.QT_TRANSLATE_NOOP("SwitchOffMenu", "still finding where this model's parts can be switched "
                                         "off")
NO_MODEL = QtCore.QT_TRANSLATE_NOOP("SwitchOffMenu", "no model is open")


class SwitchOffMenu(QtWidgets.QMenu):
    """Build with `for_head` or `for_box`; `exec` it at the pointer."""

    def __init__(self, ablation, parent=None):
        super().__init__(parent)
        self.ablation = ablation
        self.setToolTipsVisible(True)  # a greyed-out entry says why

    @classmethod
    def for_head(cls, ablation, block: int, head: int, parent=None) -> "SwitchOffMenu":
        menu = cls(ablation, parent)
        menu.add_part(Part(block, "head", head))
        menu.add_part(Part(block, "attn"))
        menu.add_clear()
        return menu

    @classmethod
    def for_box(cls, ablation, block: int, key: str, heads: int = 0, parent=None) -> "SwitchOffMenu | None":
        """The menu for the diagram's box `key` of block `block` (None for a box that is no attention or MLP);
        the heads box lists its `heads` heads too."""
        if key.startswith("block.attn"):
            menu = cls(ablation, parent)
            menu.add_part(Part(block, "attn"))
            if key == "block.attn.heads" and heads:
                menu.add_heads(block, heads)
        elif key.startswith("block.mlp"):
            menu = cls(ablation, parent)
            menu.add_part(Part(block, "mlp"))
        else:
            return None
        menu.add_clear()
        return menu

    def add_heads(self, block: int, heads: int) -> None:
        sub = self.addMenu(self.tr("Switch off one head"))
        sub.setToolTipsVisible(True)
        for h in range(heads):
            self.add_part(Part(block, "head", h), sub)

    def text_for(self, part: Part, off: bool) -> str:
        if part.kind == "head":
            return (self.tr("Switch off head {1} of block {0}") if off else
                    self.tr("Switch head {1} of block {0} back on")).format(part.block, part.head)
        if part.kind == "attn":
            return (self.tr("Switch off the attention of block {0}") if off else
                    self.tr("Switch the attention of block {0} back on")).format(part.block)
        return (self.tr("Switch off the MLP of block {0}") if off else
                self.tr("Switch the MLP of block {0} back on")).format(part.block)

    def add_part(self, part: Part, menu: QtWidgets.QMenu | None = None):
        """One entry: switch `part` off (or back on, when it is off); greyed out with the reason when the model
        cannot take it."""
        off = not self.ablation.is_off(part)
        action = (menu or self).addAction(self.text_for(part, off))
        action.setData(part)
        why = self.ablation.why_not(part) if off else ""
        if why:
            action.setEnabled(False)
            action.setToolTip(why)
        action.triggered.connect(lambda _checked=False, p=part, o=off: self.ablation.switch(p, o))
        return action

    def add_clear(self) -> None:
        n = len(self.ablation.parts)
        if n:
            self.addSeparator()
            action = self.addAction(self.tr("Switch everything back on ({0} off)").format(n))
            action.triggered.connect(self.ablation.clear)

    def entries(self) -> list:
        """Every action, the submenu's included (for tests and keyboard users)."""
        out = []
        for action in self.actions():
            out.extend(action.menu().actions() if action.menu() else [action])
        return [a for a in out if not a.isSeparator()]
