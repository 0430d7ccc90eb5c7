"""What every service needs, injected: sessions, clock, keyring, workstation, policies."""

from __future__ import annotations

import base64
import logging
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from shielddesk.domain.audit_chain import key_fingerprint
from shielddesk.domain.clock import Clock
from shielddesk.domain.errors import ConcurrentChange, NotInitialised, SecretStoreUnavailable, StorageUnavailable
from shielddesk.domain.lockout import LockoutPolicy, PasswordPolicy
from shielddesk.security.passwords import PasswordHashing
from shielddesk.security.second_factor import SecondFactorKeys
from shielddesk.security.secrets import SecretStore
from shielddesk.storage.engine import READ_ONLY_OPTION
from shielddesk.storage.models import Setting

log = logging.getLogger(__name__)

SETTING_INSTALLATION_ID = "installation_id"
SETTING_AUTHORITY_NAME = "authority_name"
SETTING_TEAM_PHONE = "team_phone"
SETTING_AUDIT_KEY_FINGERPRINT = "audit_key_fingerprint"
SETTING_DEMO = "demo"
# "no" only on a demo, in tests, and on an authority set up before second factors until it turns them on.
SETTING_SECOND_FACTOR_REQUIRED = "second_factor_required"


def audit_checkpoint_secret_name(installation_id: str) -> str:
    return f"audit-checkpoint/{installation_id}"


def audit_key_secret_name(installation_id: str) -> str:
    return f"audit-hmac-key/{installation_id}"


# PostgreSQL's names for two transactions that cannot both go ahead; the database rolled one back.
_CONFLICTS = frozenset({"DeadlockDetected", "SerializationFailure", "LockNotAvailable"})
_CONCURRENT = (
    "Another workstation changed the same records at the same moment, so nothing was saved. "
    "Look at the record again and repeat the action if it is still needed."
)


_SQLITE_CAUSES = {
    "SQLITE_FULL": ("The disk that holds the database is full.", "Free some space on it (or ask IT), then try again."),
    "SQLITE_READONLY": (
        "The database cannot be written here (its file or folder is read-only).",
        "Ask IT to make it writable again, then try again.",
    ),
    "SQLITE_CANTOPEN": (
        "The database file cannot be opened (its folder may be read-only, or the file was moved or removed).",
        "Ask IT to check the database folder, then try again.",
    ),
    "SQLITE_BUSY": (
        "Another workstation kept the database busy for too long (a large import?).",
        "Wait a minute, then try again.",
    ),
    "SQLITE_IOERR": ("The disk reported an error while writing the database.", "Ask IT to check the disk."),
    "SQLITE_CORRUPT": (
        "The database file is damaged.",
        "Stop using ShieldDesk on this workstation and ask IT to restore the latest backup.",
    ),
}


def storage_failure_message(exc: DBAPIError, *, saving: bool = True) -> str:
    """What the user is told when the database fails. Classified from the driver's error code, never quoting
    the driver's message: it can contain the statement's values. `saving`: a transaction was rolled back (not
    so when the database could not even be opened)."""
    kind = type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__
    if isinstance(exc.orig, sqlite3.Error):
        code = getattr(exc.orig, "sqlite_errorname", "") or ""
        family = next((name for name in _SQLITE_CAUSES if code == name or code.startswith(name + "_")), None)
        cause, remedy = _SQLITE_CAUSES[family] if family else (None, None)
    elif "certificate" in (text := str(exc.orig).lower()) or "does not match host name" in text:
        cause = (
            "The database server's certificate is not signed by the authority's CA this workstation trusts, or "
            "does not name the server."
        )
        remedy = "Ask IT to check sslrootcert= and the server's name in the database URL."
    elif "password authentication failed" in text or "no password supplied" in text:
        cause = "The database server refused ShieldDesk's sign-in (its role or password)."
        remedy = "Ask IT to check the database role; its password belongs in the keyring (shielddesk db roles)."
    elif exc.connection_invalidated or kind in ("OperationalError", "InterfaceError", "AdminShutdown"):
        cause = "The database server cannot be reached."
        remedy = "Check the network connection or ask IT whether the server is running, then try again."
    elif kind == "DiskFull":
        cause, remedy = _SQLITE_CAUSES["SQLITE_FULL"]
    else:
        cause = remedy = None
    if cause is None:
        cause = f"The database could not complete this action ({kind})."
        remedy = "Check that the database is reachable and has free space, then try again."
    return f"{cause} Nothing was saved. {remedy}" if saving else f"{cause} {remedy}"


