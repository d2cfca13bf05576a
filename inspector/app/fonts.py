"""The bundled font subsets (assets/fonts), registered once: the platform's font fallback then finds them for
Chinese, Japanese, Korean, Arabic, Hebrew and emoji where the system has no font for them, while the system's own
fonts, when it has them, still come first."""

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
    # No QFont.insertSubstitutions: registered fonts are already in the platform's fallback (fontconfig's set on
    # Linux), and a substitution list makes every line as tall as the tallest font in it (CJK: 25 px, not 17).
    _families = families
    return families
