"""Four-eyes requests: what can be proposed, who may decide it, and what a decision does to the entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from shielddesk.domain.lists import EntryStatus


class RequestKind(StrEnum):
    APPLY = "apply"  # shield this child (for a list entry, or to confirm a provisional duplicate shield)
    REMOVE = "remove"  # remove this child's shield (or release a provisional one)
    NOT_FOUND = "not_found"  # this list entry's child is not in the index


class RequestStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


MIN_REASON = 10


def checker_refusal(maker_id: int, checker_id: int) -> str | None:
    """Invariant 1: maker and checker are different people, whatever roles either holds."""
    if maker_id == checker_id:
        return "You proposed this yourself: another operator must check and decide it."
    return None


def entry_status_after(kind: RequestKind, outcome: RequestStatus) -> EntryStatus | None:
    """What a decided request makes of its list entry (None: the entry is not touched)."""
    if kind == RequestKind.APPLY:
        return {
            RequestStatus.CONFIRMED: EntryStatus.SHIELDED,
            RequestStatus.REJECTED: EntryStatus.MATCHED,
            RequestStatus.WITHDRAWN: EntryStatus.MATCHED,
        }.get(outcome)
    if kind == RequestKind.NOT_FOUND:
        return {
            RequestStatus.CONFIRMED: EntryStatus.NOT_FOUND,
            RequestStatus.REJECTED: EntryStatus.UNMATCHED,
            RequestStatus.WITHDRAWN: EntryStatus.UNMATCHED,
        }.get(outcome)
    return None


@dataclass(frozen=True)
class RequestView:
    request_id: int
    kind: RequestKind
    status: RequestStatus
    child_id: int | None
    child_cp_id: str
    child_name: str
    entry_id: int | None
    entry_name: str
    maker: str
    made_at: datetime
    reason: str
    checker: str = ""
    checked_at: datetime | None = None
    checker_note: str = ""
    review_due: date | None = None
    provisional: bool = False
    can_decide: bool = False
    cannot_decide_because: str = ""
