"""Import PySide6 before pyqtgraph so pyqtgraph binds to it; one place sets its options."""

from PySide6 import QtCore, QtGui, QtWidgets  # noqa: F401  (must come first)

import pyqtgraph as pg  # noqa: E402

from .. import palette  # noqa: E402

pg.setConfigOptions(antialias=True, background="w", foreground=palette.PLOT_FOREGROUND)
# No grid lines anywhere: pyqtgraph draws them antialiased and translucent across the whole plot on every
# axis paint, 10-40 ms each in a software rasteriser, which alone broke the 50 ms GUI-stall budget.

WEIGHT_COLOR, BIAS_COLOR, ACCENT = palette.WEIGHT, palette.BIAS, palette.ACCENT
