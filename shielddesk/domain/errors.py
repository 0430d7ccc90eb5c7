"""Errors the services raise. Messages are shown to users: they never contain a shielded value."""

from __future__ import annotations

from dataclasses import dataclass


class ShieldDeskError(Exception):
    """Base of every error a user may see; the message is safe to show and to log."""

    # What the refusal's audit event should say besides the error's name (never a shielded value).
    audit_details: dict[str, object] | None = None


class AuthenticationFailed(ShieldDeskError):
    # One message for unknown user, wrong password or code and locked account: no oracle for an attacker.
    MESSAGE = (
        "Sign-in refused: the username, password or authenticator code is wrong, or the account is locked "
        "after repeated failures. Try again, or ask an administrator."
    )

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


class SecondFactorReused(ShieldDeskError):
    """The right code, but already used once: each code works once, so wait for the authenticator's next."""

    MESSAGE = "That authenticator code has already been used. Wait for the next code (up to 30 seconds) and try again."

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


class ClockDrift(AuthenticationFailed):
    """The code is the user's, but from another time: this workstation's clock or the phone's is wrong. Refused
    (and counted towards the lockout) like a wrong code, but said, so that the clock is put right."""

    def __init__(self, minutes: int) -> None:
        ShieldDeskError.__init__(
            self,
            f"Sign-in refused: the authenticator code belongs to a time about {minutes} minute(s) away from this "
            "workstation's clock. Ask IT to set this workstation (and check the phone) to network time, then try "
            "again.",
        )


class SecondFactorNotEnrolled(ShieldDeskError):
    """The authority requires a second factor and this account has none (new, or reset by two administrators)."""

    MESSAGE = (
        "Your account has no authenticator set up yet, and this authority requires one. Ask an administrator to "
        "set up your second factor, then sign in."
    )

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


class SecondFactorUnreadable(ShieldDeskError):
    """The stored authenticator secret does not open: its row was changed or copied from another account."""

    MESSAGE = (
        "Your second factor cannot be checked: its stored secret was changed. Ask two administrators to reset "
        "your second factor."
    )

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


class SessionEnded(ShieldDeskError):
    """The signed-in user was deactivated or locked out since signing in."""


class PermissionDenied(ShieldDeskError):
    pass


class InvalidInput(ShieldDeskError):
    pass


class NotFound(ShieldDeskError):
    pass


class NotInitialised(ShieldDeskError):
    pass


class AlreadyInitialised(ShieldDeskError):
    pass


class StorageUnavailable(ShieldDeskError):
    """The database could not complete a transaction (unreachable, locked, full, read-only)."""


class ConcurrentChange(ShieldDeskError):
    """Another workstation changed the same records at the same moment (a unique rule, a deadlock or a
    serialization failure): this transaction was rolled back whole."""


class Cancelled(ShieldDeskError):
    def __init__(self) -> None:
        super().__init__("Cancelled: nothing was changed.")


class SecretStoreUnavailable(ShieldDeskError):
    """No usable OS keyring: ShieldDesk fails closed rather than keep secrets in plain text."""


@dataclass(frozen=True)
class RowProblem:
    """One problem in an imported file: the file, its physical line, the column and what is wrong."""

    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        column = f", column {self.column}" if self.column else ""
        return f"{where}{column}: {self.message}"


class ImportRejected(ShieldDeskError):
    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"The import was refused and nothing was changed ({len(problems)} problem(s)):\n{shown}{more}")
