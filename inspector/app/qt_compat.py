"""Import PySide6 before pyqtgraph so pyqtgraph binds to it; one place sets its options."""

from PySide6 import QtCore, QtGui, QtWidgets  # noqa: F401  (must come first)

import pyqtgraph as pg  # noqa: E402

pg.setConfigOptions(antialias=True, background="w", foreground="#333")

WEIGHT_COLOR = "#3b6ea8"
BIAS_COLOR = "#d9822b"
ACCENT = "#2a9d8f"
