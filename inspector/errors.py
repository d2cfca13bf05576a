"""Errors a user can act on: each carries the file and one line that says what is wrong."""

from __future__ import annotations


class InspectorError(Exception):
    """An expected failure; `str()` is the one line shown to the user."""

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ModelError(InspectorError):
    """The file is not a usable model (unreadable, truncated, unsafe, inconsistent)."""


class GenerationError(InspectorError):
    """The model cannot be run as asked (not a causal LM, prompt too long, no such provider)."""


class ReportError(InspectorError):
    """A report could not be written."""


class Cancelled(Exception):
    """Raised inside long work when the caller asked it to stop."""


def safe_text(value: object, limit: int = 200) -> str:
    """Names inside a model are untrusted: keep them printable and bounded for one-line messages."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"
