"""Asks an operator why they need to see a shielded child's hidden details. The reason is audited."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from shielddesk.services.children import MIN_REVEAL_REASON


class RevealReasonDialog(QDialog):
    def __init__(self, child_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Reveal shielded details")
        self.setMinimumWidth(480)
        text = QLabel(
            f"You are about to see where {child_label} is. This is recorded in the audit log with your "
            "reason, and the details are hidden again as soon as you leave this record.\n\n"
            "Why do you need to see them?"
        )
        text.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName("Reason for revealing")
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText("e.g. Checking the match for gatekeeper list entry GK-2026-014")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("&Reveal")
        self.ok.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        self.reason.setFocus()

    def _update(self) -> None:
        self.ok.setEnabled(len(" ".join(self.reason.toPlainText().split())) >= MIN_REVEAL_REASON)

    def ask(self) -> str | None:
        if self.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.reason.toPlainText().strip()
