"""Four-eyes shielding: one operator proposes, another decides — exactly once, never their own, never on a
record that changed since the proposal, and the change, the request's status and the audit event commit
together (DESIGN §4, invariants 1-5)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shielddesk.domain.credentials import Credentials
from shielddesk.domain.errors import InvalidInput, NotFound, PermissionDenied, ShieldDeskError
from shielddesk.domain.lists import OPEN_STATUSES, EntryStatus
from shielddesk.domain.requests import (
    MIN_REASON,
    RequestKind,
    RequestStatus,
    RequestView,
    checker_refusal,
    entry_status_after,
)
from shielddesk.domain.roles import Permission
from shielddesk.services.auth import AuthService
from shielddesk.services.base import Acting, acting
from shielddesk.services.changes import Changes
from shielddesk.services.context import ServiceContext
from shielddesk.services.free_text import refuse_locations
from shielddesk.services.requests_read import request_view
from shielddesk.services.reviews import close_duplicate_reviews, open_sibling_reviews
from shielddesk.services.session import UserSession
from shielddesk.storage.models import Child, ListEntry, Shield, ShieldRequest

DEFAULT_REVIEW_PERIOD = timedelta(days=182)


class AlreadyDecided(ShieldDeskError):
    pass


class StaleRequest(ShieldDeskError):
    pass


@dataclass(frozen=True)
class RelatedChild:
    child_id: int
    cp_id: str
    forenames: str
    surname: str
    date_of_birth: date


@dataclass(frozen=True)
class Decision:
    request: RequestView
    changes: Changes
    related_unshielded: tuple[RelatedChild, ...] = ()


def _reason(text: str, what: str) -> str:
    cleaned = " ".join(text.split())
    if len(cleaned) < MIN_REASON:
        raise InvalidInput(f"Give {what} of at least {MIN_REASON} characters.")
    return cleaned


class ShieldingService:
    def __init__(
        self, ctx: ServiceContext, auth: AuthService, review_period: timedelta = DEFAULT_REVIEW_PERIOD
    ) -> None:
        self._ctx = ctx
        self._auth = auth
        self._review_period = review_period

    # ---- proposals (makers) ---------------------------------------------------------------------------
    def propose_shield(
        self, actor: UserSession, entry_id: int, child_id: int, credentials: Credentials | str, reason: str = ""
    ) -> RequestView:
        self._auth.reauthenticate(actor, credentials)
        with self._proposing(actor, "shield.propose", entry_id=entry_id) as act:
            entry = self._open_entry(act.session, entry_id)
            child = self._child(act.session, child_id)
            request = self._new_request(
                act,
                RequestKind.APPLY,
                child=child,
                entry=entry,
                reason=" ".join(reason.split()) or f"Shield for list entry {entry.entry_ref}",
                review_due=entry.review_due or (self._ctx.now() + self._review_period).date(),
                shield_carers=entry.shield_carers,
            )
            entry.status, entry.child_id, entry.status_note = EntryStatus.PENDING.value, child.id, ""
            return request_view(act.session, request, viewer_id=act.user.id)

    def propose_not_found(
        self, actor: UserSession, entry_id: int, reason: str, credentials: Credentials | str
    ) -> RequestView:
        self._auth.reauthenticate(actor, credentials)
        with self._proposing(actor, "shield.propose_not_found", entry_id=entry_id) as act:
            reason = _reason(reason, "a reason (what was searched)")
            entry = self._open_entry(act.session, entry_id)
            request = self._new_request(act, RequestKind.NOT_FOUND, child=None, entry=entry, reason=reason)
            entry.status, entry.status_note = EntryStatus.PENDING.value, ""
            return request_view(act.session, request, viewer_id=act.user.id)

    def propose_removal(
        self, actor: UserSession, child_id: int, reason: str, credentials: Credentials | str
    ) -> RequestView:
        self._auth.reauthenticate(actor, credentials)
        with self._proposing(actor, "shield.propose_removal", child_id=child_id) as act:
            reason = _reason(reason, "a reason for removing the shield")
            child = self._child(act.session, child_id)
            if self._active_shield(act.session, child.id) is None:
                raise InvalidInput("This child is not shielded.")
            request = self._new_request(act, RequestKind.REMOVE, child=child, entry=None, reason=reason)
            return request_view(act.session, request, viewer_id=act.user.id)

    def propose_keep_provisional(
        self, actor: UserSession, child_id: int, reason: str, credentials: Credentials | str
    ) -> RequestView:
        """Ask to make a provisional (duplicate-guard) shield permanent."""
        self._auth.reauthenticate(actor, credentials)
        with self._proposing(actor, "shield.propose", child_id=child_id) as act:
            reason = _reason(reason, "a reason for keeping the shield")
            child = self._child(act.session, child_id)
            shield = self._active_shield(act.session, child.id)
            if shield is None or not shield.provisional:
                raise InvalidInput("This child has no provisional shield to confirm.")
            request = self._new_request(
                act,
                RequestKind.APPLY,
                child=child,
                entry=None,
                reason=reason,
                review_due=(self._ctx.now() + self._review_period).date(),
            )
            return request_view(act.session, request, viewer_id=act.user.id)

    # ---- decisions (checkers) -----------------------------------------------------------------------------
    def confirm(self, actor: UserSession, request_id: int, credentials: Credentials | str, note: str = "") -> Decision:
        self._auth.reauthenticate(actor, credentials)
        with self._deciding(actor, "shield.confirm", request_id) as act:
            request = self._claim(act, request_id, RequestStatus.CONFIRMED, " ".join(note.split()))
            related = self._apply(act, request)
            act.details.update(kind=request.kind, child_id=request.child_id, entry_id=request.entry_id)
            return Decision(
                request_view(act.session, request, viewer_id=act.user.id),
                Changes(shields=True, lists=request.entry_id is not None, requests=True, reviews=True),
                related,
            )

    def reject(self, actor: UserSession, request_id: int, note: str, credentials: Credentials | str) -> Decision:
        self._auth.reauthenticate(actor, credentials)
        with self._deciding(actor, "shield.reject", request_id) as act:
            note = _reason(note, "a note saying why")
            request = self._claim(act, request_id, RequestStatus.REJECTED, note)
            self._settle_entry(act.session, request, note)
            act.reason = note
            return Decision(
                request_view(act.session, request, viewer_id=act.user.id), Changes(lists=True, requests=True)
            )

    def withdraw(self, actor: UserSession, request_id: int, credentials: Credentials | str) -> Decision:
        """The maker takes back their own proposal (e.g. they chose the wrong candidate)."""
        self._auth.reauthenticate(actor, credentials)
        with acting(
            self._ctx, actor, Permission.PROPOSE_SHIELD, "shield.withdraw", object_type="request", object_id=request_id
        ) as act:
            request = act.session.get(ShieldRequest, request_id)
            if request is None:
                raise NotFound("No such request.")
            if request.maker_id != act.user.id:
                raise PermissionDenied("Only the operator who proposed it can withdraw a proposal.")
            claimed = act.session.execute(
                update(ShieldRequest)
                .where(ShieldRequest.id == request_id, ShieldRequest.status == RequestStatus.PENDING.value)
                .values(status=RequestStatus.WITHDRAWN.value, checked_at=self._ctx.now())
            )
            if claimed.rowcount != 1:
                raise AlreadyDecided("This request has already been decided.")
            act.session.refresh(request)
            self._settle_entry(act.session, request, "withdrawn by the operator who proposed it")
            return Decision(
                request_view(act.session, request, viewer_id=act.user.id), Changes(lists=True, requests=True)
            )

    # ---- the machinery ----------------------------------------------------------------------------------------
    def _proposing(
        self, actor: UserSession, action: str, *, entry_id: int | None = None, child_id: int | None = None
    ) -> AbstractContextManager[Acting]:
        return acting(
            self._ctx,
            actor,
            Permission.PROPOSE_SHIELD,
            action,
            object_type="list_entry" if entry_id is not None else "child",
            object_id=entry_id if entry_id is not None else child_id or "",
        )

    def _deciding(self, actor: UserSession, action: str, request_id: int) -> AbstractContextManager[Acting]:
        return acting(self._ctx, actor, Permission.CONFIRM_SHIELD, action, object_type="request", object_id=request_id)

    @staticmethod
    def _open_entry(session: Session, entry_id: int) -> ListEntry:
        entry = session.get(ListEntry, entry_id)
        if entry is None:
            raise NotFound("No such list entry.")
        if EntryStatus(entry.status) not in OPEN_STATUSES:
            raise InvalidInput(f"This entry is {entry.status.replace('_', ' ')}; only open entries can be proposed.")
        return entry

    @staticmethod
    def _child(session: Session, child_id: int) -> Child:
        child = session.get(Child, child_id)
        if child is None:
            raise NotFound("That child is no longer in the index.")
        return child

    @staticmethod
    def _active_shield(session: Session, child_id: int) -> Shield | None:
        return session.scalars(select(Shield).where(Shield.child_id == child_id, Shield.active.is_(True))).one_or_none()

    def _new_request(
        self,
        act: Acting,
        kind: RequestKind,
        *,
        child: Child | None,
        entry: ListEntry | None,
        reason: str,
        review_due: date | None = None,
        shield_carers: bool = True,
    ) -> ShieldRequest:
        refuse_locations(reason, "the reason", child=child, entry=entry)
        if child is not None and self._pending(act.session, child_id=child.id, kind=kind):
            raise InvalidInput("There is already a pending request of this kind for this child.")
        if entry is not None and self._pending(act.session, entry_id=entry.id):
            raise InvalidInput("There is already a pending request for this list entry.")
        request = ShieldRequest(
            kind=kind.value,
            status=RequestStatus.PENDING.value,
            child_id=child.id if child else None,
            entry_id=entry.id if entry else None,
            maker_id=act.user.id,
            made_at=self._ctx.now(),
            reason=reason,
            child_version=child.version if child else None,
            entry_version=entry.version if entry else None,
            review_due=review_due,
            shield_carers=shield_carers,
        )
        act.session.add(request)
        try:
            act.session.flush()  # the partial unique indexes are the last word on invariant 3
        except IntegrityError:
            raise InvalidInput("There is already a pending request for this child or entry.") from None
        act.object_type, act.object_id = "request", request.id
        act.details.update(kind=kind.value, child_id=request.child_id, entry_id=request.entry_id)
        return request

    @staticmethod
    def _pending(
        session: Session, *, child_id: int | None = None, kind: RequestKind | None = None, entry_id: int | None = None
    ) -> bool:
        query = select(ShieldRequest.id).where(ShieldRequest.status == RequestStatus.PENDING.value)
        if child_id is not None:
            query = query.where(ShieldRequest.child_id == child_id, ShieldRequest.kind == kind.value)  # type: ignore[union-attr]
        if entry_id is not None:
            query = query.where(ShieldRequest.entry_id == entry_id)
        return session.scalars(query).first() is not None

    def _claim(self, act: Acting, request_id: int, outcome: RequestStatus, note: str) -> ShieldRequest:
        """Decide the request exactly once: a conditional UPDATE that only a pending row satisfies."""
        session = act.session
        request = session.get(ShieldRequest, request_id)
        if request is None:
            raise NotFound("No such request.")
        if refusal := checker_refusal(request.maker_id, act.user.id):
            raise PermissionDenied(refusal)
        if request.status != RequestStatus.PENDING.value:
            raise AlreadyDecided(f"This request was already {request.status}.")
        if note:
            child = session.get(Child, request.child_id) if request.child_id is not None else None
            entry = session.get(ListEntry, request.entry_id) if request.entry_id is not None else None
            refuse_locations(note, "the note", child=child, entry=entry)
        claimed = session.execute(
            update(ShieldRequest)
            .where(
                ShieldRequest.id == request_id,
                ShieldRequest.status == RequestStatus.PENDING.value,
                ShieldRequest.maker_id != act.user.id,
            )
            .values(status=outcome.value, checker_id=act.user.id, checked_at=self._ctx.now(), checker_note=note)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            raise AlreadyDecided("Another operator decided this request a moment ago.")
        if outcome == RequestStatus.CONFIRMED:
            # After the claim, so that every decision locks the request row first and the child and the entry
            # after it: checked the other way round, a confirmation and a rejection deadlocked.
            self._refuse_if_stale(session, request)
        session.refresh(request)
        return request

    @staticmethod
    def _refuse_if_stale(session: Session, request: ShieldRequest) -> None:
        # Locked, and read afresh: an edit committing between this check and the commit would otherwise be
        # confirmed unseen (PostgreSQL; SQLite's write lock already serialises the two).
        if request.child_id is not None:
            child = session.get(Child, request.child_id, with_for_update=True, populate_existing=True)
            if child is None or child.version != request.child_version:
                raise StaleRequest(
                    "The child's record changed after this was proposed. Reject it, and propose again "
                    "against the current record."
                )
        if request.entry_id is not None:
            entry = session.get(ListEntry, request.entry_id, with_for_update=True, populate_existing=True)
            if entry is None or entry.version != request.entry_version:
                raise StaleRequest(
                    "The gatekeeper changed the list entry after this was proposed. Reject it, and propose "
                    "again against the current entry."
                )

    def _apply(self, act: Acting, request: ShieldRequest) -> tuple[RelatedChild, ...]:
        session, now = act.session, self._ctx.now()
        kind = RequestKind(request.kind)
        related: tuple[RelatedChild, ...] = ()
        if kind == RequestKind.APPLY:
            assert request.child_id is not None
            shield = self._active_shield(session, request.child_id)
            if shield is None:
                shield = Shield(child_id=request.child_id, active=True, applied_at=now, provisional=False)
                session.add(shield)
            if shield.provisional or shield.maker_id is None:
                shield.provisional = False
                shield.applied_at = now
            shield.maker_id = shield.maker_id or request.maker_id
            shield.checker_id = shield.checker_id or act.user.id
            shield.review_due = request.review_due or shield.review_due
            shield.shield_carers = request.shield_carers
            session.flush()
            close_duplicate_reviews(session, request.child_id, act.user.id, now, f"shield kept by request {request.id}")
            related = tuple(
                RelatedChild(c.id, c.cp_id, c.forenames, c.surname, c.date_of_birth)
                for c in open_sibling_reviews(session, request.child_id, now)
            )
        elif kind == RequestKind.REMOVE:
            assert request.child_id is not None
            shield = self._active_shield(session, request.child_id)
            if shield is None:
                raise AlreadyDecided("This child is no longer shielded.")
            shield.active = False
            shield.removed_maker_id, shield.removed_checker_id, shield.removed_at = request.maker_id, act.user.id, now
            close_duplicate_reviews(
                session, request.child_id, act.user.id, now, f"shield released by request {request.id}"
            )
            for entry in session.scalars(
                select(ListEntry).where(
                    ListEntry.child_id == request.child_id, ListEntry.status == EntryStatus.SHIELDED.value
                )
            ):
                entry.status, entry.status_note = EntryStatus.MATCHED.value, f"shield removed by request {request.id}"
        self._settle_entry(session, request, request.checker_note)
        return related

    @staticmethod
    def _settle_entry(session: Session, request: ShieldRequest, note: str) -> None:
        if request.entry_id is None:
            return
        entry = session.get(ListEntry, request.entry_id)
        new_status = entry_status_after(RequestKind(request.kind), RequestStatus(request.status))
        if entry is None or new_status is None or entry.status != EntryStatus.PENDING.value:
            return
        entry.status = new_status.value
        entry.status_note = (
            note
            if request.status != RequestStatus.CONFIRMED.value
            else (request.reason if request.kind == RequestKind.NOT_FOUND.value else "")
        )
