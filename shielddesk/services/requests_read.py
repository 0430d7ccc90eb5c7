"""Reading four-eyes requests: the checker's inbox, the side-by-side comparison, the shielded children."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from shielddesk.domain.child import ChildRecord
from shielddesk.domain.errors import NotFound
from shielddesk.domain.lists import EntryDetails
from shielddesk.domain.matching import FieldComparison, score_candidate
from shielddesk.domain.requests import RequestKind, RequestStatus, RequestView, checker_refusal
from shielddesk.domain.roles import Permission
from shielddesk.services.base import acting
from shielddesk.services.context import ServiceContext
from shielddesk.services.lists import details_of
from shielddesk.services.matching import facts_of, find_candidates, subject_of
from shielddesk.services.records import record_of
from shielddesk.services.session import UserSession
from shielddesk.storage.models import Child, GatekeeperList, ListEntry, Shield, ShieldRequest, User


def request_view(session: Session, request: ShieldRequest, *, viewer_id: int) -> RequestView:
    child = session.get(Child, request.child_id) if request.child_id else None
    entry_name = ""
    if request.entry_id is not None:
        row = session.execute(
            select(ListEntry.entry_ref, GatekeeperList.reference)
            .join(GatekeeperList)
            .where(ListEntry.id == request.entry_id)
        ).one()
        entry_name = f"{row.reference}/{row.entry_ref}"
    wanted = [request.maker_id, request.checker_id or 0]
    names = {u.id: u.username for u in session.scalars(select(User).where(User.id.in_(wanted)))}
    pending = request.status == RequestStatus.PENDING.value
    refusal = checker_refusal(request.maker_id, viewer_id) if pending else "already decided"
    provisional = False
    if child is not None and request.kind == RequestKind.APPLY.value:
        shield = session.scalars(
            select(Shield).where(Shield.child_id == child.id, Shield.active.is_(True))
        ).one_or_none()
        provisional = bool(shield and shield.provisional)
    return RequestView(
        request_id=request.id,
        kind=RequestKind(request.kind),
        status=RequestStatus(request.status),
        child_id=request.child_id,
        child_cp_id=child.cp_id if child else "",
        child_name=f"{child.forenames} {child.surname}" if child else "",
        entry_id=request.entry_id,
        entry_name=entry_name,
        maker=names.get(request.maker_id, "?"),
        made_at=request.made_at,
        reason=request.reason,
        checker=names.get(request.checker_id or 0, ""),
        checked_at=request.checked_at,
        checker_note=request.checker_note,
        review_due=request.review_due,
        provisional=provisional,
        can_decide=pending and refusal is None,
        cannot_decide_because=refusal or "",
    )


@dataclass(frozen=True)
class RequestComparison:
    """What the checker sees: the gatekeeper's entry and the chosen child, field by field."""

    request: RequestView
    entry: EntryDetails | None
    child: ChildRecord | None
    comparisons: tuple[FieldComparison, ...]
    score: int
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class ShieldView:
    child_id: int
    cp_id: str
    forenames: str
    surname: str
    date_of_birth: date
    applied_at: datetime
    review_due: date | None
    provisional: bool
    maker: str
    checker: str
    removal_pending: bool


class RequestQueries:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def pending(self, actor: UserSession) -> list[RequestView]:
        with acting(self._ctx, actor, Permission.VIEW_QUEUES, "request.list") as act:
            requests = act.session.scalars(
                select(ShieldRequest)
                .where(ShieldRequest.status == RequestStatus.PENDING.value)
                .order_by(ShieldRequest.made_at)
            ).all()
            act.details["pending"] = len(requests)
            return [request_view(act.session, r, viewer_id=act.user.id) for r in requests]

    def compare(self, actor: UserSession, request_id: int) -> RequestComparison:
        """The checker's side-by-side view. The child's full record is shown to the checking operator (the
        check is the reason), and the viewing is audited as such."""
        with acting(
            self._ctx, actor, Permission.CONFIRM_SHIELD, "request.view", object_type="request", object_id=request_id
        ) as act:
            request = act.session.get(ShieldRequest, request_id)
            if request is None:
                raise NotFound("No such request.")
            act.reason = f"four-eyes check of request {request_id}"
            entry = act.session.get(ListEntry, request.entry_id) if request.entry_id else None
            child = act.session.get(Child, request.child_id) if request.child_id else None
            details = details_of(entry) if entry else None
            record = record_of(child) if child else None
            comparisons: tuple[FieldComparison, ...] = ()
            score, warnings = 0, []
            if details is not None:
                outcome = find_candidates(act.session, subject_of(details))
                warnings.extend(outcome.warnings)
                if child is not None:
                    chosen = next((c for c in outcome.candidates if c.facts.child_id == child.id), None)
                    if chosen is None:
                        chosen = score_candidate(subject_of(details), facts_of(child, shielded=False))
                    comparisons, score = chosen.comparisons, chosen.score
                    better = [c for c in outcome.candidates if c.facts.child_id != child.id and c.score >= score]
                    for other in better:
                        warnings.insert(
                            0,
                            f"ANOTHER CHILD SCORES AT LEAST AS WELL: {other.facts.forenames} "
                            f"{other.facts.surname} ({other.facts.cp_id}), score {other.score}.",
                        )
            return RequestComparison(
                request_view(act.session, request, viewer_id=act.user.id),
                details,
                record,
                comparisons,
                score,
                tuple(dict.fromkeys(warnings)),
            )

    def shields(self, actor: UserSession) -> list[ShieldView]:
        with acting(self._ctx, actor, Permission.VIEW_QUEUES, "shield.list") as act:
            maker, checker = aliased(User), aliased(User)
            rows = act.session.execute(
                select(Shield, Child, maker.username, checker.username)
                .join(Child, Child.id == Shield.child_id)
                .outerjoin(maker, maker.id == Shield.maker_id)
                .outerjoin(checker, checker.id == Shield.checker_id)
                .where(Shield.active.is_(True))
                .order_by(Shield.review_due.is_(None), Shield.review_due, Child.surname_key)
            ).all()
            removals = set(
                act.session.scalars(
                    select(ShieldRequest.child_id).where(
                        ShieldRequest.status == RequestStatus.PENDING.value,
                        ShieldRequest.kind == RequestKind.REMOVE.value,
                    )
                )
            )
            return [
                ShieldView(
                    child.id,
                    child.cp_id,
                    child.forenames,
                    child.surname,
                    child.date_of_birth,
                    shield.applied_at,
                    shield.review_due,
                    shield.provisional,
                    maker_name or "",
                    checker_name or "",
                    child.id in removals,
                )
                for shield, child, maker_name, checker_name in rows
            ]
