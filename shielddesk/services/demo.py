"""The synthetic demo authority: users of every role, a generated population, and a gatekeeper list worked
through the real four-eyes flow (some shields confirmed, some waiting for a checker, some entries left to do).

Only ever runs on an empty database, and marks the installation as a demo.
"""

from __future__ import annotations

import random
import secrets
import string
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from shielddesk.domain.lists import EntryStatus
from shielddesk.domain.roles import Role
from shielddesk.imports.demo_list import TrueChild, noisy_row, typo, write_list
from shielddesk.imports.demo_population import write_demo_population
from shielddesk.services.auth import AuthService
from shielddesk.services.context import ServiceContext
from shielddesk.services.lists import ListService
from shielddesk.services.matching import MatchingService
from shielddesk.services.population import PopulationService, Progress
from shielddesk.services.setup import SetupService
from shielddesk.services.shielding import ShieldingService
from shielddesk.services.users import UserService
from shielddesk.storage.models import Child

DEMO_AUTHORITY = "Demo Borough Council (SYNTHETIC DEMO DATA)"
DEMO_TEAM_PHONE = "0113 496 0000"
DEMO_LIST_REF = "GK-2026-11"
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
    pending: int
    list_reference: str
    list_entries: int


def _password() -> str:
    alphabet = string.ascii_letters + string.digits
    return "demo-" + "".join(secrets.choice(alphabet) for _ in range(12))


def true_child_of(child: Child) -> TrueChild:
    """What a synthetic list entry is made from: a stored child, as the gatekeeper would describe them."""
    return TrueChild(
        child.id,
        child.cp_id,
        child.forenames,
        child.surname,
        child.former_surnames,
        child.date_of_birth,
        child.gender,
        child.postcode,
        f"{child.address_line1}, {child.town}",
    )


class DemoService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def create(self, *, children: int = 20_000, list_entries: int = 60, progress: Progress | None = None) -> DemoResult:
        accounts = tuple(DemoAccount(u, n, r, _password()) for u, n, r in DEMO_ACCOUNTS)
        passwords = {a.username: a.password for a in accounts}
        SetupService(self._ctx).initialise(
            authority_name=DEMO_AUTHORITY,
            team_phone=DEMO_TEAM_PHONE,
            admin_username="demo.admin",
            admin_display_name=accounts[0].display_name,
            admin_password=passwords["demo.admin"],
            demo=True,
            second_factor=False,
        )
        auth = AuthService(self._ctx)
        admin = auth.login("demo.admin", passwords["demo.admin"])
        users = UserService(self._ctx)
        for account in accounts[1:]:
            users.add_user(admin, account.username, account.display_name, account.roles, account.password)
        with tempfile.TemporaryDirectory(prefix="shielddesk-demo-") as folder:
            files = write_demo_population(Path(folder), children, today=self._ctx.now().date())
            PopulationService(self._ctx).import_population(
                admin, files.children_csv, files.involvements_csv, progress=progress
            )
            auth.logout(admin)
            shielded, pending = self._work_a_list(Path(folder), auth, passwords, list_entries)
        return DemoResult(DEMO_AUTHORITY, accounts, files.children, shielded, pending, DEMO_LIST_REF, list_entries)

    def _chosen_children(self, count: int) -> list[TrueChild]:
        """A spread of children: a twin among them, and anyone with a former surname the rng meets."""
        with self._ctx.transaction() as session:
            twin_ids = list(
                session.scalars(
                    select(func.min(Child.id))
                    .group_by(Child.surname_key, Child.date_of_birth, Child.postcode_key)
                    .having(func.count() == 2)
                    .limit(2)
                )
            )
            formerly = list(session.scalars(select(Child.id).where(Child.former_surnames != "").limit(1)))
            all_ids = list(session.scalars(select(Child.id).order_by(Child.id)))
            rng = random.Random(11)
            ids = list(dict.fromkeys(twin_ids + formerly + rng.sample(all_ids, min(len(all_ids), count))))[:count]
            rows = session.scalars(select(Child).where(Child.id.in_(ids))).all()
            by_id = {c.id: true_child_of(c) for c in rows}
            return [by_id[i] for i in ids]

    def _work_a_list(self, folder: Path, auth: AuthService, passwords: dict[str, str], entries: int) -> tuple[int, int]:
        today = self._ctx.now().date()
        rng = random.Random(5)
        chosen = self._chosen_children(entries - 1)
        rows, truth = [], {}
        for number, child in enumerate(chosen, start=1):
            row, _noise = noisy_row(rng, child, f"E{number:03d}", today)
            if child.former_surnames and number <= 3:
                row["surname"] = child.former_surnames.split()[0]  # the gatekeeper knows her by her old name
            elif number == 4 and child.date_of_birth.day <= 12 and child.date_of_birth.day != child.date_of_birth.month:
                swapped = child.date_of_birth.replace(day=child.date_of_birth.month, month=child.date_of_birth.day)
                row["date_of_birth"] = swapped.strftime("%d/%m/%Y")  # day and month swapped on the form
            elif number == 5:
                row["surname"] = typo(rng, row["surname"])
            rows.append(row)
            truth[row["entry_ref"]] = child.child_id
        missing = dict(rows[0])
        missing.update(
            entry_ref=f"E{entries:03d}",
            cp_id="",
            forenames="Keira",
            surname="Notintheindex",
            date_of_birth="2015-06-06",
            postcode="",
            address="",
        )
        rows.append(missing)
        path = write_list(folder / "gatekeeper-list.csv", rows)

        lists = ListService(self._ctx)
        gatekeeper = auth.login("demo.gatekeeper", passwords["demo.gatekeeper"])
        preview = lists.preview(gatekeeper, path, DEMO_LIST_REF)
        lists.import_list(gatekeeper, path, DEMO_LIST_REF, expected_sha256=preview.sha256)
        auth.logout(gatekeeper)

        maker = auth.login("demo.operator1", passwords["demo.operator1"])
        checker = auth.login("demo.operator2", passwords["demo.operator2"])
        MatchingService(self._ctx).analyse_list(maker, DEMO_LIST_REF)
        shielding = ShieldingService(self._ctx, auth)
        views = {v.details.entry_ref: v for v in lists.entries(maker, DEMO_LIST_REF)}
        shielded = pending = 0
        for number, (entry_ref, child_id) in enumerate(truth.items()):
            entry = views[entry_ref]
            if entry.status == EntryStatus.AMBIGUOUS and number % 3:
                continue  # leave most ambiguous entries for a person to look at
            if number >= int(entries * 0.75):
                break  # the last quarter of the list is still to do
            request = shielding.propose_shield(maker, entry.entry_id, child_id, passwords["demo.operator1"])
            if number < int(entries * 0.6):
                shielding.confirm(checker, request.request_id, passwords["demo.operator2"], "Checked all fields.")
                shielded += 1
            else:
                pending += 1
        missing_entry = views[f"E{entries:03d}"]
        shielding.propose_not_found(
            maker,
            missing_entry.entry_id,
            "Searched by name, sounds-like, date of birth and postcode: no record.",
            passwords["demo.operator1"],
        )
        auth.logout(maker)
        auth.logout(checker)
        return shielded, pending + 1
