"""What every page shares: the signed-in user, a message line, and one way to run a service call."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QLabel, QWidget

from shielddesk.app import Services
from shielddesk.domain.credentials import Credentials
from shielddesk.domain.errors import SessionEnded, ShieldDeskError
from shielddesk.services.changes import Changes
from shielddesk.services.session import UserSession
from shielddesk.ui.prompts import Prompts

T = TypeVar("T")


class Page(QWidget):
    title = ""

    def __init__(
        self,
        services: Services,
        user: UserSession,
        prompts: Prompts,
        *,
        notify: Callable[[Changes], None],
        on_session_ended: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self.user = user
        self.prompts = prompts
        self._notify = notify
        self._on_session_ended = on_session_ended
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(f"{self.title} message")

    def attempt(self, call: Callable[[], T], *, done: str = "") -> T | None:
        """Run a service call: on success say `done`; on refusal show why; on a lost session sign out."""
        try:
            result = call()
        except ShieldDeskError as exc:
            self.show_failure(exc)
            return None
        if done:
            self.say(done)
        return result

    def show_failure(self, error: Exception) -> None:
        """A refused call (here or in a background task): a lost session signs out, anything else is said."""
        if isinstance(error, SessionEnded):
            self._on_session_ended(str(error))
        else:
            self.say(str(error), error=True)

    def four_eyes(
        self,
        step_up: str,
        call: Callable[[Credentials, str], T],
        *,
        done: str,
        changes: Changes,
        reason: tuple[str, str, str] | None = None,
    ) -> T | None:
        """A proposal or decision: ask for a reason if one is needed (title, prompt, button), then the password
        (and a code) again (step-up), then run `call(credentials, reason)`; on success say `done` and broadcast
        `changes`."""
        note = ""
        if reason is not None:
            title, prompt, action = reason
            note = self.prompts.reason(title, prompt, action, self) or ""
            if not note:
                return None
        credentials = self.prompts.step_up(step_up, self, self.user.second_factor)
        if credentials is None:
            return None
        result = self.attempt(lambda: call(credentials, note), done=done)
        if result is not None:
            self.changed(changes)
        return result

    def say(self, text: str, *, error: bool = False) -> None:
        self.message.setObjectName("errorText" if error else "")
        self.message.setStyleSheet("")  # re-polish after the object name changes
        self.message.setText(text)

    def reload(self) -> None:
        """Fetch what this page shows. Pages override."""

    def changed(self, changes: Changes) -> None:
        self._notify(changes)

    def on_changes(self, changes: Changes) -> None:
        """Refresh what this page shows if `changes` touch it. Pages override."""

    def clear(self) -> None:
        """Forget everything shown (lock, sign-out). Pages override."""
        self.message.clear()
