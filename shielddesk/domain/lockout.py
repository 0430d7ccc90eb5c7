"""Account lockout: 5 failed sign-ins lock the account for 15 minutes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    lock_for: timedelta = timedelta(minutes=15)

    def is_locked(self, locked_until: datetime | None, now: datetime) -> bool:
        return locked_until is not None and now < locked_until

    def after_failure(self, failed_attempts: int, now: datetime) -> tuple[int, datetime | None]:
        """The new failure count and, when this failure reaches the limit, the time the lock ends."""
        count = failed_attempts + 1
        if count >= self.max_failures:
            return 0, now + self.lock_for
        return count, None


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int = 12

    def problem(self, password: str, username: str) -> str | None:
        if len(password) < self.min_length:
            return f"The password must have at least {self.min_length} characters."
        if username and username.casefold() in password.casefold():
            return "The password must not contain the username."
        return None
