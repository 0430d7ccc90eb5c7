"""Review items: decisions no list asked for.

* duplicate — the population import brought a record that plausibly is an already shielded child (the
  index's real historical failure: an unshielded duplicate arriving with a later load). The record is
  shielded provisionally at once; two operators then keep the shield or release it (four-eyes requests).
* sibling — a child was just shielded and another, unshielded child lives at the same address; an operator
  records what should happen (refer to the gatekeeper, or no shield needed, with a note).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from shielddesk.domain.errors import InvalidInput, NotFound
from shielddesk.domain.matching import Agreement, MatchSubject, birth_date_variants, score_candidate
from shielddesk.domain.roles import Permission
from shielddesk.domain.text import phonetic_key
from shielddesk.services.audit import append_event
from shielddesk.services.base import acting
from shielddesk.services.context import ServiceContext
from shielddesk.services.matching import facts_of
from shielddesk.services.session import UserSession
from shielddesk.storage.models import Child, ReviewItem, Shield, User

DUPLICATE_THRESHOLD = 85


class ReviewKind(StrEnum):
    DUPLICATE = "duplicate"
    SIBLING = "sibling"


class ReviewStatus(StrEnum):
    OPEN = "open"
    DECIDED = "decided"


class SiblingOutcome(StrEnum):
    REFER_TO_GATEKEEPER = "refer_to_gatekeeper"
    NO_SHIELD_NEEDED = "no_shield_needed"


@dataclass(frozen=True)
class ReviewView:
    review_id: int
    kind: ReviewKind
    status: ReviewStatus
    child_id: int
    cp_id: str
    name: str
    date_of_birth: date
    related_child_id: int
    related_cp_id: str
    related_name: str
    score: int
    created_at: datetime
    decided_by: str
    note: str


def close_duplicate_reviews(session: Session, child_id: int, user_id: int, now: datetime, note: str) -> None:
    for item in session.scalars(
        select(ReviewItem).where(
            ReviewItem.child_id == child_id,
            ReviewItem.kind == ReviewKind.DUPLICATE.value,
            ReviewItem.status == ReviewStatus.OPEN.value,
        )
    ):
        item.status, item.decided_by_id, item.decided_at, item.note = ReviewStatus.DECIDED.value, user_id, now, note


def open_sibling_reviews(session: Session, child_id: int, now: datetime) -> list[Child]:
    """Unshielded children at the newly shielded child's address: each gets a review item (once)."""
    child = session.get(Child, child_id)
    if child is None or not child.address_key or not child.postcode_key:
        return []
    shielded = select(Shield.child_id).where(Shield.active.is_(True))
    siblings = list(
        session.scalars(
            select(Child)
            .where(
                Child.address_key == child.address_key,
                Child.postcode_key == child.postcode_key,
                Child.id != child.id,
                Child.id.not_in(shielded),
            )
            .order_by(Child.date_of_birth)
        )
    )
    already = set(
        session.scalars(
            select(ReviewItem.child_id).where(
                ReviewItem.related_child_id == child.id, ReviewItem.kind == ReviewKind.SIBLING.value
            )
        )
    )
    for sibling in siblings:
        if sibling.id not in already:
            session.add(
                ReviewItem(
                    kind=ReviewKind.SIBLING.value,
                    child_id=sibling.id,
                    related_child_id=child.id,
                    status=ReviewStatus.OPEN.value,
                    created_at=now,
                )
            )
    session.flush()
    return siblings


def _plausibly_same_person(shielded: Child, candidate: Child) -> int:
    subject = MatchSubject(
        forenames=shielded.forenames,
        surname=shielded.surname,
        date_of_birth=shielded.date_of_birth,
        gender=shielded.gender,
        postcode=shielded.postcode,
    )
    scored = score_candidate(subject, facts_of(candidate, shielded=False))
    if scored.comparison("forenames").agreement == Agreement.DISAGREE:
        return 0  # a sibling with another name, not the same child
    if scored.comparison("date_of_birth").agreement in (Agreement.DISAGREE, Agreement.MISSING):
        return 0
    return scored.score


