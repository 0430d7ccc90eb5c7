"""The lock screen: no child data, only who is signed in, a password field and (once enrolled) a code field."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from shielddesk.domain.credentials import Credentials
from shielddesk.ui.widgets.code_field import CodeField


class LockScreen(QWidget):
    unlock_requested = Signal(object)  # Credentials
    sign_out_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.title = QLabel("ShieldDesk is locked")
        self.title.setObjectName("pageTitle")
        self.who = QLabel()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password to unlock")
        self.password.setPlaceholderText("Password")
        self.code = CodeField()
        for field in (self.password, self.code):  # centred, a field takes its narrow size hint: the hint was cut
            field.setMinimumWidth(280)
            field.setMaximumWidth(320)
        self.code.hide()
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.setMaximumWidth(480)
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setDefault(True)
        self.sign_out_button = QPushButton("Sign &out")
        self.unlock_button.clicked.connect(self._unlock)
        self.password.returnPressed.connect(self._unlock)
        self.code.returnPressed.connect(self._unlock)
        self.sign_out_button.clicked.connect(self.sign_out_requested.emit)

        buttons = QHBoxLayout()
        buttons.addWidget(self.unlock_button)
        buttons.addWidget(self.sign_out_button)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for widget in (self.title, self.who, self.password, self.code, self.error):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(buttons)
        layout.addStretch(2)
        buttons.setAlignment(Qt.AlignmentFlag.AlignHCenter)

    def prepare(self, who: str, reason: str, *, second_factor: bool = False) -> None:
        self.who.setText(f"Signed in as {who}. {reason}")
        self.password.clear()
        self.code.clear()
        self.code.setVisible(second_factor)
        self.error.clear()
        self.password.setFocus()

    def show_error(self, text: str) -> None:
        self.password.clear()
        self.code.clear()
        self.error.setText(text)
        self.password.setFocus()

    def _unlock(self) -> None:
        given = Credentials(self.password.text(), self.code.text() if self.code.isVisible() else "")
        self.unlock_requested.emit(given)
