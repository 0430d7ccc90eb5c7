"""Checking the second factor inside a sign-in's transaction (the user's row is locked by then, so two
workstations cannot both spend one code)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shielddesk.security.second_factor import SecretUnreadable, drifted_minutes, looks_like_code, matching_step
from shielddesk.services.context import ServiceContext
from shielddesk.storage.models import RecoveryCode, SecondFactor


class Verdict(enum.Enum):
    PASSED = "passed"
    NOT_NEEDED = "not needed"  # no factor enrolled and the authority does not require one
    MISSING = "no code given"
    WRONG = "wrong code"
    CLOCK_DRIFT = "code from a clock that is off"
    REUSED = "code already used"
    NOT_ENROLLED = "no second factor enrolled"
    UNREADABLE = "second-factor secret unreadable"

    @property
    def admits(self) -> bool:
        return self in (Verdict.PASSED, Verdict.NOT_NEEDED)

    @property
    def counts_as_failure(self) -> bool:
        """A failed sign-in: counts towards the lockout like a wrong password (a drifted code too: it is never
        admitted, and the lockout must not depend on which wrong codes were typed)."""
        return self in (Verdict.MISSING, Verdict.WRONG, Verdict.CLOCK_DRIFT)


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    enrolled: bool
    recovery_codes_left: int | None = None  # set when a recovery code was spent
    drift_minutes: int | None = None  # set when the code belongs to another time: a clock is wrong


def check_second_factor(ctx: ServiceContext, session: Session, user_id: int, code: str, now: datetime) -> Outcome:
    factor = session.get(SecondFactor, user_id)
    if factor is None:
        verdict = Verdict.NOT_ENROLLED if ctx.second_factor_required(session) else Verdict.NOT_NEEDED
        return Outcome(verdict, enrolled=False)
    if not code.strip():
        return Outcome(Verdict.MISSING, enrolled=True)
    keys = ctx.second_factor_keys(session)
    if not looks_like_code(code):
        return _spend_recovery_code(session, user_id, keys.recovery_digest(code), now)
    try:
        secret = keys.unseal(factor.sealed_secret, user_id)
    except SecretUnreadable:
        return Outcome(Verdict.UNREADABLE, enrolled=True)
    step = matching_step(secret, code, now)
    if step is None:
        minutes = drifted_minutes(secret, code, now)
        return Outcome(Verdict.WRONG if minutes is None else Verdict.CLOCK_DRIFT, enrolled=True, drift_minutes=minutes)
    if step <= factor.last_step:
        return Outcome(Verdict.REUSED, enrolled=True)
    factor.last_step = step
    return Outcome(Verdict.PASSED, enrolled=True)


def _spend_recovery_code(session: Session, user_id: int, digest: str, now: datetime) -> Outcome:
    row = session.scalars(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user_id, RecoveryCode.digest == digest, RecoveryCode.used_at.is_(None)
        )
    ).one_or_none()
    if row is None:
        return Outcome(Verdict.WRONG, enrolled=True)
    row.used_at = now
    session.flush()
    left = session.scalar(select(func.count()).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)))
    return Outcome(Verdict.PASSED, enrolled=True, recovery_codes_left=int(left or 0))
