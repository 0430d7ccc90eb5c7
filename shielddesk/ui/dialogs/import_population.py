"""Choose the population extract (and optional involvements) to import."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class PopulationFiles:
    children: Path
    involvements: Path | None


class ImportPopulationDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import population")
        self.setMinimumWidth(560)
        intro = QLabel(
            "Import the population extract (children.csv) and, optionally, the involvements file. "
            "Children already in the index are updated by CP ID. If any row has a problem, nothing is changed "
            "and every problem is listed."
        )
        intro.setWordWrap(True)
        self.children_path = QLineEdit()
        self.children_path.setAccessibleName("Population file")
        self.involvements_path = QLineEdit()
        self.involvements_path.setAccessibleName("Involvements file (optional)")
        form = QFormLayout()
        form.addRow("&Population (children.csv)", self._with_browse(self.children_path, "Browse population file"))
        form.addRow("&Involvements (optional)", self._with_browse(self.involvements_path, "Browse involvements file"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("&Import")
        self.ok.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.children_path.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def _with_browse(self, field: QLineEdit, accessible: str) -> QWidget:
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        button = QPushButton("Browse…")
        button.setAccessibleName(accessible)
        button.clicked.connect(lambda: self._browse(field))
        box.addWidget(field)
        box.addWidget(button)
        return row

    def _browse(self, field: QLineEdit) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a CSV file", "", "CSV files (*.csv);;All files (*)")
        if path:
            field.setText(path)

    def ask(self) -> PopulationFiles | None:
        if self.exec() != QDialog.DialogCode.Accepted:
            return None
        involvements = self.involvements_path.text().strip()
        return PopulationFiles(Path(self.children_path.text().strip()), Path(involvements) if involvements else None)
