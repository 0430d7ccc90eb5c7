"""A user account's form: a new user (username, name, roles, password), or another user's roles. `ask()` returns
the typed answer or None."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from shielddesk.domain.roles import Role


@dataclass(frozen=True)
class UserForm:
    username: str
    display_name: str
    roles: tuple[Role, ...]
    password: str = ""

    def __repr__(self) -> str:  # the password stays out of logs and tracebacks
        return f"UserForm({self.username!r}, roles={[r.value for r in self.roles]})"


class UserFormDialog(QDialog):
    def __init__(self, *, username: str = "", roles: tuple[Role, ...] = (), parent: QWidget | None = None) -> None:
        """With a `username`: change that user's roles. Without: add a user."""
        super().__init__(parent)
        self._editing = bool(username)
        self.setWindowTitle(f"Roles of {username}" if self._editing else "Add a user")
        self.setMinimumWidth(440)
        self.username = QLineEdit(username)
        self.username.setAccessibleName("Username")
        self.username.setReadOnly(self._editing)
        self.display_name = QLineEdit()
        self.display_name.setAccessibleName("Full name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat.setAccessibleName("Repeat the password")
        self.role_boxes: dict[Role, QCheckBox] = {}
        roles_box = QGroupBox("Roles")
        roles_layout = QVBoxLayout(roles_box)
        for role in Role:
            box = QCheckBox(role.label)
            box.setChecked(role in roles)
            roles_layout.addWidget(box)
            self.role_boxes[role] = box
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.hide()

        form = QFormLayout()
        form.addRow("&Username", self.username)
        if not self._editing:
            form.addRow("&Full name", self.display_name)
            form.addRow("&Password (12+ characters)", self.password)
            form.addRow("&Repeat password", self.repeat)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Save" if self._editing else "&Add user")
        ok.setDefault(True)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(roles_box)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        (self.role_boxes[Role.OPERATOR] if self._editing else self.username).setFocus()

    def chosen_roles(self) -> tuple[Role, ...]:
        return tuple(role for role, box in self.role_boxes.items() if box.isChecked())

    def _submit(self) -> None:
        # The service checks everything again; these are only the mistakes the form can see at once.
        if not self.chosen_roles():
            self._show("Choose at least one role.")
        elif not self._editing and self.password.text() != self.repeat.text():
            self._show("The two passwords are not the same.")
        else:
            self.accept()

    def _show(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def ask(self) -> UserForm | None:
        accepted = self.exec() == QDialog.DialogCode.Accepted
        answer = UserForm(self.username.text(), self.display_name.text(), self.chosen_roles(), self.password.text())
        self.password.clear()
        self.repeat.clear()
        return answer if accepted else None
