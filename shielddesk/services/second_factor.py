"""Second factors: enrolment by an administrator (the secret shown once), a user's fresh recovery codes, and
resets that need two administrators — one asks, another carries it out."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shielddesk.domain.credentials import Credentials
from shielddesk.domain.errors import InvalidInput, NotFound, PermissionDenied
from shielddesk.domain.roles import Permission
from shielddesk.security.second_factor import SecondFactorKeys, new_recovery_codes, new_secret, provisioning_uri
from shielddesk.services.auth import AuthService
from shielddesk.services.base import Acting, acting
from shielddesk.services.context import SETTING_AUTHORITY_NAME, SETTING_SECOND_FACTOR_REQUIRED, ServiceContext
from shielddesk.services.session import UserSession
from shielddesk.services.users import find_user
from shielddesk.storage.models import RecoveryCode, SecondFactor, SecondFactorReset, Setting, User

RESET_PENDING, RESET_DONE, RESET_CANCELLED = "pending", "done", "cancelled"


@dataclass(frozen=True)
class Enrolment:
    """What the user's authenticator needs, shown once and never again: ShieldDesk keeps the secret sealed and
    the recovery codes only as digests."""

    username: str
    secret: str
    uri: str
    recovery_codes: tuple[str, ...]

    def __repr__(self) -> str:
        return f"Enrolment({self.username!r}, …)"

    @property
    def grouped_secret(self) -> str:
        """The secret in fours, as it is read out and typed into an app: 'ABCD EFGH …'."""
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))


@dataclass(frozen=True)
class ResetView:
    reset_id: int
    username: str
    requested_by: str
    requested_at: datetime
    reason: str
    status: str


def enrol_user(ctx: ServiceContext, session: Session, user: User, enrolled_by: int | None) -> Enrolment:
    """Give `user` a new secret and recovery codes in the caller's transaction."""
    keys = ctx.second_factor_keys(session)
    secret = new_secret()
    session.add(
        SecondFactor(
            user_id=user.id,
            sealed_secret=keys.seal(secret, user.id),
            last_step=0,
            enrolled_at=ctx.now(),
            enrolled_by=enrolled_by,
        )
    )
    codes = _store_recovery_codes(session, keys, user.id)
    session.flush()
    authority = ctx.read_settings(session).get(SETTING_AUTHORITY_NAME, "")
    return Enrolment(user.username, secret, provisioning_uri(secret, user.username, authority), codes)


def _store_recovery_codes(session: Session, keys: SecondFactorKeys, user_id: int) -> tuple[str, ...]:
    """New recovery codes for the user, kept only as digests; the codes themselves go back to be shown once."""
    codes = tuple(new_recovery_codes())
    session.add_all(RecoveryCode(user_id=user_id, digest=keys.recovery_digest(code)) for code in codes)
    return codes


