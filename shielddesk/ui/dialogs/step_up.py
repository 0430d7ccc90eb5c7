"""Step-up: prove it is you again before a four-eyes decision — the password and, once enrolled, a fresh code
from your authenticator. `ask()` returns the credentials or None."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from shielddesk.domain.credentials import Credentials
from shielddesk.ui.widgets.code_field import CodeField


class StepUpDialog(QDialog):
    def __init__(self, action: str, parent: QWidget | None = None, *, second_factor: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle("Confirm it is you")
        self.setMinimumWidth(420)
        asked = "your password and the code your authenticator shows now" if second_factor else "your password"
        text = QLabel(f"{action}\n\nEnter {asked} to go ahead. This decision is recorded under your name.")
        text.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Your password")
        self.code = CodeField()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Go ahead")
        ok.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Password", self.password)
        if second_factor:
            form.addRow("Authenticator &code", self.code)
        else:
            self.code.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.password.setFocus()

    def ask(self) -> Credentials | None:
        accepted = self.exec() == QDialog.DialogCode.Accepted
        given = Credentials(self.password.text(), self.code.text())
        self.password.clear()
        self.code.clear()
        return given if accepted and given.password else None
