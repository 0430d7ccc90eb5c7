"""The progress report as a PDF (reportlab): lists, waiting requests, stuck entries, operators' work."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from shielddesk.certificates.layout import styles, table


def render_report(title: str, subtitle: str, sections: Sequence[tuple[str, list[list[str]]]]) -> bytes:
    out = io.BytesIO()
    s = styles()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title,
        creator="ShieldDesk",
    )
    width = landscape(A4)[0] - 28 * mm
    story: list[object] = [Paragraph(title, s["title"]), Paragraph(subtitle, s["subtitle"])]
    for heading, rows in sections:
        story.append(Paragraph(heading, s["heading"]))
        if len(rows) <= 1:
            story.append(Paragraph("None.", s["body"]))
            continue
        columns = len(rows[0])
        story.append(table(rows, [width / columns] * columns))
        story.append(Spacer(1, 2 * mm))
    doc.build(story)
    return out.getvalue()
