"""Composition root: config -> engine -> keyring -> services (-> main window). Tests build the same graph
with a temporary database, an in-memory keyring and a fake clock."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError

from shielddesk.config import Config
from shielddesk.domain.clock import Clock, SystemClock
from shielddesk.domain.errors import ShieldDeskError, StorageUnavailable
from shielddesk.logsetup import SHIELDED_VALUE_FILTER
from shielddesk.security.passwords import PasswordHashing
from shielddesk.security.secrets import SecretStore
from shielddesk.services.audit_log import AuditService
from shielddesk.services.auth import AuthService
from shielddesk.services.backup import BackupService
from shielddesk.services.certificates import CertificateService
from shielddesk.services.children import ChildrenService, shielded_hidden_values
from shielddesk.services.context import ServiceContext, storage_failure_message
from shielddesk.services.demo import DemoService
from shielddesk.services.lists import ListService
from shielddesk.services.matching import MatchingService
from shielddesk.services.population import PopulationService
from shielddesk.services.queues import ChangeFeed, QueueService
from shielddesk.services.reports import ReportService
from shielddesk.services.requests_read import RequestQueries
from shielddesk.services.reviews import ReviewService
from shielddesk.services.second_factor import SecondFactorService
from shielddesk.services.setup import SetupService
from shielddesk.services.shielding import ShieldingService
from shielddesk.services.users import UserService
from shielddesk.storage import migrate
from shielddesk.storage.engine import is_sqlite, make_engine, make_session_factory, normalise_url
from shielddesk.storage.roles import db_password_secret_name

log = logging.getLogger(__name__)


class DatabaseNotReady(ShieldDeskError):
    pass


@dataclass
class Services:
    config: Config
    engine: Engine
    ctx: ServiceContext
    setup: SetupService
    auth: AuthService
    users: UserService
    children: ChildrenService
    population: PopulationService
    audit: AuditService
    demo: DemoService
    lists: ListService
    matching: MatchingService
    shielding: ShieldingService
    requests: RequestQueries
    reviews: ReviewService
    certificates: CertificateService
    queues: QueueService
    changes: ChangeFeed
    reports: ReportService
    backup: BackupService
    second_factor: SecondFactorService

    def refresh_log_filter(self) -> None:
        """Teach the log filter the values it must never let through (after sign-in and imports)."""
        SHIELDED_VALUE_FILTER.set_values(shielded_hidden_values(self.ctx))

    def close(self) -> None:
        self.engine.dispose()


def prepare_database(engine: Engine, *, upgrade: bool) -> None:
    if migrate.is_up_to_date(engine):
        return
    if upgrade:
        log.info("upgrading database schema to %s", migrate.head_revision(engine))
        migrate.upgrade(engine)
        return
    raise DatabaseNotReady(
        "The database schema is not up to date. An administrator must run `shielddesk db upgrade` first."
    )


def database_url_with_password(url: str, store: SecretStore) -> str:
    """A PostgreSQL URL without a password takes it from the OS keyring (`shielddesk db roles --apply` puts it
    there): the database password is never written in a configuration file."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "postgresql" or parsed.password or not parsed.username:
        return url
    stored = store.get(db_password_secret_name(parsed.username, parsed.host or "", parsed.port, parsed.database or ""))
    return parsed.set(password=stored).render_as_string(hide_password=False) if stored else url


def build_services(
    config: Config,
    *,
    secrets: SecretStore | None = None,
    clock: Clock | None = None,
    hashing: PasswordHashing | None = None,
    auto_upgrade: bool | None = None,
) -> Services:
    store = secrets or SecretStore()
    store.ensure_usable()  # fail closed before anything else happens
    if is_sqlite(config.database_url):
        config.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(database_url_with_password(config.database_url, store))
    try:
        # The embedded SQLite database belongs to this workstation and is upgraded in place; a shared
        # server is upgraded deliberately by an administrator.
        prepare_database(engine, upgrade=is_sqlite(config.database_url) if auto_upgrade is None else auto_upgrade)
    except (OperationalError, InterfaceError) as exc:
        engine.dispose()
        raise StorageUnavailable(storage_failure_message(exc, saving=False)) from None
    except Exception:
        engine.dispose()
        raise
    ctx = ServiceContext(
        session_factory=make_session_factory(engine),
        clock=clock or SystemClock(),
        secrets=store,
        workstation=config.workstation,
        hashing=hashing or PasswordHashing(),
        session_limit=config.session_limit,
    )
    auth = AuthService(ctx)
    setup = SetupService(ctx)
    queues = QueueService(ctx, overdue_after=config.overdue_after)
    return Services(
        config=config,
        engine=engine,
        ctx=ctx,
        setup=setup,
        auth=auth,
        users=UserService(ctx),
        children=ChildrenService(ctx),
        population=PopulationService(ctx, config.import_limits),
        audit=AuditService(ctx),
        demo=DemoService(ctx),
        lists=ListService(ctx, config.import_limits),
        matching=MatchingService(ctx),
        shielding=ShieldingService(ctx, auth, config.review_period),
        requests=RequestQueries(ctx),
        reviews=ReviewService(ctx),
        certificates=CertificateService(ctx, config.data_dir / "keys"),
        queues=queues,
        changes=ChangeFeed(ctx),
        reports=ReportService(queues, lambda: setup.authority().name),
        backup=BackupService(ctx, engine),
        second_factor=SecondFactorService(ctx, auth),
    )
