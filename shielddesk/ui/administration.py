"""The Administration menu's second-factor actions (administrators) and the Account menu's recovery codes
(everyone). Every action asks for the password and a fresh code first, and says what happened in a message."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QWidget

from shielddesk.app import Services
from shielddesk.domain.credentials import Credentials
from shielddesk.domain.errors import SessionEnded, ShieldDeskError
from shielddesk.domain.roles import Permission
from shielddesk.services.second_factor import Enrolment
from shielddesk.services.session import UserSession
from shielddesk.ui.prompts import Prompts

T = TypeVar("T")


def show_new_enrolment(
    prompts: Prompts,
    parent: QWidget,
    enrolment: Enrolment,
    user: UserSession,
    on_session_ended: Callable[[str], None],
) -> bool:
    """Show a new authenticator once. An administrator who set up their own signs in again: this session was opened
    without it and would not ask for codes. Returns whether the session goes on."""
    prompts.show_enrolment(enrolment, parent)
    if enrolment.username == user.username:
        on_session_ended("Your authenticator is set up. Sign in again with its code.")
        return False
    return True


class SecondFactorActions(QObject):
    def __init__(
        self,
        window: QMainWindow,
        services: Services,
        user: Callable[[], UserSession],
        prompts: Prompts,
        on_session_ended: Callable[[str], None],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._services = services
        self._user = user
        self._prompts = prompts
        self._on_session_ended = on_session_ended
        self.last_message = ""

    def build(self) -> None:
        if self._user().may(Permission.MANAGE_USERS):
            menu = self._window.menuBar().addMenu("&Administration")
            self.enrol_action = self._add(menu, "Set up a user's &authenticator…", self.enrol)
            self.reset_action = self._add(menu, "As&k to reset a user's authenticator…", self.request_reset)
            self.confirm_action = self._add(menu, "&Carry out a reset another administrator asked for…", self.confirm)
            menu.addSeparator()
            self.require_action = self._add(menu, "&Require a second factor for everyone…", self.require)
        account = self._window.menuBar().addMenu("&Account")
        self.recovery_action = self._add(account, "New &recovery codes…", self.renew_recovery_codes)
        self.recovery_action.setEnabled(self._user().second_factor)

    def _add(self, menu: QMenu, text: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self._window)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # ---- actions ---------------------------------------------------------------------------------------
    def enrol(self) -> None:
        users = self._run(lambda: self._services.users.list_users(self._user()))
        if users is None:
            return
        without = [u.username for u in users if u.active and not u.second_factor]
        if not without:
            self._tell("Every active user already has an authenticator.")
            return
        username = self._prompts.choose(
            "Set up an authenticator", "User (with you, phone in hand):", without, self._window
        )
        if not username or not (credentials := self._step_up(f"Set up an authenticator for {username}.")):
            return
        enrolment = self._run(lambda: self._services.second_factor.enrol(self._user(), username, credentials))
        if enrolment is not None and show_new_enrolment(
            self._prompts, self._window, enrolment, self._user(), self._on_session_ended
        ):
            self._tell(f"{username}'s authenticator is set up.")

    def request_reset(self) -> None:
        users = self._run(lambda: self._services.users.list_users(self._user()))
        if users is None:
            return
        enrolled = [u.username for u in users if u.second_factor]
        username = self._prompts.choose("Reset an authenticator", "Whose authenticator:", enrolled, self._window)
        if not username:
            return
        reason = self._prompts.reason(
            "Reset an authenticator",
            f"Why must {username}'s authenticator be reset (phone lost, replaced…)? Another administrator "
            "carries the reset out.",
            "Ask for the reset",
            self._window,
        )
        if not reason or not (credentials := self._step_up(f"Ask for a reset of {username}'s authenticator.")):
            return
        view = self._run(
            lambda: self._services.second_factor.request_reset(self._user(), username, reason, credentials)
        )
        if view is not None:
            self._tell(f"Reset #{view.reset_id} asked for. Another administrator must now carry it out.")

    def confirm(self) -> None:
        pending = self._run(lambda: self._services.second_factor.pending_resets(self._user()))
        if pending is None:
            return
        labels = {
            f"#{r.reset_id} {r.username} — asked by {r.requested_by} on {r.requested_at:%d/%m/%Y %H:%M}: {r.reason}": r
            for r in pending
        }
        if not labels:
            self._tell("No reset is waiting.")
            return
        chosen = self._prompts.choose("Carry out a reset", "Reset:", list(labels), self._window)
        reset = labels.get(chosen or "")
        if reset is None:
            return
        if not (credentials := self._step_up(f"Remove {reset.username}'s authenticator and recovery codes.")):
            return
        done = self._run(lambda: self._services.second_factor.confirm_reset(self._user(), reset.reset_id, credentials))
        if done is not None:
            self._tell(
                f"{done.username}'s authenticator was removed. Set up a new one with them "
                "(Administration → Set up a user's authenticator)."
            )

    def require(self) -> None:
        credentials = self._step_up("Require a second factor of every user, from now on (this cannot be undone).")
        if credentials is None:
            return

        def require() -> bool:
            self._services.second_factor.require_for_everyone(self._user(), credentials)
            return True

        if self._run(require):
            self._tell("Every user now needs their authenticator to sign in.")

    def renew_recovery_codes(self) -> None:
        credentials = self._step_up("Replace your recovery codes (the old ones stop working).")
        if credentials is None:
            return
        codes = self._run(lambda: self._services.second_factor.renew_recovery_codes(self._user(), credentials))
        if codes:
            self._tell(
                "Your new recovery codes, shown once. Write them down and keep them locked away; each works once, "
                "in place of a code:\n\n" + "\n".join(codes),
                selectable=False,
            )

    # ---- plumbing --------------------------------------------------------------------------------------
    def _step_up(self, action: str) -> Credentials | None:
        return self._prompts.step_up(action, self._window, self._user().second_factor)

    def _run(self, call: Callable[[], T]) -> T | None:
        try:
            return call()
        except SessionEnded as exc:
            self._on_session_ended(str(exc))
        except ShieldDeskError as exc:
            self._tell(str(exc), error=True)
        return None

    def _tell(self, text: str, *, error: bool = False, selectable: bool = True) -> None:
        self.last_message = text
        kind = QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information
        box = QMessageBox(kind, "ShieldDesk", text, parent=self._window)
        if not selectable:
            box.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.open()  # not exec(): the window's lock closes it like any dialog, and nothing waits on it
