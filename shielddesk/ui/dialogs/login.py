"""The sign-in dialog: username, password and authenticator code on one form (so a refusal never says which
was wrong). `ask()` returns the signed-in session, or None if the user gave up."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from shielddesk.domain.errors import ShieldDeskError
from shielddesk.services.auth import AuthService
from shielddesk.services.session import UserSession
from shielddesk.ui.widgets.code_field import CodeField


class LoginDialog(QDialog):
    def __init__(
        self,
        auth: AuthService,
        authority_name: str,
        *,
        demo: bool = False,
        second_factor_required: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._auth = auth
        self.session: UserSession | None = None
        self.setWindowTitle("Sign in — ShieldDesk")
        self.setMinimumWidth(420)

        title = QLabel(f"ShieldDesk — {authority_name}")
        title.setObjectName("pageTitle")
        title.setWordWrap(True)
        self.username = QLineEdit()
        self.username.setAccessibleName("Username")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.code = CodeField()
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Sign-in message")
        self.error.hide()

        form = QFormLayout()
        form.addRow("&Username", self.username)
        form.addRow("&Password", self.password)
        # Asked of everyone when the authority requires it; otherwise only those who have an authenticator fill it.
        form.addRow("Authenticator &code" if second_factor_required else "Authenticator &code (if set up)", self.code)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.sign_in_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_in_button.setText("&Sign in")
        self.sign_in_button.setDefault(True)
        buttons.accepted.connect(self._sign_in)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        if demo:
            banner = QLabel(
                "DEMO — synthetic data only. Demo passwords were printed when the demo was created; the demo "
                "has no authenticator codes."
            )
            banner.setObjectName("demoBanner")
            banner.setWordWrap(True)
            layout.addWidget(banner)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.username.setFocus()

    def _sign_in(self) -> None:
        try:
            self.session = self._auth.login(self.username.text(), self.password.text(), self.code.text())
        except ShieldDeskError as exc:
            self.password.clear()
            self.code.clear()
            self.show_message(str(exc))
            self.password.setFocus()
            return
        self.password.clear()
        self.code.clear()
        self.accept()

    def show_message(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        self.adjustSize()  # a wrapped message needs the height the layout did not reserve

    def ask(self) -> UserSession | None:
        return self.session if self.exec() == QDialog.DialogCode.Accepted else None
