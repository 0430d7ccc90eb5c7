"""An initialised test authority: one user of every role, a small population with twins, and a
canary-marked shielded family whose hidden values must never reach a viewer who may not see them."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import select

from shielddesk.app import Services
from shielddesk.domain.lists import EntryDetails, EntryView, ReasonCategory, RequestingAgency
from shielddesk.domain.roles import Role
from shielddesk.imports.gatekeeper import LIST_COLUMNS
from shielddesk.imports.population import CHILD_COLUMNS, INVOLVEMENT_COLUMNS
from shielddesk.services.session import UserSession
from shielddesk.storage.models import Child

PASSWORD = "correct horse battery staple"
TEAM_PHONE = "0113 496 0123"

CANARY_CP_ID = "CP9000000001"
CANARY = {
    "address_line1": "17 Zyqxcanary Row",
    "address_line2": "Flat Qwvcanary",
    "town": "Canarytown Xq",
    "postcode": "DB99 9QZ",
    "school_name": "Zyqxcanary Academy",
    "school_urn": "999731",
    "school_postcode": "DB98 8QZ",
    "gp_practice_name": "Zyqxcanary Surgery",
    "gp_practice_code": "Q99731",
    "gp_postcode": "DB97 7QZ",
    "carer1_name": "Zyqxia Canarymother",
    "carer1_address": "17 Zyqxcanary Row, Canarytown Xq, DB99 9QZ",
    "carer1_phone": "07700 900731",
}
CANARY_INVOLVEMENT = {
    "organisation": "Zyqxcanary Refuge",
    "phone": "0113 496 0731",
    "address": "1 Zyqxrefuge Close",
    "postcode": "DB96 6QZ",
}
CANARY_VALUES = [*CANARY.values(), *CANARY_INVOLVEMENT.values()]

ROLE_USERS: dict[str, tuple[Role, ...]] = {
    "operator1": (Role.OPERATOR,),
    "operator2": (Role.OPERATOR,),
    "supervisor": (Role.SUPERVISOR,),
    "signoff": (Role.SIGNOFF_OWNER,),
    "gatekeeper": (Role.GATEKEEPER,),
    "practitioner": (Role.PRACTITIONER,),
}


def child_row(cp_id: str, forenames: str, surname: str, born: str, **extra: str) -> dict[str, str]:
    row = dict.fromkeys(CHILD_COLUMNS, "")
    row.update(cp_id=cp_id, forenames=forenames, surname=surname, date_of_birth=born, gender="F")
    row.update(extra)
    return row


def list_row(
    ref: str, forenames: str = "Aiden", surname: str = "Walsh", born: str = "2018-07-01", **extra: str
) -> dict[str, str]:
    """One row of a gatekeeper list file."""
    row = dict.fromkeys(LIST_COLUMNS, "")
    row.update(
        entry_ref=ref,
        forenames=forenames,
        surname=surname,
        date_of_birth=born,
        reason="domestic_abuse",
        requesting_agency="police",
    )
    row.update(extra)
    return row


def standard_children() -> list[dict[str, str]]:
    rows = [
        child_row(CANARY_CP_ID, "Amara", "Okafor", "2016-03-14", carer1_relationship="Mother", **CANARY),
        # Twins: same surname, DOB and address; the wrong twin must never be mistaken for the right one.
        child_row(
            "CP9000000002",
            "Aiden",
            "Walsh",
            "2018-07-01",
            gender="M",
            address_line1="4 Mill Lane",
            town="Demoford",
            postcode="DB1 2AB",
            school_name="Oakfield Primary School",
        ),
        child_row(
            "CP9000000003",
            "Aidan",
            "Walsh",
            "2018-07-01",
            gender="M",
            address_line1="4 Mill Lane",
            town="Demoford",
            postcode="DB1 2AB",
            school_name="Oakfield Primary School",
        ),
        child_row(
            "CP9000000004",
            "Zoë",
            "O'Brien",
            "2015-01-20",
            address_line1="9 Church Road",
            town="Kingsmere",
            postcode="DB2 3CD",
            carer1_name="Niamh O'Brien",
            carer1_relationship="Mother",
        ),
        child_row(
            "CP9000000005",
            "Sophie",
            "Smith-Jones",
            "2012-11-02",
            address_line1="22 Station Road",
            town="Demoford",
            postcode="DB1 5EF",
        ),
        child_row(
            "CP9000000006",
            "Sophia",
            "Smyth",
            "2012-11-02",
            address_line1="3 Elm Court",
            town="Northcombe",
            postcode="DB3 1GH",
        ),
    ]
    for n in range(7, 31):
        rows.append(
            child_row(
                f"CP90000000{n:02d}",
                "Child",
                f"Family{n:02d}",
                f"2014-02-{n - 5:02d}",
                address_line1=f"{n} High Street",
                town="Demoford",
                postcode=f"DB1 {n % 9}XY",
            )
        )
    return rows


def write_children(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = CHILD_COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_list_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    """A gatekeeper list file."""
    return write_children(path, rows, LIST_COLUMNS)


def write_involvements(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(INVOLVEMENT_COLUMNS))
        writer.writeheader()
        writer.writerow(
            {
                "cp_id": CANARY_CP_ID,
                "service": "Children's Social Care",
                "practitioner": "Pat Lee",
                "role": "Social worker",
                **CANARY_INVOLVEMENT,
            }
        )
        writer.writerow(
            {
                "cp_id": "CP9000000002",
                "service": "Health Visiting",
                "practitioner": "Jo Bell",
                "role": "Health visitor",
                "organisation": "Demo Community Health",
                "phone": "0113 496 0500",
                "address": "Health Centre, Demoford",
                "postcode": "DB1 9ZZ",
            }
        )
    return path


@dataclass
class Authority:
    services: Services
    folder: Path
    sessions: dict[str, UserSession] = field(default_factory=dict)

    def __getattr__(self, name: str) -> UserSession:
        try:
            return self.__dict__["sessions"][name]
        except KeyError:
            raise AttributeError(name) from None

    def child_id(self, cp_id: str) -> int:
        with self.services.ctx.transaction() as session:
            return session.scalars(select(Child.id).where(Child.cp_id == cp_id)).one()

    def entry_for(self, cp_id: str, *, list_ref: str = "TEST-LIST", **overrides: object) -> EntryView:
        """Put the child with `cp_id` on a gatekeeper list (as the gatekeeper), exactly as recorded."""
        with self.services.ctx.transaction() as session:
            child = session.scalars(select(Child).where(Child.cp_id == cp_id)).one()
            details = EntryDetails(
                entry_ref=f"E-{cp_id}",
                forenames=child.forenames,
                surname=child.surname,
                date_of_birth=child.date_of_birth,
                gender=child.gender,
                postcode=child.postcode,
                reason=ReasonCategory.DOMESTIC_ABUSE,
                requesting_agency=RequestingAgency.POLICE,
            )
        return self.services.lists.add_entry(self.gatekeeper, list_ref, replace(details, **overrides))

    def shield(self, *cp_ids: str) -> None:
        """Shield children through the real four-eyes flow: listed, proposed by operator1, confirmed by operator2."""
        for cp_id in cp_ids:
            entry = self.entry_for(cp_id)
            request = self.services.shielding.propose_shield(
                self.operator1, entry.entry_id, self.child_id(cp_id), PASSWORD
            )
            self.services.shielding.confirm(self.operator2, request.request_id, PASSWORD)
        self.services.refresh_log_filter()


def make_authority(services: Services, folder: Path, *, population: bool = True) -> Authority:
    services.setup.initialise(
        authority_name="Test Borough Council",
        team_phone=TEAM_PHONE,
        admin_username="admin",
        admin_display_name="Ada Admin",
        admin_password=PASSWORD,
        demo=True,
        second_factor=False,
    )
    authority = Authority(services, folder)
    admin = services.auth.login("admin", PASSWORD)
    authority.sessions["admin"] = admin
    for username, roles in ROLE_USERS.items():
        services.users.add_user(admin, username, username.capitalize(), roles, PASSWORD)
        authority.sessions[username] = services.auth.login(username, PASSWORD)
    if population:
        children = write_children(folder / "children.csv", standard_children())
        involvements = write_involvements(folder / "involvements.csv")
        services.population.import_population(admin, children, involvements)
        authority.shield(CANARY_CP_ID, "CP9000000002")
    return authority
