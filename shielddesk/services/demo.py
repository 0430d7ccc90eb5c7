"""The synthetic demo authority: users of every role, a generated population, a few shields.

Only ever runs on an empty database, and marks the installation as a demo so that the seeding of
shields (which stands in for the four-eyes workflow the demo has not been through) is refused anywhere
else.
"""

from __future__ import annotations

import random
import secrets
import string
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from shielddesk.domain.errors import PermissionDenied
from shielddesk.domain.roles import Role
from shielddesk.imports.demo_population import write_demo_population
from shielddesk.services.audit import append_event
from shielddesk.services.auth import AuthService
from shielddesk.services.context import SETTING_DEMO, ServiceContext
from shielddesk.services.population import PopulationService, Progress
from shielddesk.services.setup import SetupService
from shielddesk.services.users import UserService
from shielddesk.storage.models import Child, Setting, Shield, User

DEMO_AUTHORITY = "Demo Borough Council (SYNTHETIC DEMO DATA)"
DEMO_TEAM_PHONE = "0113 496 0000"
DEMO_ACCOUNTS: tuple[tuple[str, str, tuple[Role, ...]], ...] = (
    ("demo.admin", "Dee Admin (demo)", (Role.ADMIN,)),
    ("demo.operator1", "Olu Operator (demo)", (Role.OPERATOR,)),
    ("demo.operator2", "Orla Operator (demo)", (Role.OPERATOR,)),
    ("demo.supervisor", "Sam Supervisor (demo)", (Role.SUPERVISOR,)),
    ("demo.signoff", "Sid Sign-off (demo)", (Role.SIGNOFF_OWNER,)),
    ("demo.gatekeeper", "Gita Gatekeeper (demo)", (Role.GATEKEEPER,)),
    ("demo.practitioner", "Pat Practitioner (demo)", (Role.PRACTITIONER,)),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    roles: tuple[Role, ...]
    password: str


@dataclass(frozen=True)
class DemoResult:
    authority: str
    accounts: tuple[DemoAccount, ...]
    children: int
    shielded: int


def _password() -> str:
    alphabet = string.ascii_letters + string.digits
    return "demo-" + "".join(secrets.choice(alphabet) for _ in range(12))


class DemoService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def create(self, *, children: int = 20_000, shields: int = 60, progress: Progress | None = None) -> DemoResult:
        accounts = tuple(DemoAccount(u, n, r, _password()) for u, n, r in DEMO_ACCOUNTS)
        admin = accounts[0]
        SetupService(self._ctx).initialise(
            authority_name=DEMO_AUTHORITY,
            team_phone=DEMO_TEAM_PHONE,
            admin_username=admin.username,
            admin_display_name=admin.display_name,
            admin_password=admin.password,
            demo=True,
        )
        auth = AuthService(self._ctx)
        admin_session = auth.login(admin.username, admin.password)
        users = UserService(self._ctx)
        for account in accounts[1:]:
            users.add_user(admin_session, account.username, account.display_name, account.roles, account.password)
        with tempfile.TemporaryDirectory(prefix="shielddesk-demo-") as folder:
            files = write_demo_population(Path(folder), children, today=self._ctx.now().date())
            PopulationService(self._ctx).import_population(
                admin_session, files.children_csv, files.involvements_csv, progress=progress
            )
        auth.logout(admin_session)
        shielded = self.seed_shields(shields, maker="demo.operator1", checker="demo.operator2")
        return DemoResult(DEMO_AUTHORITY, accounts, files.children, shielded)

    def seed_shields(self, count: int, *, maker: str, checker: str, seed: int = 7) -> int:
        """Shield `count` children, one twin of some twin pairs among them."""
        with self._ctx.transaction() as session:
            ids = list(session.scalars(select(Child.id).order_by(Child.id)))
            twins = list(
                session.execute(
                    select(func.min(Child.id))
                    .group_by(Child.surname_key, Child.date_of_birth, Child.postcode_key)
                    .having(func.count() == 2)
                    .limit(max(1, count // 6))
                ).scalars()
            )
        rng = random.Random(seed)
        chosen = list(dict.fromkeys(twins + rng.sample(ids, min(len(ids), count))))[:count]
        return self.shield_children(chosen, maker=maker, checker=checker)

    def shield_children(self, child_ids: list[int], *, maker: str, checker: str) -> int:
        """Shield the given children as if `maker` had proposed and `checker` confirmed (demo only)."""
        ctx = self._ctx
        if maker == checker:
            raise PermissionDenied("A shield needs two different operators.")
        with ctx.transaction() as session:
            demo = session.get(Setting, SETTING_DEMO)
            if demo is None or demo.value != "yes":
                raise PermissionDenied("Seeding demo shields is only possible on a demo installation.")
            maker_user = session.scalars(select(User).where(User.username == maker)).one()
            checker_user = session.scalars(select(User).where(User.username == checker)).one()
            now = ctx.now()
            for child_id in child_ids:
                shield = Shield(
                    child_id=child_id,
                    active=True,
                    maker_id=maker_user.id,
                    checker_id=checker_user.id,
                    applied_at=now,
                    review_due=(now + timedelta(days=182)).date(),
                    shield_carers=True,
                )
                session.add(shield)
                session.flush()
                append_event(
                    ctx,
                    session,
                    username=checker,
                    action="shield.apply",
                    object_type="child",
                    object_id=child_id,
                    details={"maker": maker, "checker": checker, "seeded": "demo", "shield_id": shield.id},
                )
            return len(child_ids)
