"""Showing and printing a PDF: pages rendered with pypdfium2 (PDFium), so no Qt PDF module is needed."""

from __future__ import annotations

import pypdfium2
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrinter


def render_pages(pdf: bytes, dpi: int = 110) -> list[QImage]:
    document = pypdfium2.PdfDocument(pdf)
    images = []
    try:
        for page in document:
            bitmap = page.render(scale=dpi / 72)
            picture = bitmap.to_pil().convert("RGB")
            width, height = picture.size
            images.append(QImage(picture.tobytes(), width, height, 3 * width, QImage.Format.Format_RGB888).copy())
    finally:
        document.close()
    return images


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Print every page at the printer's resolution, each fitted to the printable area. Returns pages printed."""
    pages = render_pages(pdf, dpi=min(max(printer.resolution(), 150), 300))
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    try:
        for number, image in enumerate(pages):
            if number:
                printer.newPage()
            # The painter's origin is the printable area's corner, so the target starts at (0, 0).
            area = printer.pageLayout().paintRectPixels(printer.resolution())
            target = QRectF(image.rect()).size().scaled(QRectF(area).size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRectF(0, 0, target.width(), target.height()), image)
    finally:
        painter.end()
    return len(pages)
