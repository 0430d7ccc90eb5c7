"""Backup and restore of the embedded database: an online, verified, encrypted backup (also while another
workstation writes 200 times), restored whole; a changed or foreign backup, or one whose audit chain does not
verify, is refused and the database left as it was."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from shielddesk.domain.errors import InvalidInput, PermissionDenied
from shielddesk.domain.search import SearchCriteria
from shielddesk.security import sealing
from shielddesk.services.backup import backup_key_secret_name
from shielddesk.services.context import SETTING_INSTALLATION_ID
from shielddesk.storage.models import AuditEvent, ShieldRequest
from tests.support.authority import CANARY_VALUES, PASSWORD
from tests.support.figures import report
from tests.support.fingerprint import data_fingerprint


def _events(services) -> int:
    with services.ctx.transaction(read_only=True) as session:
        return session.scalar(select(func.count()).select_from(AuditEvent))


def test_a_backup_is_sealed_and_restores_the_database_as_it_was(sqlite_authority, tmp_path, run_cli):
    authority, services = sqlite_authority, sqlite_authority.services
    before = data_fingerprint(services)
    result = run_cli(authority, "backup", "--out", str(tmp_path / "monday.sdbackup"), user="admin")
    assert result.code == 0, result.err
    sealed = (tmp_path / "monday.sdbackup").read_bytes()
    assert b"SQLite format 3" not in sealed and not [v for v in CANARY_VALUES if v.encode() in sealed]
    entry = authority.entry_for("CP9000000005")
    services.shielding.propose_shield(authority.operator1, entry.entry_id, authority.child_id("CP9000000005"), PASSWORD)
    assert data_fingerprint(services) != before
    assert run_cli(authority, "restore", str(tmp_path / "monday.sdbackup"), user="admin").code == 1  # needs --yes
    result = run_cli(authority, "restore", str(tmp_path / "monday.sdbackup"), "--yes", user="admin")
    assert result.code == 0, result.err
    assert data_fingerprint(services) == before
    assert services.audit.verify(authority.supervisor).ok
    with services.ctx.transaction(read_only=True) as session:
        assert session.scalar(select(func.count()).where(AuditEvent.action == "backup.restore")) == 1


def test_a_changed_or_foreign_backup_is_refused_and_nothing_changes(sqlite_authority, tmp_path):
    authority, services = sqlite_authority, sqlite_authority.services
    good = tmp_path / "good.sdbackup"
    services.backup.backup(authority.admin, good)
    before = data_fingerprint(services)
    data = bytearray(good.read_bytes())
    refusals = []
    for position in (len(sealing.MAGIC) + 10, len(data) // 2, len(data) - 3):
        changed = tmp_path / f"changed_{position}.sdbackup"
        flipped = bytearray(data)
        flipped[position] ^= 0x01
        changed.write_bytes(bytes(flipped))
        with pytest.raises(InvalidInput) as refused:
            services.backup.restore(authority.admin, changed)
        refusals.append(str(refused.value))
    cut = tmp_path / "cut.sdbackup"
    cut.write_bytes(bytes(data[: len(data) - 1000]))
    with pytest.raises(InvalidInput, match="nothing was restored"):
        services.backup.restore(authority.admin, cut)
    assert all("nothing was restored" in message for message in refusals)
    with pytest.raises(PermissionDenied):
        services.backup.restore(authority.supervisor, good)
    with pytest.raises(PermissionDenied):
        services.backup.backup(authority.operator1, tmp_path / "mine.sdbackup")
    assert data_fingerprint(services) == before


def test_a_backup_whose_audit_chain_does_not_verify_is_refused(sqlite_authority, tmp_path):
    authority, services = sqlite_authority, sqlite_authority.services
    path = Path(services.engine.url.database)
    # A backup sealed with the right key, of a database whose audit log was edited afterwards.
    tampered = tmp_path / "tampered.db"
    services.engine.dispose()
    shutil.copyfile(path, tampered)
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tampered}")
    with engine.begin() as connection:
        connection.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(reason="edited afterwards"))
    engine.dispose()
    with services.ctx.transaction(read_only=True) as session:
        installation = services.ctx.read_settings(session)[SETTING_INSTALLATION_ID]
    services.backup.backup(authority.admin, tmp_path / "first.sdbackup")  # creates the backup key
    key = __import__("base64").b64decode(services.ctx.secrets.get(backup_key_secret_name(installation)))
    forged = tmp_path / "forged.sdbackup"
    header = {"kind": "shielddesk-sqlite-backup", "installation_id": installation, "audit_events": 0}
    sealing.seal(tampered, forged, key, header)
    before = data_fingerprint(services)
    with pytest.raises(InvalidInput, match="audit chain does not verify"):
        services.backup.restore(authority.admin, forged)
    assert data_fingerprint(services) == before and services.audit.verify(authority.supervisor).ok


def test_a_backup_taken_during_200_concurrent_writes_restores_and_verifies(sqlite_authority, tmp_path, secrets):
    from shielddesk.app import build_services
    from shielddesk.config import Config
    from shielddesk.security.passwords import fast_hasher_for_tests

    authority, services = sqlite_authority, sqlite_authority.services
    other = build_services(
        Config.load(database_url=str(services.engine.url), data_dir=tmp_path / "other", environ={}),
        secrets=secrets,
        hashing=fast_hasher_for_tests(),
        auto_upgrade=False,
    )
    writer_session = other.auth.login("practitioner", PASSWORD)
    written = []
    started = threading.Event()

    def write() -> None:
        for n in range(200):
            other.children.search(writer_session, SearchCriteria(surname=f"Family{n % 30:02d}"))
            written.append(n)
            if n == 20:
                started.set()

    writer = threading.Thread(target=write)
    writer.start()
    started.wait(timeout=30)
    info = services.backup.backup(authority.admin, tmp_path / "busy.sdbackup")
    writer.join(timeout=120)
    other.close()
    assert len(written) == 200
    assert 0 < info.events < _events(services)  # a snapshot from the middle of the writing
    restored = services.backup.restore(authority.admin, tmp_path / "busy.sdbackup")
    assert restored == info.events + 1  # the backup's events, and the restore's own
    assert services.audit.verify(authority.supervisor).ok
    with services.ctx.transaction(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(ShieldRequest)) >= 2
    report(
        "backup",
        f"sqlite: a backup taken during 200 concurrent writes held {info.events} audit events, restored and "
        "verified; changed, cut, foreign-key and unverifiable backups refused",
    )


def test_on_postgresql_the_backup_points_to_the_servers_tools(authority, tmp_path):
    if authority.services.engine.dialect.name != "postgresql":
        assert authority.services.backup.backup(authority.admin, tmp_path / "b.sdbackup").events > 0
        return
    with pytest.raises(InvalidInput, match="pg_dump"):
        authority.services.backup.backup(authority.admin, tmp_path / "b.sdbackup")


def test_the_documented_postgresql_backup_restores_and_verifies_as_a_copy(pg_database_url, tmp_path, secrets):
    """README, Backups: pg_dump, pg_restore into a scratch database, `audit verify --copy` there."""
    import subprocess

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from shielddesk.app import build_services
    from shielddesk.config import Config
    from shielddesk.security.passwords import fast_hasher_for_tests
    from tests.support.authority import make_authority
    from tests.support.postgres import _bin

    def services_on(url: str):
        config = Config.load(database_url=url, data_dir=tmp_path / "data", environ={})
        return build_services(config, secrets=secrets, hashing=fast_hasher_for_tests(), auto_upgrade=False)

    services = services_on(pg_database_url)
    authority = make_authority(services, tmp_path)
    assert services.audit.verify(authority.supervisor).ok
    url = make_url(pg_database_url)
    dump = tmp_path / "shielddesk.dump"
    connection = ["--host", url.host, "--port", str(url.port), "--username", url.username]
    subprocess.run([_bin("pg_dump"), *connection, "--format=custom", f"--file={dump}", url.database], check=True)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    scratch = f"{url.database}_verify"
    with admin.connect() as session:
        session.execute(text(f'CREATE DATABASE "{scratch}"'))
    try:
        subprocess.run([_bin("pg_restore"), *connection, f"--dbname={scratch}", str(dump)], check=True)
        authority.shield("CP9000000005")  # the live database moves on, and this workstation verifies it
        assert services.audit.verify(authority.supervisor).ok
        copy = services_on(url.set(database=scratch).render_as_string(hide_password=False))
        supervisor = copy.auth.login("supervisor", PASSWORD)
        assert copy.audit.verify(supervisor, copy=True).ok
        assert not copy.audit.verify(supervisor).ok  # older than this workstation's checkpoint: not the live one
        copy.close()
    finally:
        with admin.connect() as session:
            session.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        admin.dispose()
        services.close()


def test_the_unencrypted_copy_is_made_beside_the_database_never_beside_the_backup(
    sqlite_authority, tmp_path, monkeypatch
):
    from shielddesk.services import backup as backup_module

    services = sqlite_authority.services
    database_folder = Path(services.engine.url.database).resolve().parent
    share = tmp_path / "backup-share"
    share.mkdir()
    copies = []
    real_copy = backup_module._online_copy

    def recording_copy(source: Path, target: Path) -> None:
        copies.append(target.resolve())
        real_copy(source, target)

    monkeypatch.setattr(backup_module, "_online_copy", recording_copy)
    services.backup.backup(sqlite_authority.admin, share / "nightly.sdbackup")
    assert copies and all(copy.parent.parent == database_folder for copy in copies)
    assert [p.name for p in share.iterdir()] == ["nightly.sdbackup"]
