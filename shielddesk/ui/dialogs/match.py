"""The Match dialog: candidates for one list entry, best first, each with field-by-field agreement; twin and
weak-match warnings shown loudly. `ask()` returns the chosen child's id for a proposal, or None."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shielddesk.services.matching import CandidateView, MatchReport
from shielddesk.ui.models.row_table import Column, RowTableModel
from shielddesk.ui.widgets.agreement import AgreementTable, comparison_rows

CANDIDATE_COLUMNS: list[Column[CandidateView]] = [
    Column(
        "Score",
        lambda c: "certain" if c.certain else str(c.score),
        sort_key=lambda c: c.score,
        tint=lambda c: "#d9efd9" if c.score >= 80 else "#fff0c2" if c.score >= 50 else "#f6c9cf",
    ),
    Column("CP ID", lambda c: c.cp_id),
    Column("Surname", lambda c: c.surname),
    Column("Forenames", lambda c: c.forenames),
    Column("Date of birth", lambda c: c.date_of_birth.strftime("%d/%m/%Y")),
    Column("Gender", lambda c: c.gender),
    Column("Postcode", lambda c: "Shielded" if c.shielded else c.postcode),
    Column("Shield", lambda c: "Already shielded" if c.shielded else ""),
]


def _entry_values(report: MatchReport) -> dict[str, str]:
    e = report.entry
    return {
        "cp_id": e.cp_id,
        "surname": e.surname,
        "forenames": e.forenames,
        "date_of_birth": e.date_of_birth.strftime("%d/%m/%Y") if e.date_of_birth else "",
        "gender": e.gender,
        "postcode": e.postcode,
        "address": e.address,
    }


def candidate_values(c: CandidateView) -> dict[str, str]:
    surname = f"{c.surname} (formerly {c.former_surnames})" if c.former_surnames else c.surname
    return {
        "cp_id": c.cp_id,
        "surname": surname,
        "forenames": c.forenames,
        "date_of_birth": c.date_of_birth.strftime("%d/%m/%Y"),
        "gender": c.gender,
        "postcode": c.postcode,
        "address": c.address,
    }


class MatchDialog(QDialog):
    def __init__(self, report: MatchReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Match — {report.entry_name}")
        self.resize(1000, 700)
        self._report = report
        e = report.entry
        born = e.date_of_birth.strftime("%d/%m/%Y") if e.date_of_birth else "no date of birth"
        heading = QLabel(
            f"{report.entry_name}: {e.forenames} {e.surname}, {born}"
            f"{', ' + e.cp_id if e.cp_id else ''}{', ' + e.postcode if e.postcode else ''}"
        )
        heading.setObjectName("pageTitle")
        heading.setWordWrap(True)
        self.warnings = QLabel("\n".join(f"⚠ {w}" for w in report.warnings))
        self.warnings.setObjectName("warningBanner" if report.ambiguous or report.weak else "")
        self.warnings.setWordWrap(True)
        self.warnings.setAccessibleName("Match warnings")
        self.warnings.setVisible(bool(report.warnings))
        self.candidates = RowTableModel(CANDIDATE_COLUMNS, self)
        self.candidates.set_rows(report.candidates)
        self.table = QTableView()
        self.table.setModel(self.candidates)
        self.table.setAccessibleName("Candidates, best first")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.resizeColumnsToContents()
        self.agreement = AgreementTable()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Close)
        self.propose = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.propose.setText("&Propose shield for this child…")
        self.propose.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.agreement)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.warnings)
        if not report.candidates:
            layout.addWidget(
                QLabel(
                    "No candidates. If the child is not in the index, propose 'not found' from the "
                    "list page with what you searched."
                )
            )
        layout.addWidget(splitter, 1)
        layout.addWidget(self.buttons)
        # Nothing is chosen for the operator, even when there is one obvious candidate.
        self.table.setFocus()

    def _selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = {i.row() for i in selected.indexes()}
        if not rows:
            self.propose.setEnabled(False)
            self.agreement.show_rows([])
            return
        candidate = self.candidates.row(rows.pop())
        self.agreement.show_rows(
            comparison_rows(candidate.comparisons, _entry_values(self._report), candidate_values(candidate))
        )
        self.propose.setEnabled(True)

    def chosen(self) -> CandidateView | None:
        indexes = self.table.selectionModel().selectedRows()
        return self.candidates.row(indexes[0].row()) if indexes else None

    def ask(self) -> int | None:
        if self.exec() != QDialog.DialogCode.Accepted:
            return None
        chosen = self.chosen()
        return chosen.child_id if chosen else None
