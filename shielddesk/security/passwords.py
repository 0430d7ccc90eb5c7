"""argon2id password hashing (argon2-cffi's RFC 9106 low-memory profile or stronger)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class PasswordHashing:
    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        # Verifying against this for an unknown user makes "no such user" cost the same as a wrong password.
        self._decoy = self._hasher.hash("decoy-password-never-valid")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash or self._decoy, password) and stored_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)


def fast_hasher_for_tests() -> PasswordHashing:
    """Same algorithm (argon2id), tiny cost: for test suites that create hundreds of users."""
    return PasswordHashing(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
