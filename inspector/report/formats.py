"""The report formats, one entry each: name, label, file extensions and writer.

Adding a format is adding an entry here (the command line's choices, the app's dialog and the
extension lookup all read this table).  A writer that needs more than the core (the PDF is laid
out by Qt) names the module that provides it; that module registers its writer when imported,
so the core itself never imports Qt.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import ReportError
from ..messages import sentence
from .content import ReportContent
from .writers import check_target, write_csv, write_html, write_json, write_markdown

Writer = Callable[[ReportContent, Path], None]


@dataclass(frozen=True)
class ReportFormat:
    name: str
    label: str  # as the app's dialog offers it (one of the core's sentences)
    extensions: tuple[str, ...]  # the first is the one a new file gets
    write: Writer | None = None
    provider: str | None = None  # a module that registers the writer (register_writer) when imported

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", sentence(self.label))


FORMATS: dict[str, ReportFormat] = {f.name: f for f in [
    ReportFormat("html", "HTML (one self-contained file)", (".html", ".htm"), write_html),
    ReportFormat("md", "Markdown (pictures beside it)", (".md", ".markdown"), write_markdown),
    ReportFormat("json", "JSON", (".json",), write_json),
    ReportFormat("csv", "CSV (one row per tensor)", (".csv",), write_csv),
    ReportFormat("pdf", "PDF", (".pdf",), provider="inspector.app.pdf_writer"),
]}
_registered: dict[str, Writer] = {}


def register_writer(name: str, write: Writer) -> None:
    _registered[name] = write


def writer_for(name: str) -> Writer:
    fmt = FORMATS[name]
    if fmt.write is not None:
        return fmt.write
    if name not in _registered and fmt.provider:
        importlib.import_module(fmt.provider)
    if name not in _registered:
        raise ReportError(f"no writer for {name} reports is available")
    return _registered[name]


def format_for(path: str | Path, fmt: str | None) -> str:
    names = ", ".join(FORMATS)
    if fmt:
        if fmt not in FORMATS:
            raise ReportError(f"unknown report format {fmt!r}; choose one of {names}")
        return fmt
    ext = Path(path).suffix.lower()
    found = next((f.name for f in FORMATS.values() if ext in f.extensions), None)
    if found is None:
        raise ReportError(f"cannot tell the format from {Path(path).name!r}: use --format ({names})")
    return found


def export(content: ReportContent, target: str | Path, fmt: str | None = None, protected: list[Path] = ()) -> Path:
    """Write `content` to `target` in `fmt` (from the extension by default); returns the path written."""
    fmt = format_for(target, fmt)
    path = check_target(Path(target), content.model_path, protected)
    writer_for(fmt)(content, path)
    return path
