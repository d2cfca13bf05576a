"""The PDF report through Qt's PDF writer: the same HTML as the HTML report, laid out by QTextDocument."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ReportError
from ..messages import translator
from ..report.content import ReportContent
from ..report.formats import register_writer
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


RESOLUTION = 110  # device pixels close to CSS pixels: the HTML's image widths fit the page
MARGIN_MM = 12


def page_layout() -> QtGui.QPageLayout:
    """Landscape A4: the layer and tensor tables fit across."""
    return QtGui.QPageLayout(QtGui.QPageSize(QtGui.QPageSize.A4), QtGui.QPageLayout.Landscape,
                             QtCore.QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM), QtGui.QPageLayout.Millimeter)


def pdf_document(content: ReportContent) -> QtGui.QTextDocument:
    """The report laid out on the PDF's pages, as write_pdf prints it."""
    ensure_gui_app()
    doc = QtGui.QTextDocument()
    for name, png in content.images.items():
        doc.addResource(QtGui.QTextDocument.ImageResource, QtCore.QUrl(name), QtGui.QImage.fromData(png))
    doc.setDefaultFont(QtGui.QFont("DejaVu Sans", 8))
    doc.setHtml(render_html(content, image_src=lambda name: name, pdf=True))
    page = page_layout().paintRectPixels(RESOLUTION)
    doc.setPageSize(QtCore.QSizeF(page.width(), page.height()))
    keep_pictures_whole(doc)
    return doc


def block_pages(doc: QtGui.QTextDocument, block: QtGui.QTextBlock) -> tuple[int, int]:
    """The pages (from 0) of a block's first and last line."""
    top = doc.documentLayout().blockBoundingRect(block).top()
    layout, height = block.layout(), doc.pageSize().height()
    if layout.lineCount() == 0:
        return int(top // height), int(top // height)
    first, last = layout.lineAt(0), layout.lineAt(layout.lineCount() - 1)
    return int((top + first.y()) // height), int((top + last.y() + last.height() - 1) // height)


def pictures(block: QtGui.QTextBlock) -> list[str]:
    """The names of the pictures a block holds."""
    names, it = [], block.begin()
    while not it.atEnd():
        fmt = it.fragment().charFormat()
        if fmt.isImageFormat():
            names.append(fmt.toImageFormat().name())
        it += 1
    return names


def keep_pictures_whole(doc: QtGui.QTextDocument, most: int = 50) -> None:
    """QTextDocument breaks a page between any two lines; a paragraph that holds a picture — its caption above it,
    or the run's two charts — starts a page instead, when it fits on one (CSS's page-break-inside, which Qt's
    layout ignores)."""
    height = doc.pageSize().height()
    for _ in range(most):  # each break moves what follows it: look again from the top
        block = doc.begin()
        while block.isValid():
            first, last = block_pages(doc, block)
            lines = [block.layout().lineAt(i).height() for i in range(block.layout().lineCount())]
            if last > first and pictures(block) and sum(lines) < height:  # (its bounding box spans the page gap)
                cursor = QtGui.QTextCursor(block)
                fmt = block.blockFormat()
                fmt.setPageBreakPolicy(QtGui.QTextFormat.PageBreak_AlwaysBefore)
                cursor.setBlockFormat(fmt)
                break
            block = block.next()
        else:
            return


def write_pdf(content: ReportContent, target: Path) -> None:
    doc = pdf_document(content)
    with atomic_path(target) as tmp:
        writer = QtGui.QPdfWriter(str(tmp))
        writer.setResolution(RESOLUTION)
        writer.setPageLayout(page_layout())
        writer.setTitle(f"{translator(content.language)('GPT Inspector report')} — {Path(content.model_path).name}")
        writer.setCreator("GPT Inspector")
        doc.print_(writer)
        del writer  # flushes and closes the file
        if tmp.stat().st_size == 0:
            raise ReportError("Qt wrote an empty PDF", str(target))


register_writer("pdf", write_pdf)  # the core's report registry finds it by this module's name
