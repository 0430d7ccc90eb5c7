"""Field-by-field comparison of a gatekeeper's entry and a child record, differences coloured so that a
wrong match (the wrong twin) is hard to miss. Used by the Match dialog and the checker's view."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from shielddesk.domain.matching import Agreement, FieldComparison
from shielddesk.ui.models.row_table import Column, RowTableModel

FIELD_LABELS = {
    "cp_id": "CP ID",
    "surname": "Surname",
    "forenames": "Forenames",
    "date_of_birth": "Date of birth",
    "gender": "Gender",
    "postcode": "Postcode",
    "address": "Address",
}
VERDICT = {
    Agreement.AGREE: ("✓ agrees", "#d9efd9"),
    Agreement.PARTIAL: ("≈ partly", "#fff0c2"),
    Agreement.DISAGREE: ("✗ DIFFERENT", "#f6c9cf"),
    Agreement.MISSING: ("— not given", None),
}


@dataclass(frozen=True)
class ComparisonRow:
    field: str
    entry_value: str
    child_value: str
    agreement: Agreement
    note: str

    @property
    def verdict(self) -> str:
        text = VERDICT[self.agreement][0]
        return f"{text} ({self.note})" if self.note else text


COLUMNS: list[Column[ComparisonRow]] = [
    Column("Field", lambda r: FIELD_LABELS.get(r.field, r.field)),
    Column("Gatekeeper's entry", lambda r: r.entry_value),
    Column("Child record", lambda r: r.child_value),
    Column("Verdict", lambda r: r.verdict, tint=lambda r: VERDICT[r.agreement][1]),
]


def comparison_rows(
    comparisons: Sequence[FieldComparison], entry_values: dict[str, str], child_values: dict[str, str]
) -> list[ComparisonRow]:
    return [
        ComparisonRow(c.field, entry_values.get(c.field, ""), child_values.get(c.field, ""), c.agreement, c.note)
        for c in comparisons
    ]


class AgreementTable(QTableView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_ = RowTableModel(COLUMNS, self)
        self.setModel(self.model_)
        self.setAccessibleName("Field by field comparison")
        self.verticalHeader().setVisible(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.setWordWrap(True)

    def show_rows(self, rows: Sequence[ComparisonRow]) -> None:
        self.model_.set_rows(rows)
        self.resizeRowsToContents()
