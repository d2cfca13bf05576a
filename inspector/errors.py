"""Errors a user can act on: each carries the file and one line that says what is wrong."""

from __future__ import annotations


class InspectorError(Exception):
    """An expected failure; `str()` is the one line shown to the user."""

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        """One line, whatever the file's name holds (a newline, an escape sequence, undecodable bytes)."""
        message = safe_text(self.message, 400)
        return f"{safe_text(self.path, 300)}: {message}" if self.path else message


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


def describe_error(exc: BaseException) -> tuple[str, str]:
    """(one line for a message, the details — a traceback — for whoever asks for them)."""
    if isinstance(exc, InspectorError):
        return str(exc), ""
    import traceback

    return plain_message(exc), "".join(traceback.format_exception(exc))


def plain_message(exc: BaseException, lead: str = "Something went wrong") -> str:
    """One line a person can read: what the exception says, not its Python class (that goes in the details)."""
    text = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    return f"{lead}: {text}" if text else f"{lead} (the details say where)."
