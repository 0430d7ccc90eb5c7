"""Every field of one child, masked as the viewer's role requires, with a clear Shielded badge."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from shielddesk.domain.child import ChildView
from shielddesk.ui.models.search_results import GENDER_TEXT


class ChildDetailPane(QScrollArea):
    reveal_requested = Signal(int)
    hide_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        # Everything wraps to the pane's width; a sideways scroll would hide half a badge or a button.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAccessibleName("Child details")
        self._view: ChildView | None = None
        self._can_reveal = False
        self.clear()

    @property
    def current(self) -> ChildView | None:
        return self._view

    def set_can_reveal(self, allowed: bool) -> None:
        self._can_reveal = allowed

    def clear(self) -> None:
        """Forget the child entirely: no widget keeps any of its text (used on lock and on leaving)."""
        self._view = None
        placeholder = QLabel("Select a child in the results to see their details.")
        placeholder.setWordWrap(True)
        placeholder.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        placeholder.setMargin(8)
        self._replace(placeholder)

    def show_child(self, view: ChildView) -> None:
        self._view = view
        self._replace(self._build(view))

    def _replace(self, widget: QWidget) -> None:
        old = self.takeWidget()
        self.setWidget(widget)
        if old is not None:
            old.deleteLater()

    # ---- building --------------------------------------------------------------------------------------
    def _build(self, view: ChildView) -> QWidget:
        record = view.record
        content = QWidget()
        column = QVBoxLayout(content)

        title = QLabel(f"{record.forenames} {record.surname}")
        title.setObjectName("pageTitle")
        title.setWordWrap(True)
        column.addWidget(title)
        if view.shielded:
            badge = QLabel("REVEALED — recorded in the audit log" if view.revealed else "SHIELDED")
            badge.setObjectName("revealedBadge" if view.revealed else "shieldBadge")
            badge.setAccessibleName("Shield status")
            badge.setWordWrap(True)
            column.addWidget(badge, 0, Qt.AlignmentFlag.AlignLeft)

        if view.shielded and view.masked:
            note = QLabel("This child is shielded. Details that could reveal where the child is are hidden.")
            note.setWordWrap(True)
            column.addWidget(note)
        if view.shielded and view.masked and self._can_reveal:
            reveal = QPushButton("&Reveal shielded details…")
            reveal.setObjectName("revealButton")
            reveal.setAccessibleName("Reveal shielded details")
            reveal.clicked.connect(lambda: self.reveal_requested.emit(view.child_id))
            column.addWidget(reveal)
        if view.revealed:
            hide = QPushButton("&Hide details again")
            hide.setAccessibleName("Hide shielded details")
            hide.clicked.connect(lambda: self.hide_requested.emit(view.child_id))
            column.addWidget(hide)

        column.addWidget(
            self._group(
                "Child",
                [
                    ("CP ID", record.cp_id),
                    ("Forenames", record.forenames),
                    ("Surname", record.surname),
                    ("Former surnames", record.former_surnames),
                    ("Date of birth", record.date_of_birth.strftime("%d/%m/%Y")),
                    ("Gender", GENDER_TEXT.get(record.gender, record.gender)),
                    ("Shield review due", view.review_due.strftime("%d/%m/%Y") if view.review_due else ""),
                ],
                view,
            )
        )
        column.addWidget(
            self._group(
                "Home address",
                [
                    ("Address line 1", record.address_line1),
                    ("Address line 2", record.address_line2),
                    ("Town", record.town),
                    ("Postcode", record.postcode),
                ],
                view,
            )
        )
        column.addWidget(
            self._group(
                "School",
                [
                    ("School", record.school_name),
                    ("URN", record.school_urn),
                    ("Postcode", record.school_postcode),
                ],
                view,
            )
        )
        column.addWidget(
            self._group(
                "GP practice",
                [
                    ("Practice", record.gp_practice_name),
                    ("Code", record.gp_practice_code),
                    ("Postcode", record.gp_postcode),
                ],
                view,
            )
        )
        for number, carer in enumerate(record.carers, start=1):
            column.addWidget(
                self._group(
                    f"Parent / carer {number}",
                    [
                        ("Name", carer.name),
                        ("Relationship", carer.relationship),
                        ("Address", carer.address),
                        ("Phone", carer.phone),
                    ],
                    view,
                )
            )
        for inv in record.involvements:
            column.addWidget(
                self._group(
                    f"Involvement: {inv.service}",
                    [
                        ("Practitioner", inv.practitioner),
                        ("Role", inv.role),
                        ("Organisation", inv.organisation),
                        ("Phone", inv.phone),
                        ("Address", inv.address),
                        ("Postcode", inv.postcode),
                    ],
                    view,
                )
            )
        if not record.involvements:
            column.addWidget(QLabel("No practitioners or services recorded."))
        column.addStretch(1)
        return content

    def _group(self, title: str, rows: list[tuple[str, str]], view: ChildView) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        for label, value in rows:
            field = QLabel(value or "—")
            field.setWordWrap(True)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            field.setAccessibleName(label)
            if view.masked and value.startswith("Shielded"):
                field.setObjectName("masked")
            form.addRow(f"{label}:", field)
        return box
