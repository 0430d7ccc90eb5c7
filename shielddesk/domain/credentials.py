"""What a user gives to prove who they are: the password and, once enrolled, a code from their authenticator
(or one of their recovery codes)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Credentials:
    password: str
    code: str = ""

    def __repr__(self) -> str:  # never show either in a log or a traceback
        return "Credentials(…)"

    @classmethod
    def of(cls, given: Credentials | str) -> Credentials:
        """A bare password is the credentials of a user without a second factor."""
        return given if isinstance(given, Credentials) else cls(given)
