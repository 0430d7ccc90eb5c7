"""User accounts (administrators): who may sign in, with which roles, and whether they have an authenticator.
Adding a user, changing roles, deactivating and setting up an authenticator happen here; so does asking for
an authenticator's reset, which another administrator carries out (Administration menu)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout

from shielddesk.app import Services
from shielddesk.services.changes import Changes
from shielddesk.services.session import UserSession
from shielddesk.services.users import UserInfo
from shielddesk.ui.administration import show_new_enrolment
from shielddesk.ui.models.row_table import Column, RowTableModel, make_table
from shielddesk.ui.pages.base import Page
from shielddesk.ui.prompts import Prompts


def _state(info: UserInfo) -> str:
    return ("active" if info.active else "deactivated") + (", locked" if info.locked else "")


class UsersPage(Page):
    title = "Users"

    def __init__(self, services: Services, user: UserSession, prompts: Prompts, **hooks: Any) -> None:
        super().__init__(services, user, prompts, **hooks)
        self.users = RowTableModel(
            [
                Column("Username", lambda u: u.username),
                Column("Name", lambda u: u.display_name),
                Column("Roles", lambda u: ", ".join(role.label for role in u.roles)),
                Column("State", _state, tint=lambda u: None if u.active and not u.locked else "#f6c9cf"),
                Column(
                    "Authenticator",
                    lambda u: "set up" if u.second_factor else "none",
                    tint=lambda u: None if u.second_factor else "#fff0c2",
                ),
            ],
            self,
        )
        self.table = make_table(self.users, "User accounts")
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        self.add_button = QPushButton("&Add user…")
        self.roles_button = QPushButton("Change &roles…")
        self.active_button = QPushButton("&Deactivate")
        self.enrol_button = QPushButton("Set up au&thenticator…")
        actions = QHBoxLayout()
        for button, slot in (
            (self.add_button, self.add_user),
            (self.roles_button, self.change_roles),
            (self.active_button, self.toggle_active),
            (self.enrol_button, self.set_up_authenticator),
        ):
            button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
            button.clicked.connect(slot)
            actions.addWidget(button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        self._enable()

    def reload(self) -> None:
        users = self.attempt(lambda: self._services.users.list_users(self.user))
        if users is not None:
            self.users.set_rows(users)
            self.table.resizeColumnsToContents()
        self._enable()

    def on_changes(self, changes: Changes) -> None:
        """Accounts change only through this page (here or on another workstation's); reloaded when shown."""

    def clear(self) -> None:
        super().clear()
        self.users.set_rows([])
        self._enable()

    def _selected(self) -> UserInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.users.row(rows[0].row()) if rows else None

    def _enable(self) -> None:
        chosen = self._selected()
        self.roles_button.setEnabled(chosen is not None)
        self.active_button.setEnabled(chosen is not None and chosen.user_id != self.user.user_id)
        self.active_button.setText("Re&activate" if chosen is not None and not chosen.active else "&Deactivate")
        self.enrol_button.setEnabled(chosen is not None and chosen.active and not chosen.second_factor)

    def _reselect(self, username: str) -> None:
        self.reload()
        for row, info in enumerate(self.users.rows()):
            if info.username == username:
                self.table.selectRow(row)

    # ---- actions ---------------------------------------------------------------------------------------
    def add_user(self) -> None:
        form = self.prompts.user_form(None, self)
        if form is None:
            return
        added = self.attempt(
            lambda: self._services.users.add_user(
                self.user, form.username, form.display_name, form.roles, form.password
            ),
        )
        if added is not None:
            self._reselect(added.username)
            self.say(f"Added {added.username}. Set up their authenticator with them now (Set up authenticator…).")

    def change_roles(self) -> None:
        chosen = self._selected()
        if chosen is None:
            return
        form = self.prompts.user_form(chosen, self)
        if form is None:
            return
        changed = self.attempt(lambda: self._services.users.set_roles(self.user, chosen.username, form.roles))
        if changed is not None:
            self._reselect(changed.username)
            self.say(f"{changed.username}: {', '.join(role.label for role in changed.roles)}.")

    def toggle_active(self) -> None:
        chosen = self._selected()
        if chosen is None:
            return
        changed = self.attempt(lambda: self._services.users.set_active(self.user, chosen.username, not chosen.active))
        if changed is not None:
            self._reselect(changed.username)
            self.say(f"{changed.username} is {'active again' if changed.active else 'deactivated'}.")

    def set_up_authenticator(self) -> None:
        chosen = self._selected()
        if chosen is None:
            return
        credentials = self.prompts.step_up(
            f"Set up an authenticator for {chosen.username} (with them, phone in hand).", self, self.user.second_factor
        )
        if credentials is None:
            return
        enrolment = self.attempt(lambda: self._services.second_factor.enrol(self.user, chosen.username, credentials))
        if enrolment is None or not show_new_enrolment(
            self.prompts, self, enrolment, self.user, self._on_session_ended
        ):
            return
        self._reselect(chosen.username)
        self.say(f"{chosen.username}'s authenticator is set up.")
