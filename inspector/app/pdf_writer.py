"""The PDF report through Qt's PDF writer: the same HTML as the HTML report, laid out by QTextDocument."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ReportError
from ..report.content import ReportContent
from ..report.formats import register_writer
from ..messages import translator
from ..report.writers import atomic_path, render_html
from .fonts import install_fonts
from .qt_compat import QtCore, QtGui


def ensure_gui_app():
    """QTextDocument needs a QGuiApplication; the command line makes an offscreen one."""
    app = QtGui.QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QtGui.QGuiApplication([])
    install_fonts()  # every script a report may hold renders, with or without the system's fonts
    return app


def write_pdf(content: ReportContent, target: Path) -> None:
    ensure_gui_app()
    doc = QtGui.QTextDocument()
    for name, png in content.images.items():
        doc.addResource(QtGui.QTextDocument.ImageResource, QtCore.QUrl(name), QtGui.QImage.fromData(png))
    doc.setDefaultFont(QtGui.QFont("DejaVu Sans", 8))
    doc.setHtml(render_html(content, image_src=lambda name: name, pdf=True))
    with atomic_path(target) as tmp:
        writer = QtGui.QPdfWriter(str(tmp))
        writer.setResolution(110)  # device pixels close to CSS pixels: the HTML's image widths fit the page
        writer.setPageSize(QtGui.QPageSize(QtGui.QPageSize.A4))
        writer.setPageOrientation(QtGui.QPageLayout.Landscape)  # the layer and tensor tables fit across
        writer.setPageMargins(QtCore.QMarginsF(12, 12, 12, 12), QtGui.QPageLayout.Millimeter)
        writer.setTitle(f"{translator(content.language)('GPT Inspector report')} — {Path(content.model_path).name}")
        writer.setCreator("GPT Inspector")
        doc.setPageSize(QtCore.QSizeF(writer.width(), writer.height()))
        doc.print_(writer)
        del writer  # flushes and closes the file
        if tmp.stat().st_size == 0:
            raise ReportError("Qt wrote an empty PDF", str(target))


register_writer("pdf", write_pdf)  # the core's report registry finds it by this module's name
