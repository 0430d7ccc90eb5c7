"""Import a gatekeeper list: choose the file and reference, see every row and every problem (and for a
revised list, the difference) before anything is written. `ask()` returns what to import, or None."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shielddesk.domain.errors import ShieldDeskError
from shielddesk.imports.gatekeeper import LocatedEntry
from shielddesk.services.lists import ListPreview
from shielddesk.ui.models.row_table import Column, RowTableModel
from shielddesk.ui.prompts import ListImportChoice

Previewer = Callable[[Path, str], ListPreview]

PREVIEW_COLUMNS: list[Column[LocatedEntry]] = [
    Column("Line", lambda e: str(e.line)),
    Column("Entry", lambda e: e.details.entry_ref),
    Column("Surname", lambda e: e.details.surname),
    Column("Forenames", lambda e: e.details.forenames),
    Column("Date of birth", lambda e: e.details.date_of_birth.strftime("%d/%m/%Y") if e.details.date_of_birth else ""),
    Column("CP ID", lambda e: e.details.cp_id),
    Column("Reason", lambda e: e.details.reason.value),
]


class ImportListDialog(QDialog):
    def __init__(self, preview: Previewer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import gatekeeper list")
        self.resize(900, 640)
        self._preview_call = preview
        self._preview: ListPreview | None = None
        self.path = QLineEdit()
        self.path.setAccessibleName("List file")
        browse = QPushButton("Browse…")
        browse.setAccessibleName("Browse for the list file")
        browse.clicked.connect(self._browse)
        self.reference = QLineEdit()
        self.reference.setAccessibleName("List reference")
        self.reference.setPlaceholderText("e.g. GK-2026-11")
        self.preview_button = QPushButton("&Preview")
        self.preview_button.clicked.connect(self.run_preview)
        self.summary = QLabel("Choose a .csv or .xlsx file and a reference, then Preview. Nothing is written yet.")
        self.summary.setWordWrap(True)
        self.rows = RowTableModel(PREVIEW_COLUMNS, self)
        table = QTableView()
        table.setModel(self.rows)
        table.setAccessibleName("Rows in the file")
        table.verticalHeader().setVisible(False)
        self.problems = QPlainTextEdit()
        self.problems.setReadOnly(True)
        self.problems.setAccessibleName("Problems and differences")
        self.problems.setMaximumHeight(170)
        self.confirm_diff = QCheckBox("I have checked the difference and want to apply it")
        self.confirm_diff.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText("&Import")
        self.import_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.confirm_diff.toggled.connect(self._update_import)
        self.path.textChanged.connect(self._forget)
        self.reference.textChanged.connect(self._forget)

        file_row = QHBoxLayout()
        file_row.addWidget(self.path)
        file_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("&File", file_row)
        form.addRow("&Reference", self.reference)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview_button)
        layout.addWidget(self.summary)
        layout.addWidget(table, 1)
        layout.addWidget(self.problems)
        layout.addWidget(self.confirm_diff)
        layout.addWidget(self.buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose the list", "", "Lists (*.csv *.xlsx);;All files (*)")
        if path:
            self.path.setText(path)

    def _forget(self) -> None:
        self._preview = None
        self.rows.set_rows([])
        self.problems.clear()
        self.confirm_diff.hide()
        self._update_import()

    def run_preview(self) -> None:
        self._forget()
        try:
            preview = self._preview_call(Path(self.path.text().strip()), self.reference.text())
        except ShieldDeskError as exc:
            self.summary.setText(str(exc))
            return
        self._preview = preview
        self.rows.set_rows(list(preview.entries))
        lines = [f"PROBLEM  {p}" for p in preview.problems] + [f"warning  {w}" for w in preview.warnings]
        if preview.problems:
            self.summary.setText(
                f"{len(preview.problems)} problem(s): nothing can be imported until the file is "
                "corrected. Every problem is listed below with its line and column."
            )
        elif preview.diff is None:
            self.summary.setText(f"New list {preview.reference}: {len(preview.entries)} entries, no problems.")
        else:
            diff = preview.diff
            self.summary.setText(
                f"Revised list {preview.reference}: {len(diff.added)} added, {len(diff.changed)} "
                f"changed, {len(diff.withdrawn)} withdrawn, {diff.unchanged} unchanged."
            )
            lines += [f"added      {ref}" for ref in diff.added]
            lines += [
                f"changed    {c.entry_ref}: {', '.join(c.fields)}"
                + (" (stays shielded)" if c.status.value == "shielded" else "")
                for c in diff.changed
            ]
            lines += [f"withdrawn  {ref}" for ref in diff.withdrawn]
            self.confirm_diff.setVisible(not diff.is_empty)
        self.problems.setPlainText("\n".join(lines))
        self._update_import()

    def _update_import(self) -> None:
        preview = self._preview
        ready = preview is not None and preview.acceptable and bool(preview.entries)
        if ready and preview is not None and preview.diff is not None:
            ready = not preview.diff.is_empty and self.confirm_diff.isChecked()
        self.import_button.setEnabled(ready)

    def ask(self) -> ListImportChoice | None:
        if self.exec() != QDialog.DialogCode.Accepted or self._preview is None:
            return None
        return ListImportChoice(self.path.text().strip(), self._preview.reference, self._preview.sha256)
