"""Backups of the embedded database, and restoring one. A backup is SQLite's online backup (a consistent copy
taken while other workstations keep writing, never a file copy), whose audit chain is verified before it is
sealed with a key kept in the OS keyring. A restore refuses a backup that was changed, sealed with another key,
belongs to another installation, or whose audit chain does not verify.

On PostgreSQL the database server's own tools take the backup (README, Backups)."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, make_url, select
from sqlalchemy.orm import sessionmaker

from shielddesk.domain.audit_chain import ChainVerdict
from shielddesk.domain.errors import InvalidInput
from shielddesk.domain.roles import Permission
from shielddesk.security import sealing
from shielddesk.services.audit import append_event, verify_chain_in
from shielddesk.services.base import acting
from shielddesk.services.context import SETTING_INSTALLATION_ID, ServiceContext
from shielddesk.services.session import UserSession
from shielddesk.storage.engine import is_sqlite, make_engine
from shielddesk.storage.models import AuditHead, Setting

BACKUP_KIND = "shielddesk-sqlite-backup"


def backup_key_secret_name(installation_id: str) -> str:
    return f"backup-key/{installation_id}"


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    events: int
    size: int
    sha256: str


class BackupService:
    def __init__(self, ctx: ServiceContext, engine: Engine) -> None:
        self._ctx, self._engine = ctx, engine

    def _database_file(self) -> Path:
        url = self._engine.url.render_as_string(hide_password=False)
        if not is_sqlite(url):
            raise InvalidInput(
                "This database is on a PostgreSQL server: back it up with pg_dump and verify the copy as the "
                "README's 'Backups' section describes."
            )
        database = make_url(url).database
        if not database or database == ":memory:":
            raise InvalidInput("An in-memory database cannot be backed up.")
        return Path(database)

    def _key(self, installation_id: str, *, create: bool) -> bytes:
        name = backup_key_secret_name(installation_id)
        stored = self._ctx.secrets.get(name)
        if stored is None:
            if not create:
                raise InvalidInput(
                    "This workstation's keyring does not hold the backup key of this installation: restore on a "
                    "workstation that made backups of it, or install the key there first."
                )
            key = sealing.new_key()
            self._ctx.secrets.set(name, base64.b64encode(key).decode("ascii"))
            return key
        return base64.b64decode(stored)

    def backup(self, actor: UserSession, out: Path) -> BackupInfo:
        """A sealed, verified copy of the database in `out`, taken while other workstations keep working."""
        with acting(self._ctx, actor, Permission.BACKUP, "backup.start") as act:
            source = self._database_file()
            installation = self._ctx.read_settings(act.session).get(SETTING_INSTALLATION_ID, "")
        out = out.resolve()
        # The unencrypted copy stays beside the database (already protected as it is), never beside the backup:
        # a process killed half way must not leave a readable copy on a backup share.
        with tempfile.TemporaryDirectory(prefix=".shielddesk-backup-", dir=source.parent) as folder:
            copy = Path(folder) / "copy.db"
            _online_copy(source, copy)
            verdict, copied_installation = self._verify(copy)
            if not verdict.ok or copied_installation != installation:
                raise InvalidInput(f"The copy did not verify ({verdict.describe()}); no backup was written.")
            header = {"kind": BACKUP_KIND, "installation_id": installation, "audit_events": verdict.events_checked}
            sealing.seal(copy, out, self._key(installation, create=True), header)
        with out.open("rb") as sealed:  # streamed: a backup can be as large as the database
            digest = hashlib.file_digest(sealed, "sha256").hexdigest()
        with acting(self._ctx, actor, Permission.BACKUP, "backup.create", object_type="file") as act:
            act.object_id = out.name
            act.details.update(events=verdict.events_checked, sha256=digest)
        return BackupInfo(out, verdict.events_checked, out.stat().st_size, digest)

    def _verify(self, copy: Path) -> tuple[ChainVerdict, str]:
        """The copy's own audit chain, against its own recorded heads (not this workstation's checkpoint,
        which may already be newer than the copy)."""
        engine = make_engine(f"sqlite:///{copy}")
        try:
            context = ServiceContext(
                session_factory=sessionmaker(bind=engine, expire_on_commit=False),
                clock=self._ctx.clock,
                secrets=self._ctx.secrets,
                workstation=self._ctx.workstation,
            )
            with context.transaction(read_only=True) as session:
                installation = session.scalar(select(Setting.value).where(Setting.key == SETTING_INSTALLATION_ID))
                return verify_chain_in(context, session, use_checkpoint=False), installation or ""
        finally:
            engine.dispose()

    def restore(self, actor: UserSession, sealed: Path) -> int:
        """Replace the database with the backup in `sealed`. Returns the number of audit events restored."""
        with acting(self._ctx, actor, Permission.BACKUP, "backup.restore.start") as act:
            target = self._database_file()
            installation = self._ctx.read_settings(act.session).get(SETTING_INSTALLATION_ID, "")
        try:
            header = sealing.read_header(sealed)
        except (OSError, sealing.SealBroken) as exc:
            raise InvalidInput(f"The backup cannot be read ({exc}); nothing was restored.") from None
        if header.get("kind") != BACKUP_KIND or header.get("installation_id") != installation:
            raise InvalidInput("That backup belongs to another ShieldDesk installation; nothing was restored.")
        with tempfile.TemporaryDirectory(prefix=".shielddesk-restore-", dir=target.parent) as folder:
            copy = Path(folder) / "restore.db"
            try:
                sealing.unseal(sealed, copy, self._key(installation, create=False))
            except sealing.SealBroken as exc:
                raise InvalidInput(f"The backup was refused: {exc}; nothing was restored.") from None
            verdict, copied_installation = self._verify(copy)
            if not verdict.ok or copied_installation != installation:
                raise InvalidInput(
                    f"The backup's audit chain does not verify ({verdict.describe()}); nothing was restored."
                )
            self._engine.dispose()  # no pooled connection holds the old database open across the copy
            _online_copy(copy, target)
        with self._ctx.transaction() as session:
            # The restored chain is older than the one this workstation last verified: start its checkpoint again.
            self._ctx.forget_audit_checkpoint(session)
            append_event(
                self._ctx,
                session,
                username=actor.username,
                action="backup.restore",
                object_type="file",
                object_id=sealed.name,
                details={"events_restored": verdict.events_checked},
            )
            head = session.get(AuditHead, 1)
        return head.seq if head is not None else 0


def _online_copy(source: Path, target: Path) -> None:
    """SQLite's backup API in one step: a consistent snapshot, while writers carry on in the WAL."""
    with closing(sqlite3.connect(source, timeout=30)) as reader, closing(sqlite3.connect(target, timeout=30)) as writer:
        reader.backup(writer)
