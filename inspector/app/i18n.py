"""The translators Qt loads for the interface's languages (languages.py), and the few helpers that translated
strings need (plurals, the translate call for modules without a QObject, the core's messages).

English is the source text; each other language is one `.ts` file in `translations/` (made and refreshed by
`pyside6-lupdate`, compiled to `.qm` by `pyside6-lrelease`: `python -m inspector.app.i18n`, or `--release` to
compile only)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ..messages import Text, render
from .languages import LANGUAGES, SOURCE
from .qt_compat import QtCore

HERE = Path(__file__).resolve().parent / "translations"
SETTING = "language"
# Qt's own dialogs read their words from Qt's catalogue (qtbase_LANG.qm, shipped with PySide6); where that catalogue
# lacks one (Qt 6's zh_CN has the file dialog's "Look in:" but not its "&Look in:"), ours carries it under Qt's
# context: Qt asks every installed translator, its own first.
QT_GAPS = (
    QtCore.QT_TRANSLATE_NOOP("QFileDialog", "&Look in:"),
    QtCore.QT_TRANSLATE_NOOP("QFileDialog", "Files of &type:"),
)
_TRANSLATED = [lang for lang in LANGUAGES if lang.locale]  # every entry but "system"
_installed: list = []
_current = [SOURCE]


def translate(context: str, text: str) -> str:
    return QtCore.QCoreApplication.translate(context, text)


def core(text: Text) -> str:
    """What the core says (a Message, or a word of its vocabulary: why a run ended, a report format's name) in the
    interface's language: one catalogue (messages.py) for the app, the command line and the reports."""
    return render(text, report_language())


def report_language() -> str:
    """The core's language (messages.py) for the interface's."""
    return next(lang.report for lang in _TRANSLATED if lang.key == _current[0])


def describe_error(exc: BaseException) -> tuple[str, str]:
    """errors.describe_error in the interface's language: (one line, the details)."""
    from ..errors import describe_error as described

    return described(exc, report_language())


def progress(message: Text) -> str:
    """A progress line of the core (progress_text.py) in the interface's language."""
    return core(message)


def plural(n: int, one: str, many: str, *more) -> str:
    """`one`/`many` already translated, {0} for the number (and {1}… for `more`): "1 node", "3 nodes"."""
    return (one if n == 1 else many).format(f"{n:,}", *more)


def resolve(choice: str | None) -> str:
    """The language a setting means: "system" (or none) → the system locale's, when there is a translation."""
    if choice and choice != "system":
        return choice
    name = QtCore.QLocale.system().name()  # e.g. zh_CN, en_GB
    for lang in _TRANSLATED:
        if lang.locale == name or (lang.locale.split("_")[0] == name.split("_")[0] and lang.key != SOURCE):
            return lang.key
    return SOURCE


def install(app, choice: str | None) -> str:
    """Load the translation for `choice` (and Qt's own, for its dialogs' buttons); returns the language used.
    Reinstalling replaces the previous translators; windows made afterwards show the new language."""
    for t in _installed:
        app.removeTranslator(t)
    _installed.clear()
    lang = resolve(choice)
    _current[0] = lang
    locale = next(entry.locale for entry in _TRANSLATED if entry.key == lang)
    QtCore.QLocale.setDefault(QtCore.QLocale(locale))
    if lang == SOURCE:
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
    for lang in _TRANSLATED:
        if lang.key == SOURCE:
            continue
        ts = HERE / f"inspector_{lang.key}.ts"
        if not release_only:
            subprocess.run([str(bin_dir / "pyside6-lupdate"), *sources, "-ts", str(ts), "-no-obsolete"], check=True)
        subprocess.run([str(bin_dir / "pyside6-lrelease"), str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True)


if __name__ == "__main__":
    update(release_only="--release" in sys.argv)
