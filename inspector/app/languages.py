"""The interface's languages, one entry each; a module without Qt, so the command line can offer them before
Qt is loaded (i18n.py installs their translators)."""

from __future__ import annotations

from typing import NamedTuple


class Language(NamedTuple):
    key: str  # the setting and `--language`; "system" follows the system's locale
    label: str | None  # as View → Language names it (the system entry is named from the locale)
    locale: str | None  # Qt's locale name
    report: str | None  # the core's language for its own sentences and reports (messages.py)


LANGUAGES = (Language("system", None, None, None), Language("en", "English", "en_US", "en"),
             Language("zh_CN", "简体中文", "zh_CN", "zh"))
SOURCE = "en"  # the sources' own language: no translation file
