"""Step-up: re-enter your password before a four-eyes decision. `ask()` returns the password or None."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget


class StepUpDialog(QDialog):
    def __init__(self, action: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Confirm it is you")
        self.setMinimumWidth(420)
        text = QLabel(f"{action}\n\nEnter your password to go ahead. This decision is recorded under your name.")
        text.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Your password")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Go ahead")
        ok.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.password)
        layout.addWidget(buttons)
        self.password.setFocus()

    def ask(self) -> str | None:
        accepted = self.exec() == QDialog.DialogCode.Accepted
        password, _ = self.password.text(), self.password.clear()
        return password if accepted and password else None