def guard_duplicates(ctx: ServiceContext, session: Session, touched_ids: Iterable[int], *, username: str) -> int:
    """After a population import: shield provisionally every touched, unshielded record that plausibly is an
    already shielded child. Returns how many were shielded. Runs inside the import's transaction."""
    touched = set(touched_ids)
    shields = list(
        session.execute(
            select(Child).join(Shield, and_(Shield.child_id == Child.id, Shield.active.is_(True)))
        ).scalars()
    )
    if not touched or not shields:
        return 0
    shielded_ids = {c.id for c in shields}
    now = ctx.now()
    by_birth: dict[date, list[int]] = defaultdict(list)
    by_sound: dict[str, list[int]] = defaultdict(list)
    touched_ids = sorted(touched)
    for chunk_start in range(0, len(touched_ids), 1000):
        chunk = touched_ids[chunk_start : chunk_start + 1000]
        for child_id, born, sound in session.execute(
            select(Child.id, Child.date_of_birth, Child.surname_phonetic).where(Child.id.in_(chunk))
        ):
            if child_id not in shielded_ids:
                by_birth[born].append(child_id)
                by_sound[sound].append(child_id)
    guarded = 0
    for original in shields:
        candidate_ids = {i for d in birth_date_variants(original.date_of_birth) for i in by_birth.get(d, [])}
        candidate_ids |= set(by_sound.get(phonetic_key(original.surname), []))
        for candidate in session.scalars(select(Child).where(Child.id.in_(candidate_ids))) if candidate_ids else []:
            score = _plausibly_same_person(original, candidate)
            if score < DUPLICATE_THRESHOLD or candidate.id in shielded_ids:
                continue
            shielded_ids.add(candidate.id)
            try:
                with session.begin_nested():
                    session.add(Shield(child_id=candidate.id, active=True, provisional=True, applied_at=now))
                    session.flush()
            except IntegrityError:
                continue  # another workstation's confirmation shielded it a moment ago: it is shielded either way
            session.add(
                ReviewItem(
                    kind=ReviewKind.DUPLICATE.value,
                    child_id=candidate.id,
                    related_child_id=original.id,
                    score=score,
                    status=ReviewStatus.OPEN.value,
                    created_at=now,
                )
            )
            session.flush()
            append_event(
                ctx,
                session,
                username=username,
                action="shield.provisional",
                object_type="child",
                object_id=candidate.id,
                details={"duplicate_of": original.id, "score": score},
            )
            guarded += 1
    return guarded


class ReviewService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def open_items(self, actor: UserSession) -> list[ReviewView]:
        with acting(self._ctx, actor, Permission.VIEW_QUEUES, "review.list") as act:
            return self._views(act.session, open_only=True)

    def decide_sibling(self, actor: UserSession, review_id: int, outcome: SiblingOutcome, note: str) -> ReviewView:
        note = " ".join(note.split())
        with acting(
            self._ctx, actor, Permission.PROPOSE_SHIELD, "review.decide", object_type="review", object_id=review_id
        ) as act:
            item = act.session.get(ReviewItem, review_id)
            if item is None:
                raise NotFound("No such review item.")
            if item.kind != ReviewKind.SIBLING.value:
                raise InvalidInput("A possible duplicate is decided by two operators keeping or releasing its shield.")
            if item.status != ReviewStatus.OPEN.value:
                raise InvalidInput("This item has already been decided.")
            if len(note) < 10:
                raise InvalidInput("Give a note of at least 10 characters.")
            item.status, item.decided_by_id, item.decided_at = ReviewStatus.DECIDED.value, act.user.id, self._ctx.now()
            item.note = f"{outcome.value}: {note}"
            act.reason = note
            act.details["outcome"] = outcome.value
            return next(v for v in self._views(act.session, open_only=False) if v.review_id == review_id)

    @staticmethod
    def _views(session: Session, *, open_only: bool) -> list[ReviewView]:
        child, related, decider = aliased(Child), aliased(Child), aliased(User)
        query = (
            select(ReviewItem, child, related, decider.username)
            .join(child, child.id == ReviewItem.child_id)
            .join(related, related.id == ReviewItem.related_child_id)
            .outerjoin(decider, decider.id == ReviewItem.decided_by_id)
            .order_by(ReviewItem.created_at, ReviewItem.id)
        )
        if open_only:
            query = query.where(ReviewItem.status == ReviewStatus.OPEN.value)
        return [
            ReviewView(
                item.id,
                ReviewKind(item.kind),
                ReviewStatus(item.status),
                c.id,
                c.cp_id,
                f"{c.forenames} {c.surname}",
                c.date_of_birth,
                r.id,
                r.cp_id,
                f"{r.forenames} {r.surname}",
                item.score,
                item.created_at,
                decided_by or "",
                item.note,
            )
            for item, c, r, decided_by in session.execute(query)
        ]
