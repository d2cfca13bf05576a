"""The report's languages. English is the templates' own text; another language is one JSON file in `i18n/`
mapping each English string to its translation (a string missing there stays English, never blank).

`python -m inspector.report.strings` lists the strings a translation still lacks."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Callable

LANGUAGES = {"en": "English", "zh": "简体中文"}  # report --lang choices; the app's dialog offers the same
DEFAULT = "en"


@functools.lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    if lang == DEFAULT:
        return {}
    if lang not in LANGUAGES:
        raise ValueError(f"unknown report language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    text = (resources.files("inspector.report") / "i18n" / f"{lang}.json").read_text(encoding="utf-8")
    return {k: v for k, v in json.loads(text).items() if isinstance(v, str) and v}


def translator(lang: str = DEFAULT) -> Callable[[str], str]:
    table = catalog(lang)
    return lambda text: table.get(text, text)
