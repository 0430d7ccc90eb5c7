"""The field for an authenticator code (six digits) or a recovery code: never echoed into the input method's
history, never copied out."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget


class CodeField(QLineEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Authenticator code")
        self.setPlaceholderText("6-digit code, or a recovery code")
        self.setMaxLength(32)
        # Sensitive input: no predictive text, no input-method history (the code is short-lived, the recovery
        # code is not).
        self.setInputMethodHints(
            Qt.InputMethodHint.ImhSensitiveData
            | Qt.InputMethodHint.ImhNoPredictiveText
            | Qt.InputMethodHint.ImhNoAutoUppercase
        )
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
