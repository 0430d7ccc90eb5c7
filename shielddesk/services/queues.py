"""The supervisors' view of the work: progress per list towards its deadline, what is waiting and for how
long, what is stuck, shields due for review, work per operator; returning an item; and a change feed so that
open windows refresh when another workstation changes something."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased

from shielddesk.domain.errors import InvalidInput, NotFound
from shielddesk.domain.lists import EntryStatus, EntryView
from shielddesk.domain.requests import RequestKind, RequestStatus, RequestView
from shielddesk.domain.roles import Permission, Role
from shielddesk.services.base import acting
from shielddesk.services.change_signal import READ_ONLY_ACTIONS
from shielddesk.services.context import ServiceContext
from shielddesk.services.lists import entry_view, location_masker
from shielddesk.services.requests_read import ShieldView, request_view
from shielddesk.services.session import UserSession
from shielddesk.storage.models import (
    AuditEvent,
    AuditHead,
    Child,
    GatekeeperList,
    ListEntry,
    Shield,
    ShieldRequest,
    User,
    UserRole,
)

STUCK_STATUSES = (
    EntryStatus.UNMATCHED,
    EntryStatus.MATCHED,
    EntryStatus.AMBIGUOUS,
    EntryStatus.NOT_FOUND,
    EntryStatus.REJECTED,
)


@dataclass(frozen=True)
class ListProgress:
    reference: str
    total: int
    counts: dict[str, int]
    deadline: date | None
    days_left: int | None
    history: tuple[tuple[date, int], ...]  # (day, shielded so far)

    @property
    def shielded(self) -> int:
        return self.counts.get(EntryStatus.SHIELDED.value, 0)

    @property
    def summary(self) -> str:
        text = f"{self.shielded} of {self.total} shielded"
        if self.days_left is not None:
            text += (
                f", {self.days_left} day{'s' if self.days_left != 1 else ''} left"
                if self.days_left >= 0
                else (f", {-self.days_left} day{'s' if self.days_left != -1 else ''} past the deadline")
            )
        return text


@dataclass(frozen=True)
class PendingItem:
    request: RequestView
    age_hours: float
    overdue: bool


@dataclass(frozen=True)
class OperatorWork:
    username: str
    display_name: str
    proposed: int
    confirmed_as_checker: int
    rejected_as_checker: int
    pending_as_maker: int


@dataclass(frozen=True)
class QueueSnapshot:
    taken_at: datetime
    overdue_after_hours: int
    lists: tuple[ListProgress, ...]
    pending: tuple[PendingItem, ...]
    stuck: tuple[EntryView, ...]
    reviews_due: tuple[ShieldView, ...]
    operators: tuple[OperatorWork, ...]


class QueueService:
    def __init__(
        self,
        ctx: ServiceContext,
        overdue_after: timedelta = timedelta(hours=48),
        review_horizon: timedelta = timedelta(days=30),
    ) -> None:
        self._ctx = ctx
        self.overdue_after = overdue_after
        self._review_horizon = review_horizon

    def snapshot(self, actor: UserSession) -> QueueSnapshot:
        with acting(self._ctx, actor, Permission.VIEW_QUEUES, "queues.view") as act:
            session, now = act.session, self._ctx.now()
            today = now.date()
            lists = []
            for g in session.scalars(select(GatekeeperList).order_by(GatekeeperList.received_at)):
                counts = dict(
                    session.execute(
                        select(ListEntry.status, func.count())
                        .where(ListEntry.list_id == g.id)
                        .group_by(ListEntry.status)
                    ).all()
                )
                confirmed_days = [
                    checked.date()
                    for (checked,) in session.execute(
                        select(ShieldRequest.checked_at)
                        .join(ListEntry, ListEntry.id == ShieldRequest.entry_id)
                        .where(
                            ListEntry.list_id == g.id,
                            ShieldRequest.kind == RequestKind.APPLY.value,
                            ShieldRequest.status == RequestStatus.CONFIRMED.value,
                        )
                        .order_by(ShieldRequest.checked_at)
                    )
                ]
                history, running = [], 0
                for day in sorted(set(confirmed_days)):
                    running += confirmed_days.count(day)
                    history.append((day, running))
                lists.append(
                    ListProgress(
                        g.reference,
                        sum(counts.values()),
                        counts,
                        g.deadline,
                        (g.deadline - today).days if g.deadline else None,
                        tuple(history),
                    )
                )
            pending = []
            for request in session.scalars(
                select(ShieldRequest)
                .where(ShieldRequest.status == RequestStatus.PENDING.value)
                .order_by(ShieldRequest.made_at)
            ):
                age = now - request.made_at
                pending.append(
                    PendingItem(
                        request_view(session, request, viewer_id=act.user.id),
                        age.total_seconds() / 3600,
                        age >= self.overdue_after,
                    )
                )
            stuck_rows = session.execute(
                select(ListEntry, GatekeeperList.reference, Child.cp_id)
                .join(GatekeeperList)
                .outerjoin(Child, Child.id == ListEntry.child_id)
                .where(ListEntry.status.in_([s.value for s in STUCK_STATUSES]))
                .order_by(GatekeeperList.reference, ListEntry.entry_ref)
            ).all()
            masker = location_masker(act)
            stuck = tuple(masker(entry_view(e, ref, cp or "")) for e, ref, cp in stuck_rows)
            horizon = today + self._review_horizon
            maker, checker = aliased(User), aliased(User)
            due = session.execute(
                select(Shield, Child, maker.username, checker.username)
                .join(Child, Child.id == Shield.child_id)
                .outerjoin(maker, maker.id == Shield.maker_id)
                .outerjoin(checker, checker.id == Shield.checker_id)
                .where(Shield.active.is_(True), Shield.review_due.is_not(None), Shield.review_due <= horizon)
                .order_by(Shield.review_due)
            ).all()
            reviews_due = tuple(
                ShieldView(
                    c.id,
                    c.cp_id,
                    c.forenames,
                    c.surname,
                    c.date_of_birth,
                    s.applied_at,
                    s.review_due,
                    s.provisional,
                    m or "",
                    k or "",
                    False,
                )
                for s, c, m, k in due
            )
            act.details.update(pending=len(pending), stuck=len(stuck))
            return QueueSnapshot(
                now,
                int(self.overdue_after.total_seconds() // 3600),
                tuple(lists),
                tuple(pending),
                stuck,
                reviews_due,
                self._operators(session),
            )

    @staticmethod
    def _operators(session: Session) -> tuple[OperatorWork, ...]:
        operators = session.scalars(
            select(User).join(UserRole).where(UserRole.role == Role.OPERATOR.value).order_by(User.username)
        ).all()
        work = []
        for user in operators:

            def count(*conditions: ColumnElement[bool]) -> int:
                return session.scalar(select(func.count(ShieldRequest.id)).where(*conditions)) or 0

            work.append(
                OperatorWork(
                    user.username,
                    user.display_name,
                    count(ShieldRequest.maker_id == user.id),
                    count(ShieldRequest.checker_id == user.id, ShieldRequest.status == RequestStatus.CONFIRMED.value),
                    count(ShieldRequest.checker_id == user.id, ShieldRequest.status == RequestStatus.REJECTED.value),
                    count(ShieldRequest.maker_id == user.id, ShieldRequest.status == RequestStatus.PENDING.value),
                )
            )
        return tuple(work)

    def return_entry(self, actor: UserSession, entry_id: int, to_gatekeeper: bool, note: str) -> EntryView:
        """Send a stuck entry back: to the operators (to match again) or to the gatekeeper (rejected, with why)."""
        note = " ".join(note.split())
        with acting(
            self._ctx, actor, Permission.VIEW_QUEUES, "queues.return", object_type="list_entry", object_id=entry_id
        ) as act:
            if len(note) < 10:
                raise InvalidInput("Give a note of at least 10 characters.")
            row = act.session.execute(
                select(ListEntry, GatekeeperList.reference).join(GatekeeperList).where(ListEntry.id == entry_id)
            ).one_or_none()
            if row is None:
                raise NotFound("No such list entry.")
            entry, reference = row
            if entry.status in (EntryStatus.PENDING, EntryStatus.SHIELDED, EntryStatus.WITHDRAWN):
                raise InvalidInput(f"An entry that is {entry.status} cannot be returned.")
            entry.status = (EntryStatus.REJECTED if to_gatekeeper else EntryStatus.UNMATCHED).value
            entry.status_note = f"returned by {act.user.username}: {note}"
            act.reason = note
            act.details["to"] = "gatekeeper" if to_gatekeeper else "operators"
            return entry_view(entry, reference)

    def set_deadline(self, actor: UserSession, reference: str, deadline: date | None) -> None:
        with acting(
            self._ctx, actor, Permission.VIEW_QUEUES, "list.deadline", object_type="list", object_id=reference
        ) as act:
            gatekeeper_list = act.session.scalars(
                select(GatekeeperList).where(GatekeeperList.reference == reference)
            ).one_or_none()
            if gatekeeper_list is None:
                raise NotFound(f"No list with the reference {reference!r}.")
            gatekeeper_list.deadline = deadline
            act.details["deadline"] = deadline.isoformat() if deadline else None


class ChangeFeed:
    """Has anything changed since `seq`? Reads the audit chain's head and the actions after it; reveals nothing
    about any child, so it is not itself audited (a poll every few seconds would otherwise flood the log)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def head(self) -> int:
        with self._ctx.transaction(read_only=True) as session:
            head = session.get(AuditHead, 1)
            return head.seq if head else 0

    def changed_since(self, seq: int) -> tuple[bool, int]:
        with self._ctx.transaction(read_only=True) as session:
            head = session.get(AuditHead, 1)
            latest = head.seq if head else 0
            if latest <= seq:
                return False, latest
            changing = session.scalars(
                select(AuditEvent.seq)
                .where(AuditEvent.seq > seq, AuditEvent.outcome == "ok", AuditEvent.action.not_in(READ_ONLY_ACTIONS))
                .limit(1)
            ).first()
            return changing is not None, latest