class SecondFactorService:
    def __init__(self, ctx: ServiceContext, auth: AuthService) -> None:
        self._ctx = ctx
        self._auth = auth

    def enrol(self, actor: UserSession, username: str, credentials: Credentials | str) -> Enrolment:
        """An administrator sets up `username`'s authenticator. Refused if they already have one: replacing a
        second factor is a reset, which needs a second administrator."""
        self._auth.reauthenticate(actor, credentials)
        with acting(self._ctx, actor, Permission.MANAGE_USERS, "user.second_factor.enrol", object_type="user") as act:
            user = find_user(act.session, username)
            act.object_id = user.id
            if act.session.get(SecondFactor, user.id) is not None:
                raise InvalidInput(
                    f"{user.username} already has a second factor. To replace it, one administrator asks for a "
                    "reset and another carries it out."
                )
            act.details["username"] = user.username
            return enrol_user(self._ctx, act.session, user, enrolled_by=act.user.id)

    def renew_recovery_codes(self, actor: UserSession, credentials: Credentials | str) -> tuple[str, ...]:
        """The signed-in user replaces their recovery codes (all old ones stop working), proving it is them with
        the password and a code."""
        self._auth.reauthenticate(actor, credentials)
        with acting(self._ctx, actor, None, "user.second_factor.recovery_codes", object_type="user") as act:
            act.object_id = act.user.id
            _lock_sign_ins(act.session, act.user.id)
            if act.session.get(SecondFactor, act.user.id) is None:
                raise InvalidInput("You have no second factor yet, so there are no recovery codes to renew.")
            keys = self._ctx.second_factor_keys(act.session)
            act.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == act.user.id))
            return _store_recovery_codes(act.session, keys, act.user.id)

    def request_reset(
        self, actor: UserSession, username: str, reason: str, credentials: Credentials | str
    ) -> ResetView:
        self._auth.reauthenticate(actor, credentials)
        action = "user.second_factor.reset_request"
        with acting(self._ctx, actor, Permission.MANAGE_USERS, action, object_type="user") as act:
            user = find_user(act.session, username)
            act.object_id = user.id
            reason = " ".join(reason.split())
            if not reason:
                raise InvalidInput("Give a reason for the reset (for example: phone lost, reported on …).")
            if act.session.get(SecondFactor, user.id) is None:
                raise InvalidInput(f"{user.username} has no second factor to reset.")
            pending = act.session.scalars(
                select(SecondFactorReset.id).where(
                    SecondFactorReset.user_id == user.id, SecondFactorReset.status == RESET_PENDING
                )
            ).first()
            if pending is not None:
                raise InvalidInput(f"A reset of {user.username}'s second factor is already waiting (#{pending}).")
            reset = SecondFactorReset(
                user_id=user.id, requested_by=act.user.id, requested_at=self._ctx.now(), reason=reason
            )
            reset.status = RESET_PENDING
            act.session.add(reset)
            act.session.flush()
            act.reason = reason
            act.details.update(username=user.username, reset_id=reset.id)
            return _view(act.session, reset)

    def confirm_reset(self, actor: UserSession, reset_id: int, credentials: Credentials | str) -> ResetView:
        """A second administrator removes the user's secret and recovery codes; an administrator then enrols a new
        authenticator. The one who asked, and the user themself, cannot carry it out."""
        with self._deciding(actor, reset_id, credentials, "user.second_factor.reset") as (act, reset):
            if reset.requested_by == act.user.id:
                raise PermissionDenied("Another administrator must carry out a reset you asked for.")
            if reset.user_id == act.user.id:
                raise PermissionDenied("You cannot carry out a reset of your own second factor.")
            _lock_sign_ins(act.session, reset.user_id)
            act.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == reset.user_id))
            act.session.execute(delete(SecondFactor).where(SecondFactor.user_id == reset.user_id))
            reset.status, reset.decided_by, reset.decided_at = RESET_DONE, act.user.id, self._ctx.now()
            act.details.update(user_id=reset.user_id, requested_by=reset.requested_by)
            return _view(act.session, reset)

    def cancel_reset(self, actor: UserSession, reset_id: int, credentials: Credentials | str) -> ResetView:
        with self._deciding(actor, reset_id, credentials, "user.second_factor.reset_cancel") as (act, reset):
            reset.status, reset.decided_by, reset.decided_at = RESET_CANCELLED, act.user.id, self._ctx.now()
            return _view(act.session, reset)

    @contextmanager
    def _deciding(
        self, actor: UserSession, reset_id: int, credentials: Credentials | str, action: str
    ) -> Iterator[tuple[Acting, SecondFactorReset]]:
        """Step up, then settle a pending reset (its row locked) in one audited transaction."""
        self._auth.reauthenticate(actor, credentials)
        with acting(
            self._ctx, actor, Permission.MANAGE_USERS, action, object_type="second_factor_reset", object_id=reset_id
        ) as act:
            yield act, _pending_reset(act.session, reset_id)

    def pending_resets(self, actor: UserSession) -> list[ResetView]:
        with acting(self._ctx, actor, Permission.MANAGE_USERS, "user.second_factor.resets") as act:
            rows = act.session.scalars(
                select(SecondFactorReset)
                .where(SecondFactorReset.status == RESET_PENDING)
                .order_by(SecondFactorReset.id)
            ).all()
            return [_view(act.session, row) for row in rows]

    def require_for_everyone(self, actor: UserSession, credentials: Credentials | str) -> None:
        """Turn the requirement on (there is no turning it off). Refused while an active user has no second
        factor, since they could no longer sign in."""
        self._auth.reauthenticate(actor, credentials)
        with acting(self._ctx, actor, Permission.MANAGE_USERS, "user.second_factor.require") as act:
            missing = act.session.scalars(
                select(User.username)
                .outerjoin(SecondFactor, SecondFactor.user_id == User.id)
                .where(User.active.is_(True), SecondFactor.user_id.is_(None))
                .order_by(User.username)
            ).all()
            if missing:
                raise InvalidInput(
                    "These active users have no second factor yet, and could not sign in: "
                    f"{', '.join(missing)}. Enrol them first."
                )
            setting = act.session.get(Setting, SETTING_SECOND_FACTOR_REQUIRED)
            if setting is None:
                act.session.add(Setting(key=SETTING_SECOND_FACTOR_REQUIRED, value="yes"))
            else:
                setting.value = "yes"


def _lock_sign_ins(session: Session, user_id: int) -> None:
    """Wait for, and hold off, the user's sign-ins, taking the locks in their order (the user's row first): a
    reset carried out while the user spent a code deadlocked on PostgreSQL, and the reset was refused."""
    session.execute(select(User.id).where(User.id == user_id).with_for_update()).first()


def _pending_reset(session: Session, reset_id: int) -> SecondFactorReset:
    reset = session.get(SecondFactorReset, reset_id, with_for_update=True)
    if reset is None:
        raise NotFound("No such reset request.")
    if reset.status != RESET_PENDING:
        raise InvalidInput(f"This reset was already {reset.status}.")
    return reset


def _view(session: Session, reset: SecondFactorReset) -> ResetView:
    wanted = [reset.user_id, reset.requested_by]
    names = {row.id: row.username for row in session.execute(select(User.id, User.username).where(User.id.in_(wanted)))}
    return ResetView(
        reset_id=reset.id,
        username=names.get(reset.user_id, ""),
        requested_by=names.get(reset.requested_by, ""),
        requested_at=reset.requested_at,
        reason=reset.reason,
        status=reset.status,
    )
