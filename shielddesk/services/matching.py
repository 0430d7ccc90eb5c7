"""Finding the children a list entry may describe: blocking queries on the indexed search keys, then the
explainable scoring of domain.matching. Candidates are shown to operators; nothing is linked here."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from shielddesk.domain.errors import Cancelled, InvalidInput, NotFound
from shielddesk.domain.lists import EntryDetails, EntryStatus
from shielddesk.domain.masking import placeholder_text
from shielddesk.domain.matching import (
    Agreement,
    CandidateFacts,
    FieldComparison,
    MatchOutcome,
    MatchSubject,
    ScoredCandidate,
    birth_date_variants,
    rank,
)
from shielddesk.domain.roles import Permission
from shielddesk.domain.text import name_key, phonetic_key
from shielddesk.services.base import acting
from shielddesk.services.context import SETTING_TEAM_PHONE, ServiceContext
from shielddesk.services.lists import details_of
from shielddesk.services.session import UserSession
from shielddesk.storage.models import Child, GatekeeperList, ListEntry, Setting, Shield

BLOCK_LIMIT = 400


@dataclass(frozen=True)
class CandidateView:
    """One candidate as an operator sees it in the Match dialog. A candidate who is already shielded shows
    the placeholder in place of its location values; the agreement verdicts are shown either way."""

    child_id: int
    cp_id: str
    forenames: str
    surname: str
    former_surnames: str
    date_of_birth: date
    gender: str
    postcode: str
    address: str
    shielded: bool
    score: int
    certain: bool
    comparisons: tuple[FieldComparison, ...]

    def agreement(self, field: str) -> Agreement:
        return next(c.agreement for c in self.comparisons if c.field == field)


@dataclass(frozen=True)
class MatchReport:
    entry_id: int
    entry_name: str
    entry: EntryDetails
    status: EntryStatus
    candidates: tuple[CandidateView, ...]
    ambiguous: bool
    weak: bool
    warnings: tuple[str, ...]


def subject_of(details: EntryDetails) -> MatchSubject:
    return MatchSubject(
        forenames=details.forenames,
        surname=details.surname,
        date_of_birth=details.date_of_birth,
        cp_id=details.cp_id,
        gender=details.gender,
        postcode=details.postcode,
        address=details.address,
    )


def _starts(column: Any, prefix: str) -> Any:
    return and_(column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1))


def _blocks(subject: MatchSubject) -> list:
    """Cheap, indexed ways a candidate may share something with the entry."""
    blocks = []
    if subject.cp_id:
        blocks.append(Child.cp_id == subject.cp_id)
    surname, phonetic = name_key(subject.surname), phonetic_key(subject.surname)
    first_forename = (subject.forenames.split() or [""])[0]
    if subject.date_of_birth is not None:
        variants = sorted(birth_date_variants(subject.date_of_birth))
        # Everyone born that day whose forename or surname starts the same way: catches surname typos that
        # defeat the phonetic key, without scoring the whole day's births (about 150 a day per million).
        fore, sur = name_key(first_forename), surname
        starts = [_starts(Child.forenames_key, fore[:2])] if len(fore) >= 2 else []
        starts += [_starts(Child.surname_key, sur[:1])] if sur else []
        # and the same with forename and surname swapped on the form
        starts += [_starts(Child.forenames_key, sur[:2])] if len(sur) >= 2 else []
        starts += [_starts(Child.surname_key, fore[:1])] if fore else []
        if starts:
            blocks.append(and_(Child.date_of_birth == subject.date_of_birth, or_(*starts)))
        if surname:
            blocks.append(and_(Child.surname_key == surname, Child.date_of_birth.in_(variants)))
        if phonetic:
            blocks.append(and_(Child.surname_phonetic == phonetic, Child.date_of_birth.in_(variants)))
        swapped = name_key(first_forename)
        if swapped:
            blocks.append(and_(Child.surname_key == swapped, Child.date_of_birth.in_(variants)))
            blocks.append(
                and_(Child.surname_phonetic == phonetic_key(first_forename), Child.date_of_birth.in_(variants))
            )
    elif surname:
        blocks.append(Child.surname_key == surname)
        if phonetic:
            blocks.append(Child.surname_phonetic == phonetic)
    return blocks


def find_candidates(session: Session, subject: MatchSubject, *, exclude: Iterable[int] = ()) -> MatchOutcome:
    blocks = _blocks(subject)
    if not blocks:
        return rank(subject, [])
    shielded = exists().where(and_(Shield.child_id == Child.id, Shield.active.is_(True)))
    query = (
        select(
            Child.id,
            Child.cp_id,
            Child.forenames,
            Child.surname,
            Child.former_surnames,
            Child.date_of_birth,
            Child.gender,
            Child.postcode,
            Child.address_line1,
            Child.address_line2,
            Child.town,
            shielded.label("shielded"),
        )
        .where(or_(*blocks))
        .limit(BLOCK_LIMIT)
    )
    excluded = set(exclude)
    facts = [facts_of(row, shielded=bool(row.shielded)) for row in session.execute(query) if row.id not in excluded]
    return rank(subject, facts)


def facts_of(child: Any, *, shielded: bool) -> CandidateFacts:
    """Matching facts of a child row (an ORM Child or a result row with the same column names)."""
    return CandidateFacts(
        child_id=child.id,
        cp_id=child.cp_id,
        forenames=child.forenames,
        surname=child.surname,
        former_surnames=child.former_surnames,
        date_of_birth=child.date_of_birth,
        gender=child.gender,
        postcode=child.postcode,
        address=" ".join(p for p in (child.address_line1, child.address_line2, child.town) if p),
        shielded=shielded,
    )


def _view(candidate: ScoredCandidate, placeholder: str) -> CandidateView:
    facts = candidate.facts
    hide = facts.shielded
    return CandidateView(
        child_id=facts.child_id,
        cp_id=facts.cp_id,
        forenames=facts.forenames,
        surname=facts.surname,
        former_surnames=facts.former_surnames,
        date_of_birth=facts.date_of_birth,
        gender=facts.gender,
        postcode=placeholder if hide else facts.postcode,
        address=placeholder if hide else facts.address,
        shielded=facts.shielded,
        score=candidate.score,
        certain=candidate.certain,  # type: ignore[attr-defined]
        comparisons=candidate.comparisons,  # type: ignore[attr-defined]
    )


class MatchingService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def match(self, actor: UserSession, entry_id: int) -> MatchReport:
        with acting(
            self._ctx, actor, Permission.PROPOSE_SHIELD, "match.view", object_type="list_entry", object_id=entry_id
        ) as act:
            row = act.session.execute(
                select(ListEntry, GatekeeperList.reference).join(GatekeeperList).where(ListEntry.id == entry_id)
            ).one_or_none()
            if row is None:
                raise NotFound("No such list entry.")
            entry, reference = row
            details = details_of(entry)
            outcome = find_candidates(act.session, subject_of(details))
            setting = act.session.get(Setting, SETTING_TEAM_PHONE)
            placeholder = placeholder_text(setting.value if setting else "")
            act.details.update(candidates=len(outcome.candidates), ambiguous=outcome.ambiguous, weak=outcome.weak)
            return MatchReport(
                entry.id,
                f"{reference}/{entry.entry_ref}",
                details,
                EntryStatus(entry.status),
                tuple(_view(c, placeholder) for c in outcome.candidates),
                outcome.ambiguous,
                outcome.weak,
                outcome.warnings,
            )

    def analyse_list(
        self,
        actor: UserSession,
        reference: str,
        *,
        progress: Callable[[int, int, str], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> dict[str, int]:
        """Run matching over every open entry of a list: close candidates mark an entry ambiguous, no
        plausible candidate leaves it unmatched. Nothing is linked. Returns the counts. Cancelling leaves
        every entry as it was."""
        report = progress or (lambda _done, _total, _stage: None)
        with acting(
            self._ctx, actor, Permission.PROPOSE_SHIELD, "match.list", object_type="list", object_id=reference
        ) as act:
            entries = act.session.scalars(
                select(ListEntry)
                .join(GatekeeperList)
                .where(
                    GatekeeperList.reference == reference,
                    ListEntry.status.in_([EntryStatus.UNMATCHED.value, EntryStatus.AMBIGUOUS.value]),
                )
            ).all()
            if (
                not entries
                and act.session.scalars(select(GatekeeperList.id).where(GatekeeperList.reference == reference)).first()
                is None
            ):
                raise InvalidInput(f"There is no list with the reference {reference!r}.")
            counts = {"ambiguous": 0, "no_candidate": 0, "candidates": 0}
            for done, entry in enumerate(entries):
                if cancel is not None and cancel.is_set():
                    raise Cancelled()
                if done % 20 == 0:
                    report(done, len(entries), "Matching the open entries…")
                outcome = find_candidates(act.session, subject_of(details_of(entry)))
                if outcome.ambiguous:
                    entry.status = EntryStatus.AMBIGUOUS.value
                    counts["ambiguous"] += 1
                else:
                    entry.status = EntryStatus.UNMATCHED.value
                    counts["candidates" if outcome.plausible else "no_candidate"] += 1
            act.details.update(counts)
            return counts
