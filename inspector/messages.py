"""What the core says to people, as a key and its arguments, rendered in a language from one catalogue.

The core never hands a finished sentence to a view: it hands a `Message` — the English sentence, a format string
with `{0}`-style places (the catalogue's key, as gettext's msgid), and what fills them. The app, the command line
and the reports render it with `render` in their language; the JSON keeps the English (json_output.py renders
every Message it meets). Each sentence is written once, where the module that says it declares it with
`sentence()`; another language is one JSON file mapping each English sentence to its translation (a sentence
missing there stays English, never blank). `python -m inspector.report.strings` lists what a translation lacks.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Callable, Union

LANGUAGES = {"en": "English", "zh": "简体中文"}  # the core's languages: report --lang, the app's report dialog
DEFAULT = "en"  # the sources' own language: no catalogue file
CATALOGUE_FOLDER = ("inspector.report", "i18n")  # where LANG.json lies (it began as the reports' catalogue)

SENTENCES: dict[str, None] = {}  # every sentence the core declared, in the order the modules were loaded


class Sentence(str):
    """One of the core's sentences, declared where it is said; calling it with what fills its places makes the
    Message: `NOTE = sentence("stored in {0}")`, then `NOTE("fp16")`."""

    def __call__(self, *args) -> "Message":
        return Message(self, args)


def sentence(text: str) -> Sentence:
    """Declare one of the core's sentences (the English is the key)."""
    SENTENCES[text] = None
    return Sentence(text)


@dataclass(frozen=True)
class Message:
    """A sentence of the core and what fills its places: strings and numbers as they are (names from a model are
    never translated), other Messages and declared sentences rendered in the same language."""

    key: str
    args: tuple = ()

    def __post_init__(self) -> None:
        if self.key not in SENTENCES:
            raise ValueError(f"undeclared sentence {self.key!r}: declare it with messages.sentence()")
        if not isinstance(self.args, tuple):
            object.__setattr__(self, "args", tuple(self.args))

    def __str__(self) -> str:
        return render(self)

    def __format__(self, spec: str) -> str:
        return format(render(self), spec)


Text = Union[Message, str, None]  # what a view is handed: a Message, a declared word, or nothing


AND = sentence("{0} and {1}")


def joined(items: list, pair: str = AND) -> Message | str:
    """Several items as one phrase: "a and b and c" (each item a Message or a name)."""
    items = list(items)
    if not items:
        return ""
    out = items[0]
    for item in items[1:]:
        out = Message(pair, (out, item))
    return out


@functools.lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    if lang == DEFAULT:
        return {}
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    text = (resources.files(CATALOGUE_FOLDER[0]) / CATALOGUE_FOLDER[1] / f"{lang}.json").read_text(encoding="utf-8")
    return {k: v for k, v in json.loads(text).items() if isinstance(v, str) and v}


def render(message: Text, lang: str = DEFAULT) -> str:
    """`message` in `lang`: a Message's sentence with its places filled, a declared word translated, None as ""."""
    if message is None:
        return ""
    table = catalog(lang)
    if isinstance(message, str):
        return table.get(message, message)
    args = [render(a, lang) if isinstance(a, (Message, Sentence)) else a for a in message.args]
    return table.get(message.key, message.key).format(*args)


def translator(lang: str = DEFAULT) -> Callable[[Text], str]:
    """`render` in one language: the reports' `_` and the charts' labels."""
    return functools.partial(render, lang=lang)
