"""Plain, immutable records of a child as the services hand them to the UI and CLI."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date


@dataclass(frozen=True)
class Carer:
    name: str = ""
    relationship: str = ""
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Involvement:
    service: str = ""
    practitioner: str = ""
    role: str = ""
    organisation: str = ""
    phone: str = ""
    address: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class ChildRecord:
    cp_id: str
    forenames: str
    surname: str
    date_of_birth: date
    former_surnames: str = ""
    gender: str = "U"
    address_line1: str = ""
    address_line2: str = ""
    town: str = ""
    postcode: str = ""
    school_name: str = ""
    school_urn: str = ""
    school_postcode: str = ""
    gp_practice_name: str = ""
    gp_practice_code: str = ""
    gp_postcode: str = ""
    carers: tuple[Carer, ...] = ()
    involvements: tuple[Involvement, ...] = ()


# The child's own fields, in the order of the population extract (DESIGN §6).
CHILD_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ChildRecord) if f.name not in ("carers", "involvements"))


@dataclass(frozen=True)
class ChildView:
    """What one viewer may see of one child: the record (masked where required) and why."""

    child_id: int
    record: ChildRecord
    shielded: bool
    masked: bool
    revealed: bool = False
    review_due: date | None = None


@dataclass(frozen=True)
class ChildSummary:
    """One row of a search result, already masked for the viewer."""

    child_id: int
    cp_id: str
    surname: str
    forenames: str
    date_of_birth: date
    gender: str
    postcode: str
    town: str
    shielded: bool
    masked: bool
