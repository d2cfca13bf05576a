"""The bundled font subsets (assets/fonts): registered once, and placed last in the default family's fallback
chain, so Chinese, Japanese, Korean, Arabic, Hebrew and emoji render where the system has no font for them while
the system's own fonts, when it has them, still come first."""

from __future__ import annotations

from importlib import resources

from .qt_compat import QtGui

_families: list[str] | None = None


def font_files() -> list:
    folder = resources.files("inspector") / "assets" / "fonts"
    return sorted(p for p in folder.iterdir() if p.name.endswith((".otf", ".ttf")))


def install_fonts() -> list[str]:
    """The bundled families, registered with Qt (needs a QGuiApplication); safe to call again."""
    global _families
    if _families is not None:
        return _families
    families: list[str] = []
    for path in font_files():
        with resources.as_file(path) as p:
            font_id = QtGui.QFontDatabase.addApplicationFont(str(p))
        if font_id >= 0:
            families += [f for f in QtGui.QFontDatabase.applicationFontFamilies(font_id) if f not in families]
    base = QtGui.QGuiApplication.font().family()
    for family in {base, "Sans Serif", "DejaVu Sans", "Monospace", "DejaVu Sans Mono"}:
        QtGui.QFont.insertSubstitutions(family, families)
    _families = families
    return families
