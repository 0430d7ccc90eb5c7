"""Asks for a reason or note of a minimum length (reveal, reject, withdraw, remove, not found, decide)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget


class ReasonDialog(QDialog):
    def __init__(
        self,
        title: str,
        prompt: str,
        action: str,
        *,
        placeholder: str = "",
        min_length: int = 10,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self._min_length = min_length
        text = QLabel(prompt)
        text.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName(title)
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText(placeholder)
        self.hint = QLabel(f"At least {min_length} characters.")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(action)
        self.ok.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.reason)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.reason.setFocus()

    def _update(self) -> None:
        self.ok.setEnabled(len(" ".join(self.reason.toPlainText().split())) >= self._min_length)

    def ask(self) -> str | None:
        if self.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.reason.toPlainText().strip()
