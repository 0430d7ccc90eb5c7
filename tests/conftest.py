"""Shared fixtures: headless Qt, an in-memory keyring, a fresh database per test on SQLite and on a real
throwaway PostgreSQL, a fake clock, and an initialised authority with a user of every role."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from sqlalchemy import create_engine, text

from shielddesk.app import Services, build_services
from shielddesk.config import Config
from shielddesk.domain.clock import FakeClock
from shielddesk.security.passwords import fast_hasher_for_tests
from shielddesk.security.secrets import SecretStore
from shielddesk.storage import migrate
from shielddesk.storage.engine import make_engine
from tests.support.authority import Authority, make_authority
from tests.support.memory_keyring import MemoryKeyring
from tests.support.postgres import PostgresServer

PG_URL_ENV = "SHIELDDESK_TEST_PG_URL"
_counter = itertools.count()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/tests/gui/" in str(item.fspath):
            item.add_marker(pytest.mark.gui)
        if "postgresql" in item.nodeid or "pg_database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer | str]:
    if url := os.environ.get(PG_URL_ENV):
        yield url
        return
    server = PostgresServer.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the file we copy
    return path


@pytest.fixture(scope="session")
def pg_template(postgres: PostgresServer | str) -> str:
    admin_url = postgres if isinstance(postgres, str) else postgres.admin_url
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS shielddesk_template"))
        connection.execute(text("CREATE DATABASE shielddesk_template"))
    engine.dispose()
    template_engine = make_engine(admin_url.rsplit("/", 1)[0] + "/shielddesk_template")
    migrate.upgrade(template_engine)
    template_engine.dispose()
    return admin_url


def _fresh_pg_database(admin_url: str) -> Iterator[str]:
    """A new database cloned from the migrated template, dropped afterwards."""
    name = f"sd_test_{os.getpid()}_{next(_counter)}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE shielddesk_template'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        target = tmp_path / "shielddesk.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite:///{target}"
        return
    yield from _fresh_pg_database(request.getfixturevalue("pg_template"))


@pytest.fixture
def pg_database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh database on the throwaway PostgreSQL server, for the suites that are about PostgreSQL only."""
    yield from _fresh_pg_database(request.getfixturevalue("pg_template"))


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "shielddesk.db"
    shutil.copyfile(sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def keyring_backend() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def secrets(keyring_backend: MemoryKeyring) -> SecretStore:
    return SecretStore(keyring_backend)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _services(url: str, tmp_path: Path, secrets: SecretStore, clock: FakeClock) -> Services:
    config = Config.load(database_url=url, data_dir=tmp_path / "data", environ={})
    return build_services(config, secrets=secrets, clock=clock, hashing=fast_hasher_for_tests(), auto_upgrade=False)


@pytest.fixture
def services(database_url: str, tmp_path: Path, secrets: SecretStore, clock: FakeClock) -> Iterator[Services]:
    built = _services(database_url, tmp_path, secrets, clock)
    yield built
    built.close()


@pytest.fixture
def sqlite_services(sqlite_url: str, tmp_path: Path, secrets: SecretStore, clock: FakeClock) -> Iterator[Services]:
    built = _services(sqlite_url, tmp_path, secrets, clock)
    yield built
    built.close()


@pytest.fixture
def authority(services: Services, tmp_path: Path) -> Authority:
    return make_authority(services, tmp_path)


@pytest.fixture
def sqlite_authority(sqlite_services: Services, tmp_path: Path) -> Authority:
    return make_authority(sqlite_services, tmp_path)


@pytest.fixture
def run_cli():
    from tests.support.cli import run_cli_as

    return run_cli_as


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly how many tests ran against the real PostgreSQL server and the real Secret Service, and
    print the proof suites' figures."""
    from tests.support.figures import FIGURES

    if FIGURES:
        terminalreporter.section("proof suites")
        for line in FIGURES:
            terminalreporter.write_line(line)
    for marker, label in (("postgres", "PostgreSQL"), ("secret_service", "Secret Service (gnome-keyring)")):
        counts: dict[str, int] = {}
        for outcome in ("passed", "failed", "error", "skipped"):
            for report in terminalreporter.stats.get(outcome, []):
                if getattr(report, "when", "call") == "call" and marker in getattr(report, "keywords", {}):
                    counts[outcome] = counts.get(outcome, 0) + 1
        if counts:
            summary = ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
            terminalreporter.write_line(f"{label} tests: {summary}")
