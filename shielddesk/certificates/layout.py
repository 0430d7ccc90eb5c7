"""The one-page A4 completion certificate, drawn with reportlab. Everything on it is an identifier, a count, a
hash or a name of staff: never a child's location (no child is even named)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

NAVY = colors.HexColor("#1f3a5c")
PLUM = colors.HexColor("#7a1f5c")
RULE = colors.HexColor("#c4cad1")
KEYWORD_PREFIX = "shielddesk-certificate:"


@dataclass(frozen=True)
class ListScope:
    reference: str
    revision: int
    received: str
    content_sha256: str
    entries: int


@dataclass(frozen=True)
class ExceptionLine:
    entry: str
    kind: str
    decided: str


@dataclass(frozen=True)
class CertificateContent:
    number: str
    authority: str
    issued_at: datetime
    lists: tuple[ListScope, ...]
    on_list: int
    shielded: int
    withdrawn: int
    exceptions: tuple[ExceptionLine, ...]
    operators: tuple[str, ...]
    period: str
    audit_head_seq: int
    audit_head_hash: str
    signer_name: str
    signer_role: str
    team_phone: str


def styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "authority": ParagraphStyle(
            "authority",
            parent=base["Normal"],
            fontName="Helvetica-Bold",
            fontSize=12,
            leading=15,
            textColor=NAVY,
            alignment=TA_CENTER,
            spaceBefore=10,
            spaceAfter=6,
        ),
        "title": ParagraphStyle(
            "title",
            parent=base["Title"],
            fontName="Helvetica-Bold",
            fontSize=21,
            textColor=NAVY,
            spaceBefore=2,
            spaceAfter=4,
            leading=25,
        ),
        "subtitle": ParagraphStyle(
            "subtitle",
            parent=base["Normal"],
            fontSize=9.5,
            alignment=TA_CENTER,
            textColor=colors.HexColor("#4a5563"),
            spaceAfter=8,
        ),
        "heading": ParagraphStyle(
            "heading",
            parent=base["Normal"],
            fontName="Helvetica-Bold",
            fontSize=10,
            textColor=NAVY,
            spaceBefore=7,
            spaceAfter=3,
        ),
        "body": ParagraphStyle("body", parent=base["Normal"], fontSize=9, leading=12),
        "small": ParagraphStyle(
            "small", parent=base["Normal"], fontSize=7.5, leading=9.5, textColor=colors.HexColor("#4a5563")
        ),
        "statement": ParagraphStyle(
            "statement",
            parent=base["Normal"],
            fontSize=10.5,
            leading=15,
            borderColor=PLUM,
            borderWidth=1.2,
            borderPadding=8,
            backColor=colors.HexColor("#fbf5f9"),
            spaceBefore=10,
            spaceAfter=12,
        ),
    }


def table(rows: list[list[object]], widths: list[float], header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    style = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if header:
        style += [
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
            ("TEXTCOLOR", (0, 0), (-1, 0), NAVY),
            ("LINEBELOW", (0, 0), (-1, 0), 0.9, NAVY),
        ]
    table.setStyle(TableStyle(style))
    return table


def render(content: CertificateContent) -> bytes:
    """The unsigned PDF."""
    out = io.BytesIO()
    s = styles()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"Completion certificate {content.number}",
        author=content.authority,
        subject="Shielding of children at risk of significant harm: completion certificate",
        keywords=[f"{KEYWORD_PREFIX}{content.number}"],
        creator="ShieldDesk",
    )
    width = A4[0] - 36 * mm
    story: list[object] = [
        Paragraph(content.authority, s["authority"]),
        Paragraph("Completion certificate", s["title"]),
        Paragraph("Shielding of children at risk of significant harm in the children's index", s["subtitle"]),
        table(
            [
                ["Certificate number", content.number, "Issued", content.issued_at.strftime("%d %B %Y, %H:%M UTC")],
                ["Period covered", content.period, "Shielding team", content.team_phone],
            ],
            [32 * mm, 55 * mm, 28 * mm, width - 115 * mm],
            header=False,
        ),
        Paragraph("Gatekeeper-approved list(s) covered", s["heading"]),
        table(
            [["Reference", "Revision", "Received", "Entries", "SHA-256 of the list's content"]]
            + [
                [
                    scope.reference,
                    str(scope.revision),
                    scope.received,
                    str(scope.entries),
                    Paragraph(f"<font face='Courier' size='7'>{scope.content_sha256}</font>", s["small"]),
                ]
                for scope in content.lists
            ],
            [30 * mm, 16 * mm, 22 * mm, 16 * mm, width - 84 * mm],
        ),
        Paragraph("Outcome", s["heading"]),
        table(
            [
                ["Children on the list(s)", "Shielded", "Withdrawn by the gatekeeper", "Documented exceptions"],
                [str(content.on_list), str(content.shielded), str(content.withdrawn), str(len(content.exceptions))],
            ],
            [width / 4] * 4,
        ),
    ]
    if content.exceptions:
        story += [
            Paragraph("Documented exceptions (by entry reference)", s["heading"]),
            table(
                [["Entry", "Exception", "Agreed by two operators"]]
                + [[e.entry, e.kind, Paragraph(e.decided, s["small"])] for e in content.exceptions[:14]],
                [38 * mm, 62 * mm, width - 100 * mm],
            ),
        ]
        if len(content.exceptions) > 14:
            story.append(
                Paragraph(
                    f"… and {len(content.exceptions) - 14} more, listed in ShieldDesk under this certificate's number.",
                    s["small"],
                )
            )
    story += [
        Paragraph("Shields applied by (maker and checker, four-eyes)", s["heading"]),
        Paragraph(", ".join(content.operators) or "—", s["body"]),
        Paragraph("Audit trail", s["heading"]),
        Paragraph(
            f"Audit chain head at issue: event {content.audit_head_seq}, HMAC "
            f"<font face='Courier' size='7'>{content.audit_head_hash}</font>",
            s["body"],
        ),
        Paragraph(
            "I certify that <b>all children identified by Specialist Services as needing shielding</b> on the "
            "list(s) above <b>have been shielded</b> in the children's index, each by two trained operators, "
            "except the documented exceptions recorded above.",
            s["statement"],
        ),
        _signature_block(content, width, s),
        Spacer(1, 5 * mm),
        Paragraph(
            f"This document carries a digital signature (PAdES) by {content.signer_name}. Check it with "
            f"<font face='Courier'>shielddesk certificate verify</font>, which also compares it with the database. "
            "It names no child and shows no location.",
            s["small"],
        ),
    ]
    doc.build(story, onFirstPage=lambda canvas, _doc: _frame(canvas, content))
    return out.getvalue()


def _signature_block(content: CertificateContent, width: float, s: dict[str, ParagraphStyle]) -> Table:
    table = Table(
        [
            ["", "", ""],
            [
                Paragraph(f"<b>{content.signer_name}</b>, {content.signer_role}", s["body"]),
                "",
                Paragraph(f"Date: <b>{content.issued_at.strftime('%d/%m/%Y')}</b>", s["body"]),
            ],
        ],
        colWidths=[width * 0.55, width * 0.1, width * 0.35],
        rowHeights=[16 * mm, None],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (0, 0), 0.8, NAVY),
                ("LINEBELOW", (2, 0), (2, 0), 0.8, NAVY),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _frame(canvas: object, content: CertificateContent) -> None:
    """A double rule round the page and a footer: the look of a document meant to be filed."""
    width, height = A4
    canvas.saveState()  # type: ignore[attr-defined]
    canvas.setStrokeColor(NAVY)  # type: ignore[attr-defined]
    canvas.setLineWidth(1.6)  # type: ignore[attr-defined]
    canvas.rect(9 * mm, 9 * mm, width - 18 * mm, height - 18 * mm)  # type: ignore[attr-defined]
    canvas.setStrokeColor(PLUM)  # type: ignore[attr-defined]
    canvas.setLineWidth(0.5)  # type: ignore[attr-defined]
    canvas.rect(11 * mm, 11 * mm, width - 22 * mm, height - 22 * mm)  # type: ignore[attr-defined]
    canvas.setFont("Helvetica", 7)  # type: ignore[attr-defined]
    canvas.setFillColor(colors.HexColor("#4a5563"))  # type: ignore[attr-defined]
    canvas.drawString(14 * mm, 13 * mm, f"{content.authority} · Certificate {content.number}")  # type: ignore[attr-defined]
    canvas.drawRightString(width - 14 * mm, 13 * mm, "ShieldDesk · page 1 of 1")  # type: ignore[attr-defined]
    canvas.restoreState()  # type: ignore[attr-defined]
