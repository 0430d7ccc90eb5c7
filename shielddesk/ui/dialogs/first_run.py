"""First run: record the authority and create the first administrator. There are no default accounts."""

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
from shielddesk.services.setup import Initialised, SetupService


class FirstRunDialog(QDialog):
    def __init__(self, setup: SetupService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._setup = setup
        self.result_info: Initialised | None = None
        self.setWindowTitle("Set up ShieldDesk")
        self.setMinimumWidth(520)
        intro = QLabel(
            "This database has not been set up. Record your authority and its shielding team's phone number "
            "(shown to users in place of every hidden detail), and create the first administrator. Next you will "
            "set up the administrator's authenticator app: have the phone ready."
        )
        intro.setWordWrap(True)
        self.authority = QLineEdit()
        self.authority.setAccessibleName("Authority name")
        self.team_phone = QLineEdit()
        self.team_phone.setAccessibleName("Shielding team phone")
        self.admin_username = QLineEdit()
        self.admin_username.setAccessibleName("Administrator username")
        self.admin_name = QLineEdit()
        self.admin_name.setAccessibleName("Administrator full name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Administrator password")
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat.setAccessibleName("Repeat the password")
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.hide()

        form = QFormLayout()
        form.addRow("&Authority", self.authority)
        form.addRow("Shielding team &phone", self.team_phone)
        form.addRow("Administrator &username", self.admin_username)
        form.addRow("Administrator &full name", self.admin_name)
        form.addRow("Pass&word (12+ characters)", self.password)
        form.addRow("&Repeat password", self.repeat)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Set up")
        ok.setDefault(True)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _submit(self) -> None:
        if self.password.text() != self.repeat.text():
            self._show_error("The two passwords are not the same.")
            return
        try:
            self.result_info = self._setup.initialise(
                authority_name=self.authority.text(),
                team_phone=self.team_phone.text(),
                admin_username=self.admin_username.text(),
                admin_display_name=self.admin_name.text(),
                admin_password=self.password.text(),
            )
        except ShieldDeskError as exc:
            self._show_error(str(exc))
            return
        self.password.clear()
        self.repeat.clear()
        self.accept()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        self.adjustSize()

    def ask(self) -> Initialised | None:
        """The set-up, with the first administrator's authenticator to show once (EnrolmentDialog)."""
        return self.result_info if self.exec() == QDialog.DialogCode.Accepted else None
