"""The interface's languages: one list, the translators Qt loads for them, and the few helpers that
translated strings need (plurals, the translate call for modules without a QObject).

English is the source text; each other language is one `.ts` file in `translations/` (made and refreshed by
`pyside6-lupdate`, compiled to `.qm` by `pyside6-lrelease`: `python -m inspector.app.i18n --update`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .qt_compat import QtCore

HERE = Path(__file__).resolve().parent / "translations"
# (setting, name shown in View → Language, Qt locale name); "system" follows the system's locale
LANGUAGES = (("system", None, None), ("en", "English", "en_US"), ("zh_CN", "简体中文", "zh_CN"))
SETTING = "language"
REPORT_LANGUAGE = {"en": "en", "zh_CN": "zh"}  # the interface's language -> the core's (report/i18n.py)
_installed: list = []
_current = ["en"]


def translate(context: str, text: str) -> str:
    return QtCore.QCoreApplication.translate(context, text)


def core(text: str) -> str:
    """A string of the core's vocabulary (why a run ended, a report format's name) in the interface's language:
    those are translated once, in the core's catalogue, for the app and the reports alike."""
    from ..report.i18n import translator

    return translator(REPORT_LANGUAGE.get(_current[0], "en"))(text)


def progress(message: str) -> str:
    """A progress sentence of the core (progress_text.py) in the interface's language."""
    from ..progress_text import translated

    return translated(message, core)


def current() -> str:
    return _current[0]


def plural(n: int, one: str, many: str, *more) -> str:
    """`one`/`many` already translated, {0} for the number (and {1}… for `more`): "1 node", "3 nodes"."""
    return (one if n == 1 else many).format(f"{n:,}", *more)


def resolve(choice: str | None) -> str:
    """The language a setting means: "system" (or none) → the system locale's, when there is a translation."""
    if choice and choice != "system":
        return choice
    name = QtCore.QLocale.system().name()  # e.g. zh_CN, en_GB
    for key, _label, locale in LANGUAGES[1:]:
        if locale == name or (locale and locale.split("_")[0] == name.split("_")[0] and key != "en"):
            return key
    return "en"


def install(app, choice: str | None) -> str:
    """Load the translation for `choice` (and Qt's own, for its dialogs' buttons); returns the language used.
    Reinstalling replaces the previous translators; windows made afterwards show the new language."""
    for t in _installed:
        app.removeTranslator(t)
    _installed.clear()
    lang = resolve(choice)
    _current[0] = lang
    locale = next(loc for key, _label, loc in LANGUAGES[1:] if key == lang)
    QtCore.QLocale.setDefault(QtCore.QLocale(locale))
    if lang == "en":
        return lang
    ours = QtCore.QTranslator(app)
    if ours.load(str(HERE / f"inspector_{lang}.qm")):
        app.installTranslator(ours)
        _installed.append(ours)
    qt = QtCore.QTranslator(app)
    qt_dir = QtCore.QLibraryInfo.path(QtCore.QLibraryInfo.TranslationsPath)
    if qt.load(f"qtbase_{lang}", qt_dir):
        app.installTranslator(qt)
        _installed.append(qt)
    return lang


def update(release_only: bool = False) -> None:
    """Refresh the .ts files from the sources (keeps existing translations) and compile them."""
    bin_dir = Path(sys.executable).parent
    sources = sorted(str(p) for p in Path(__file__).resolve().parent.glob("*.py"))
    for key, _label, _locale in LANGUAGES[2:]:
        ts = HERE / f"inspector_{key}.ts"
        if not release_only:
            subprocess.run([str(bin_dir / "pyside6-lupdate"), *sources, "-ts", str(ts), "-no-obsolete"], check=True)
        subprocess.run([str(bin_dir / "pyside6-lrelease"), str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True)


if __name__ == "__main__":
    update(release_only="--release" in sys.argv)