@dataclass
class ServiceContext:
    session_factory: sessionmaker[Session]
    clock: Clock
    secrets: SecretStore
    workstation: str
    hashing: PasswordHashing = field(default_factory=PasswordHashing)
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)
    password_policy: PasswordPolicy = field(default_factory=PasswordPolicy)
    session_limit: timedelta = timedelta(hours=12)
    _audit_key: bytes | None = field(default=None, init=False, repr=False)

    def now(self) -> datetime:
        return self.clock.now()

    @contextmanager
    def transaction(self, *, read_only: bool = False) -> Iterator[Session]:
        """One transaction. A failing database becomes a StorageUnavailable whose message names only the kind
        of failure: a driver's message can quote the SQL parameters, and those may be shielded values.
        `read_only`: a snapshot that never waits for a writer (SQLite: no write lock is taken)."""
        try:
            with self.session_factory() as session, session.begin():
                if read_only:
                    session.connection(execution_options={READ_ONLY_OPTION: True})
                yield session
        except IntegrityError:
            log.warning("transaction rolled back: a concurrent change broke a unique rule")
            raise ConcurrentChange(_CONCURRENT) from None
        except DBAPIError as exc:
            kind = type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__
            if kind in _CONFLICTS:
                log.warning("transaction rolled back: %s", kind)
                raise ConcurrentChange(_CONCURRENT) from None
            log.error("database failure: %s", kind)
            raise StorageUnavailable(storage_failure_message(exc)) from None

    def read_settings(self, session: Session) -> dict[str, str]:
        return {s.key: s.value for s in session.scalars(select(Setting))}

    def forget_audit_key(self) -> None:
        self._audit_key = None

    def new_audit_key(self, installation_id: str) -> bytes:
        key = secrets.token_bytes(32)
        self.secrets.set(audit_key_secret_name(installation_id), base64.b64encode(key).decode("ascii"))
        self._audit_key = key
        return key

    def _checkpoint_name(self, session: Session) -> str | None:
        installation_id = self.read_settings(session).get(SETTING_INSTALLATION_ID, "")
        return audit_checkpoint_secret_name(installation_id) if installation_id else None

    def audit_checkpoint(self, session: Session) -> tuple[int, str] | None:
        """The newest chain head this workstation has seen verified, kept outside the database (in its keyring)
        so that cutting events off the chain and rewriting the head row in the database is still found."""
        name = self._checkpoint_name(session)
        stored = self.secrets.get(name) if name else None
        if not stored or ":" not in stored:
            return None
        seq, digest = stored.split(":", 1)
        return int(seq), digest

    def save_audit_checkpoint(self, session: Session, head: tuple[int, str]) -> None:
        if name := self._checkpoint_name(session):
            self.secrets.set(name, f"{head[0]}:{head[1]}")

    def forget_audit_checkpoint(self, session: Session) -> None:
        """After a deliberate restore from a backup, whose chain is older than the checkpoint."""
        if (name := self._checkpoint_name(session)) and self.secrets.get(name) is not None:
            self.secrets.delete(name)

    def second_factor_required(self, session: Session) -> bool:
        return self.read_settings(session).get(SETTING_SECOND_FACTOR_REQUIRED) != "no"

    def second_factor_keys(self, session: Session) -> SecondFactorKeys:
        return SecondFactorKeys.derive(self.audit_key(session))

    def audit_key(self, session: Session) -> bytes:
        if self._audit_key is not None:
            return self._audit_key
        settings = self.read_settings(session)
        installation_id = settings.get(SETTING_INSTALLATION_ID)
        if not installation_id:
            raise NotInitialised("ShieldDesk has not been set up on this database yet (run `shielddesk init`).")
        stored = self.secrets.get(audit_key_secret_name(installation_id))
        if stored is None:
            raise SecretStoreUnavailable(
                "This workstation's keyring does not hold the audit key for this database. An administrator "
                "must install it here (see README, 'Shared PostgreSQL')."
            )
        key = base64.b64decode(stored)
        if key_fingerprint(key) != settings.get(SETTING_AUDIT_KEY_FINGERPRINT):
            raise SecretStoreUnavailable(
                "The audit key in this workstation's keyring belongs to a different ShieldDesk database."
            )
        self._audit_key = key
        return key
