"""The gatekeeper-approved list: entries, their statuses and the values a gatekeeper may give."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class EntryStatus(StrEnum):
    UNMATCHED = "unmatched"  # not yet linked to a child
    MATCHED = "matched"  # a child was chosen (a proposal for it was rejected or withdrawn; choose again or re-propose)
    AMBIGUOUS = "ambiguous"  # matching found close candidates (twins, same name and birth date)
    PENDING = "pending"  # a shield or a not-found outcome is waiting for its checker
    SHIELDED = "shielded"
    NOT_FOUND = "not_found"  # two operators agreed the child is not in the index (documented exception)
    WITHDRAWN = "withdrawn"  # by the gatekeeper
    REJECTED = "rejected"  # returned to the gatekeeper with a reason


OPEN_STATUSES = frozenset({EntryStatus.UNMATCHED, EntryStatus.MATCHED, EntryStatus.AMBIGUOUS})
# A certificate may treat these as done (issue: readiness).
SETTLED_STATUSES = frozenset({EntryStatus.SHIELDED, EntryStatus.NOT_FOUND, EntryStatus.WITHDRAWN})


class ReasonCategory(StrEnum):
    DOMESTIC_ABUSE = "domestic_abuse"
    WITNESS_PROTECTION = "witness_protection"
    ADOPTION_PLACEMENT = "adoption_placement"
    FORCED_MARRIAGE = "forced_marriage"
    OTHER = "other"


class RequestingAgency(StrEnum):
    LOCAL_AUTHORITY = "local_authority"
    POLICE = "police"
    HEALTH = "health"
    OTHER = "other"


@dataclass(frozen=True)
class EntryDetails:
    """One entry as the gatekeeper gave it (validated)."""

    entry_ref: str
    forenames: str
    surname: str
    cp_id: str = ""
    date_of_birth: date | None = None
    gender: str = "U"
    postcode: str = ""
    address: str = ""
    reason: ReasonCategory = ReasonCategory.OTHER
    requesting_agency: RequestingAgency = RequestingAgency.OTHER
    approved_by: str = ""
    approved_on: date | None = None
    review_due: date | None = None
    shield_carers: bool = True
    notes: str = ""


# The fields a revised list may change (comparing them tells "changed" from "unchanged"), in the order of
# the list file's columns (DESIGN §6).
ENTRY_FIELDS = (
    "cp_id",
    "forenames",
    "surname",
    "date_of_birth",
    "gender",
    "postcode",
    "address",
    "reason",
    "requesting_agency",
    "approved_by",
    "approved_on",
    "review_due",
    "shield_carers",
    "notes",
)


@dataclass(frozen=True)
class EntryView:
    entry_id: int
    list_ref: str
    details: EntryDetails
    status: EntryStatus
    child_id: int | None
    child_cp_id: str
    version: int
    status_note: str = ""

    @property
    def name(self) -> str:
        return f"{self.list_ref}/{self.details.entry_ref}"


@dataclass(frozen=True)
class ListSummary:
    list_id: int
    reference: str
    file_name: str
    received_at: str
    entries: int
    counts: dict[str, int]
