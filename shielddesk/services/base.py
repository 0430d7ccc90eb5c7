"""The one shape every permission-checked service call has: check, act, audit, commit — or roll back
and record the refusal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from shielddesk.domain.errors import (
    NotInitialised,
    PermissionDenied,
    SecretStoreUnavailable,
    SessionEnded,
    ShieldDeskError,
)
from shielddesk.domain.roles import Permission, Role, is_allowed
from shielddesk.services.audit import OUTCOME_DENIED, OUTCOME_OK, OUTCOME_REFUSED, append_event
from shielddesk.services.change_signal import signal_change
from shielddesk.services.context import ServiceContext
from shielddesk.services.session import UserSession
from shielddesk.storage.models import SecondFactor, User, UserRole


@dataclass(frozen=True)
class ActingUser:
    id: int
    username: str
    display_name: str


@dataclass
class Acting:
    """The open transaction of one service call, and what its audit event will say."""

    session: Session
    user: ActingUser
    roles: frozenset[Role]
    object_type: str = ""
    object_id: str | int = ""
    outcome: str = OUTCOME_OK
    reason: str = ""
    details: dict[str, object] = field(default_factory=dict)


SECOND_FACTOR_RESET = "Your session has ended: your second factor was reset. Sign in again."


def check_session_age(ctx: ServiceContext, actor: UserSession) -> None:
    """The absolute session limit: a session signed in too long ago is over, however active it has been."""
    if ctx.now() - actor.signed_in_at >= ctx.session_limit:
        hours = ctx.session_limit.total_seconds() / 3600
        raise SessionEnded(f"Your session reached its {hours:g}-hour limit. Sign in again.")


def _load_active_user(ctx: ServiceContext, session: Session, actor: UserSession) -> tuple[ActingUser, frozenset[Role]]:
    """The acting user and their roles as the database says now, in one small query."""
    check_session_age(ctx, actor)
    rows = session.execute(
        select(
            User.id,
            User.username,
            User.display_name,
            User.active,
            User.locked_until,
            UserRole.role,
            SecondFactor.enrolled_at,
        )
        .outerjoin(UserRole, UserRole.user_id == User.id)
        .outerjoin(SecondFactor, SecondFactor.user_id == User.id)
        .where(User.id == actor.user_id)
    ).all()
    if not rows or not rows[0].active or ctx.lockout.is_locked(rows[0].locked_until, ctx.now()):
        raise SessionEnded("Your session has ended: the account is no longer active. Sign in again.")
    enrolled_at = rows[0].enrolled_at
    if actor.second_factor and (enrolled_at is None or enrolled_at > actor.signed_in_at):
        # Reset by two administrators (a lost phone?) since this session signed in: the session may be the
        # finder's, so it ends with the factor it was opened with.
        raise SessionEnded(SECOND_FACTOR_RESET)
    first = rows[0]
    return ActingUser(first.id, first.username, first.display_name), frozenset(Role(r.role) for r in rows if r.role)


@contextmanager
def acting(
    ctx: ServiceContext,
    actor: UserSession,
    permission: Permission | None,
    action: str,
    *,
    object_type: str = "",
    object_id: str | int = "",
) -> Iterator[Acting]:
    """Run a service call as `actor`. Roles are re-read from the database: a role removed a minute ago
    no longer counts, whatever the signed-in session remembers."""
    try:
        with ctx.transaction() as session:
            user, roles = _load_active_user(ctx, session, actor)
            if permission is not None and not is_allowed(roles, permission):
                raise PermissionDenied(f"Your role does not allow this ({action}).")
            act = Acting(session, user, roles, object_type=object_type, object_id=object_id)
            yield act
            seq = append_event(
                ctx,
                session,
                username=actor.username,
                action=action,
                outcome=act.outcome,
                object_type=act.object_type,
                object_id=act.object_id,
                reason=act.reason,
                details=act.details,
            )
            if act.outcome == OUTCOME_OK:
                signal_change(session, action, seq)
    except ShieldDeskError as exc:
        if isinstance(exc, SecretStoreUnavailable | NotInitialised):
            raise  # nothing can be audited without the key; the caller shows the message
        outcome = OUTCOME_DENIED if isinstance(exc, PermissionDenied) else OUTCOME_REFUSED
        with ctx.transaction() as session:
            append_event(
                ctx,
                session,
                username=actor.username,
                action=action,
                outcome=outcome,
                object_type=object_type,
                object_id=object_id,
                details={"error": type(exc).__name__, **(exc.audit_details or {})},
            )
        raise
