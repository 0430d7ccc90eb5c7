"""Signing in and out, locking and unlocking. Unknown user, wrong password and locked account all get
the same message, and cost the same time."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from shielddesk.domain.errors import AuthenticationFailed, SessionEnded
from shielddesk.domain.roles import Role
from shielddesk.services.audit import OUTCOME_FAILURE, OUTCOME_OK, append_event
from shielddesk.services.base import acting, check_session_age
from shielddesk.services.context import ServiceContext
from shielddesk.services.session import UserSession
from shielddesk.storage.models import User


def normalise_username(username: str) -> str:
    return username.strip().casefold()


class AuthService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def login(self, username: str, password: str, *, action: str = "login") -> UserSession:
        ctx = self._ctx
        name = normalise_username(username)
        session_result: UserSession | None = None
        with ctx.transaction() as session:
            now = ctx.now()
            user = session.scalars(select(User).where(User.username == name).with_for_update()).one_or_none()
            usable = user is not None and user.active
            locked = user is not None and ctx.lockout.is_locked(user.locked_until, now)
            password_ok = ctx.hashing.verify(user.password_hash if usable else None, password)
            if usable and not locked and password_ok:
                assert user is not None
                user.failed_attempts = 0
                user.locked_until = None
                if ctx.hashing.needs_rehash(user.password_hash):
                    user.password_hash = ctx.hashing.hash(password)
                append_event(ctx, session, username=name, action=action, object_type="user", object_id=user.id)
                session_result = UserSession(
                    user_id=user.id,
                    username=user.username,
                    display_name=user.display_name,
                    roles=frozenset(Role(r.role) for r in user.roles),
                    signed_in_at=now,
                )
            else:
                reason = "unknown or inactive user" if not usable else ("locked" if locked else "wrong password")
                if usable and not locked:
                    assert user is not None
                    user.failed_attempts, user.locked_until = ctx.lockout.after_failure(user.failed_attempts, now)
                    if user.locked_until is not None:
                        append_event(
                            ctx,
                            session,
                            username=name,
                            action="account.lockout",
                            outcome=OUTCOME_OK,
                            object_type="user",
                            object_id=user.id,
                            details={"locked_until": user.locked_until.isoformat()},
                        )
                append_event(
                    ctx,
                    session,
                    username=name[:64],
                    action=action,
                    outcome=OUTCOME_FAILURE,
                    object_type="user",
                    object_id=user.id if user else "",
                    reason=reason,
                )
        if session_result is None:
            raise AuthenticationFailed()
        return session_result

    def unlock(self, actor: UserSession, password: str) -> UserSession:
        """Re-enter the password on the lock screen."""
        return self.reauthenticate(actor, password, action="unlock")

    def reauthenticate(self, actor: UserSession, password: str, *, action: str = "step_up") -> UserSession:
        """Prove it is still the signed-in person (lock screen, step-up before a decision). Failures count
        towards the lockout; once the account locks, the session is over and the window must sign out. The
        renewed session keeps the original sign-in time: unlocking does not extend the absolute session limit."""
        check_session_age(self._ctx, actor)
        try:
            renewed = self.login(actor.username, password, action=action)
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
