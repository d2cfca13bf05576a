"""Errors a user can act on: each carries the file and one line that says what is wrong."""

from __future__ import annotations

from .messages import DEFAULT, Text, render, sentence


class InspectorError(Exception):
    """An expected failure; `str()` is the one line shown to the user (`text(lang)` in another language)."""

    def __init__(self, message: Text, path: str | None = None):
        super().__init__(message)
        self.message = message  # one of the core's sentences (messages.py), or a line of someone else's
        self.path = path

    def text(self, lang: str = DEFAULT) -> str:
        """One line, whatever the file's name holds (a newline, an escape sequence, undecodable bytes)."""
        message = safe_text(render(self.message, lang), 400)
        return f"{safe_text(self.path, 300)}: {message}" if self.path else message

    def __str__(self) -> str:
        return self.text()


class ModelError(InspectorError):
    """The file is not a usable model (unreadable, truncated, unsafe, inconsistent)."""


class GenerationError(InspectorError):
    """The model cannot be run as asked (not a causal LM, prompt too long, no such provider)."""


class ReportError(InspectorError):
    """A report could not be written."""


class Cancelled(Exception):
    """Raised inside long work when the caller asked it to stop."""


def safe_text(value: object, limit: int = 200) -> str:
    """Names inside a model and on the file system are untrusted: keep them printable and bounded for
    one-line messages (control characters, escape sequences and undecodable bytes become '?')."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "backslashreplace")
    text = "".join(ch if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF else "?" for ch in str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def terminal_text(text: str) -> str:
    """Generated text for a terminal: newlines and tabs as they are, other control characters (an escape
    sequence a tokenizer could carry) shown, not obeyed."""
    return "".join(ch if ch.isprintable() or ch in "\n\t" else f"\\x{ord(ch):02x}" if ord(ch) < 256 else "?"
                   for ch in text)


WENT_WRONG = sentence("Something went wrong: {0}")
WENT_WRONG_SOMEWHERE = sentence("Something went wrong (the details say where).")


def describe_error(exc: BaseException, lang: str = DEFAULT) -> tuple[str, str]:
    """(one line for a message in `lang`, the details — a traceback — for whoever asks for them)."""
    if isinstance(exc, InspectorError):
        return exc.text(lang), ""
    import traceback

    return plain_message(exc, lang=lang), "".join(traceback.format_exception(exc))


def first_line(exc: BaseException) -> str:
    """What an exception says, its first line (at most 300 characters), or ""."""
    return str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""


def plain_message(exc: BaseException, lead: str | None = None, lang: str = DEFAULT) -> str:
    """One line a person can read: what the exception says, not its Python class (that goes in the details).
    `lead` (already in the reader's language) replaces "Something went wrong"."""
    text = first_line(exc)
    if lead is not None:
        return f"{lead}: {text}" if text else lead
    return render(WENT_WRONG(text), lang) if text else render(WENT_WRONG_SOMEWHERE, lang)
