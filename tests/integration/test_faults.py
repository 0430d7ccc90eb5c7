"""Faults suite: the disk filling up, the database becoming read-only, the database server stopping in the
middle of a session and in the middle of an import. Each time the user gets a clear message (through the
services and the CLI), no success is reported for what did not commit, nothing partial is left, and
ShieldDesk carries on once the fault is gone — with the same open services, as a running window would.

The small and read-only file systems are tmpfs mounts, so this suite runs as root (as tests/run.sh and CI
do); the stopped server is a throwaway PostgreSQL of its own."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from shielddesk.app import Services, build_services
from shielddesk.config import Config
from shielddesk.domain.errors import StorageUnavailable
from shielddesk.security.passwords import fast_hasher_for_tests
from shielddesk.storage import migrate
from shielddesk.storage.engine import make_engine
from shielddesk.storage.models import Child, ShieldRequest
from tests.support.authority import PASSWORD, child_row, make_authority, write_children
from tests.support.figures import report
from tests.support.fingerprint import data_fingerprint
from tests.support.postgres import PostgresServer


def _mount(*arguments: str) -> None:
    subprocess.run(["mount", *arguments], check=True, capture_output=True)


@contextmanager
def tmpfs(size: str) -> Iterator[Path]:
    assert os.geteuid() == 0, "the fault suite mounts a small tmpfs: run it as root (tests/run.sh and CI do)"
    folder = Path(tempfile.mkdtemp(prefix="shielddesk-fault-"))
    _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder))
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        shutil.rmtree(folder, ignore_errors=True)


def _services(url: str, data_dir: Path, secrets) -> Services:
    config = Config.load(database_url=url, data_dir=data_dir, environ={})
    return build_services(config, secrets=secrets, hashing=fast_hasher_for_tests(), auto_upgrade=False)


def _new_sqlite(folder: Path, template: Path) -> str:
    shutil.copyfile(template, folder / "shielddesk.db")
    return f"sqlite:///{folder / 'shielddesk.db'}"


def _children(path: Path, count: int, prefix: str = "CP88") -> Path:
    rows = [
        child_row(f"{prefix}{n:08d}", "Fault", f"Surname{n:06d}", "2016-08-08", address_line1="1 Long Road " * 4)
        for n in range(count)
    ]
    return write_children(path, rows)


def _pending_request(authority) -> int:
    entry = authority.entry_for("CP9000000005")
    return authority.services.shielding.propose_shield(
        authority.operator1, entry.entry_id, authority.child_id("CP9000000005"), PASSWORD
    ).request_id


def _status(services: Services, request_id: int) -> str:
    with services.ctx.transaction(read_only=True) as session:
        return session.get(ShieldRequest, request_id).status


def _integrity_ok(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        engine.dispose()


def test_a_full_disk_refuses_clearly_keeps_everything_whole_and_recovers(sqlite_template, tmp_path, secrets, run_cli):
    with tmpfs("64m") as disk:
        url = _new_sqlite(disk, sqlite_template)
        services = _services(url, tmp_path / "data", secrets)
        authority = make_authority(services, tmp_path)
        request_id = _pending_request(authority)
        big_import = _children(tmp_path / "big.csv", 20_000)
        before = data_fingerprint(services)
        filler = disk / "filler"
        subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=64k"], check=False, capture_output=True)
        # the disk is full now: the import, the confirmation and even a search (it writes its audit event) fail
        messages = []
        for attempt in (
            lambda: services.population.import_population(authority.admin, big_import),
            lambda: services.shielding.confirm(authority.operator2, request_id, PASSWORD),
        ):
            with pytest.raises(StorageUnavailable) as refused:
                attempt()
            messages.append(str(refused.value))
        cli = run_cli(authority, "import", "children", str(big_import), user="admin")
        assert cli.code == 1 and "Traceback" not in cli.out + cli.err
        assert all("disk that holds the database is full" in m and "Nothing was saved" in m for m in messages)
        assert "disk that holds the database is full" in cli.err
        filler.unlink()  # the fault goes away; the same services carry on
        assert data_fingerprint(services) == before and _status(services, request_id) == "pending"
        assert _integrity_ok(url)
        services.shielding.confirm(authority.operator2, request_id, PASSWORD)
        summary = services.population.import_population(authority.admin, big_import)
        assert summary.created == 20_000 and services.audit.verify(authority.supervisor).ok
        services.close()
    report(
        "faults",
        "disk full (64 MB tmpfs, filled): import, confirmation and CLI refused with 'disk … full', data unchanged, "
        "integrity ok; recovered with the same services once space was freed",
    )


def test_a_read_only_database_refuses_clearly_and_recovers(sqlite_template, tmp_path, secrets, run_cli):
    with tmpfs("16m") as disk:
        url = _new_sqlite(disk, sqlite_template)
        services = _services(url, tmp_path / "data", secrets)
        authority = make_authority(services, tmp_path)
        request_id = _pending_request(authority)
        before = data_fingerprint(services)
        services.engine.dispose()  # a mounted file system cannot turn read-only while files are open for writing
        _mount("-o", "remount,ro", str(disk))
        try:
            with pytest.raises(StorageUnavailable) as refused:
                services.shielding.confirm(authority.operator2, request_id, PASSWORD)
            cli = run_cli(authority, "confirm", str(request_id), user="operator2")
        finally:
            _mount("-o", "remount,rw", str(disk))
        assert "read-only" in str(refused.value) and "Nothing was saved" in str(refused.value)
        assert cli.code == 1 and "read-only" in cli.err and "Traceback" not in cli.out + cli.err
        assert data_fingerprint(services) == before and _status(services, request_id) == "pending"
        services.shielding.confirm(authority.operator2, request_id, PASSWORD)
        assert _status(services, request_id) == "confirmed" and _integrity_ok(url)
        services.close()
    report(
        "faults",
        "read-only database: confirmation and CLI refused with 'read-only', nothing changed; "
        "recovered when writable again",
    )


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    server = PostgresServer.start(durable=True)
    try:
        yield server
    finally:
        server.stop()


def test_a_stopped_database_server_refuses_clearly_leaves_nothing_partial_and_recovers(
    own_postgres, tmp_path, secrets, run_cli
):
    admin = create_engine(own_postgres.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE faults"))
    admin.dispose()
    url = own_postgres.url("faults")
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    services = _services(url, tmp_path / "data", secrets)
    authority = make_authority(services, tmp_path)
    request_id = _pending_request(authority)
    before = data_fingerprint(services)

    own_postgres.pause()  # between two actions
    with pytest.raises(StorageUnavailable) as refused:
        services.shielding.confirm(authority.operator2, request_id, PASSWORD)
    cli = run_cli(authority, "pending", user="operator2")
    assert "server cannot be reached" in str(refused.value) and "Nothing was saved" in str(refused.value)
    assert cli.code == 1 and "server cannot be reached" in cli.err and "Traceback" not in cli.out + cli.err
    own_postgres.resume()
    assert data_fingerprint(services) == before and _status(services, request_id) == "pending"

    # in the middle of a large import
    big_import = _children(tmp_path / "big.csv", 60_000)
    outcome: list[BaseException | object] = []
    worker = threading.Thread(
        target=lambda: outcome.append(
            _capture(lambda: services.population.import_population(authority.admin, big_import))
        )
    )
    worker.start()
    time.sleep(1.0)
    own_postgres.pause()
    worker.join(timeout=120)
    assert isinstance(outcome[0], StorageUnavailable), outcome
    own_postgres.resume()
    with services.ctx.transaction(read_only=True) as session:
        assert session.scalar(select(func.count()).where(Child.cp_id.like("CP88%"))) == 0
    assert data_fingerprint(services) == before

    services.shielding.confirm(authority.operator2, request_id, PASSWORD)
    assert _status(services, request_id) == "confirmed" and services.audit.verify(authority.supervisor).ok
    services.close()
    report(
        "faults",
        "PostgreSQL stopped between actions and during a 60,000-row import: refused with 'server cannot "
        "be reached', nothing partial, chain verifies; the same services recovered when it restarted",
    )


def _capture(action):
    try:
        return action()
    except BaseException as exc:  # the test inspects what the import raised
        return exc
