"""Signing in and out, locking and unlocking. Unknown user, wrong password, wrong or missing authenticator code
and locked account all get the same message; all but the unknown user count towards the lockout."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shielddesk.domain.credentials import Credentials
from shielddesk.domain.errors import (
    AuthenticationFailed,
    ClockDrift,
    SecondFactorNotEnrolled,
    SecondFactorReused,
    SecondFactorUnreadable,
    SessionEnded,
    ShieldDeskError,
)
from shielddesk.domain.roles import Role
from shielddesk.services.audit import OUTCOME_FAILURE, OUTCOME_OK, append_event
from shielddesk.services.base import SECOND_FACTOR_RESET, acting, check_session_age
from shielddesk.services.context import ServiceContext
from shielddesk.services.second_factor_check import Outcome, Verdict, check_second_factor
from shielddesk.services.session import UserSession
from shielddesk.storage.models import User

# Refused with their own message (after a correct password), and not counted as guesses.
_OWN_MESSAGE: dict[Verdict, type[ShieldDeskError]] = {
    Verdict.REUSED: SecondFactorReused,
    Verdict.NOT_ENROLLED: SecondFactorNotEnrolled,
    Verdict.UNREADABLE: SecondFactorUnreadable,
}


def _refusal(outcome: Outcome) -> ShieldDeskError:
    if outcome.verdict is Verdict.CLOCK_DRIFT and outcome.drift_minutes is not None:
        return ClockDrift(outcome.drift_minutes)
    return _OWN_MESSAGE.get(outcome.verdict, AuthenticationFailed)()


def normalise_username(username: str) -> str:
    return username.strip().casefold()


class AuthService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def login(self, username: str, password: str, code: str = "", *, action: str = "login") -> UserSession:
        """Password and, for an enrolled user, the authenticator's current code or an unused recovery code."""
        ctx = self._ctx
        name = normalise_username(username)
        signed_in: UserSession | None = None
        refusal: ShieldDeskError = AuthenticationFailed()
        with ctx.transaction() as session:
            now = ctx.now()
            user = session.scalars(select(User).where(User.username == name).with_for_update()).one_or_none()
            usable = user is not None and user.active
            locked = user is not None and ctx.lockout.is_locked(user.locked_until, now)
            password_ok = ctx.hashing.verify(user.password_hash if usable else None, password)
            if not usable or locked or not password_ok:
                reason = "unknown or inactive user" if not usable else ("locked" if locked else "wrong password")
                if usable and not locked:
                    assert user is not None
                    self._count_failure(session, user, now)
                self._refused(session, name, user, action, reason)
            else:
                assert user is not None
                outcome = check_second_factor(ctx, session, user.id, code, now)
                if outcome.verdict.admits:
                    signed_in = self._admit(session, user, password, outcome, action, now)
                else:
                    if outcome.verdict.counts_as_failure:
                        self._count_failure(session, user, now)
                    refusal = _refusal(outcome)
                    self._refused(session, name, user, action, outcome.verdict.value)
        if signed_in is None:
            raise refusal
        return signed_in

    def _admit(
        self, session: Session, user: User, password: str, outcome: Outcome, action: str, now: datetime
    ) -> UserSession:
        ctx = self._ctx
        user.failed_attempts = 0
        user.locked_until = None
        if ctx.hashing.needs_rehash(user.password_hash):
            user.password_hash = ctx.hashing.hash(password)
        details: dict[str, object] = {"second_factor": outcome.verdict is Verdict.PASSED}
        if outcome.recovery_codes_left is not None:
            details["recovery_code_used"] = True
            details["recovery_codes_left"] = outcome.recovery_codes_left
        append_event(
            ctx, session, username=user.username, action=action, object_type="user", object_id=user.id, details=details
        )
        return UserSession(
            user_id=user.id,
            username=user.username,
            display_name=user.display_name,
            roles=frozenset(Role(r.role) for r in user.roles),
            signed_in_at=now,
            second_factor=outcome.enrolled,
            recovery_codes_left=outcome.recovery_codes_left,
        )

    def _count_failure(self, session: Session, user: User, now: datetime) -> None:
        ctx = self._ctx
        user.failed_attempts, user.locked_until = ctx.lockout.after_failure(user.failed_attempts, now)
        if user.locked_until is not None:
            append_event(
                ctx,
                session,
                username=user.username,
                action="account.lockout",
                outcome=OUTCOME_OK,
                object_type="user",
                object_id=user.id,
                details={"locked_until": user.locked_until.isoformat()},
            )

    def _refused(self, session: Session, name: str, user: User | None, action: str, reason: str) -> None:
        append_event(
            self._ctx,
            session,
            username=name[:64],
            action=action,
            outcome=OUTCOME_FAILURE,
            object_type="user",
            object_id=user.id if user else "",
            reason=reason,
        )

    def unlock(self, actor: UserSession, credentials: Credentials | str) -> UserSession:
        """Re-enter the password (and a code) on the lock screen."""
        return self.reauthenticate(actor, credentials, action="unlock")

    def reauthenticate(
        self, actor: UserSession, credentials: Credentials | str, *, action: str = "step_up"
    ) -> UserSession:
        """Prove it is still the signed-in person (lock screen, step-up before a decision): the password and, for
        an enrolled user, a code not used before. Failures count towards the lockout; once the account locks,
        the session is over and the window must sign out. The renewed session keeps the original sign-in time:
        unlocking does not extend the absolute session limit."""
        check_session_age(self._ctx, actor)
        given = Credentials.of(credentials)
        try:
            renewed = self.login(actor.username, given.password, given.code, action=action)
        except SecondFactorNotEnrolled:
            if actor.second_factor:  # the factor this session was opened with was reset meanwhile
                raise SessionEnded(SECOND_FACTOR_RESET) from None
            raise
        except AuthenticationFailed:
            with self._ctx.transaction() as session:
                user = session.get(User, actor.user_id)
                if user is None or not user.active or self._ctx.lockout.is_locked(user.locked_until, self._ctx.now()):
                    raise SessionEnded(AuthenticationFailed.MESSAGE) from None
            raise
        if renewed.user_id != actor.user_id:
            raise SessionEnded("A different account answered the lock screen.")
        return replace(renewed, signed_in_at=actor.signed_in_at)

    def check_session_age(self, actor: UserSession) -> None:
        """For a window to sign out on time: SessionEnded once the absolute session limit has passed."""
        check_session_age(self._ctx, actor)

    def lock(self, actor: UserSession, *, idle: bool) -> None:
        with acting(self._ctx, actor, None, "lock") as act:
            act.details["idle"] = idle

    def logout(self, actor: UserSession) -> None:
        with self._ctx.transaction() as session:
            append_event(self._ctx, session, username=actor.username, action="logout", outcome=OUTCOME_OK)
