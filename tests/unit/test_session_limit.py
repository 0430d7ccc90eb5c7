"""The absolute session limit: twelve hours after sign-in a session is over, however active; locking and
unlocking, and the step-up before a decision, do not extend it."""

from datetime import timedelta

import pytest

from shielddesk.domain.errors import SessionEnded
from shielddesk.domain.search import SearchCriteria
from tests.support.authority import PASSWORD


def _search(authority, who="practitioner"):
    return authority.services.children.search(getattr(authority, who), SearchCriteria(surname="Walsh"))


def test_a_session_ends_twelve_hours_after_sign_in_however_active(authority, clock):
    clock.advance(timedelta(hours=11, minutes=59))
    assert _search(authority).total == 2
    clock.advance(timedelta(minutes=1))
    with pytest.raises(SessionEnded, match="12-hour limit"):
        _search(authority)
    fresh = authority.services.auth.login("practitioner", PASSWORD)
    assert authority.services.children.search(fresh, SearchCriteria(surname="Walsh")).total == 2


def test_unlocking_does_not_extend_the_limit(authority, clock):
    services = authority.services
    clock.advance(timedelta(hours=11))
    services.auth.lock(authority.operator1, idle=True)
    renewed = services.auth.unlock(authority.operator1, PASSWORD)
    assert renewed.signed_in_at == authority.operator1.signed_in_at
    clock.advance(timedelta(hours=1))
    with pytest.raises(SessionEnded):
        services.children.search(renewed, SearchCriteria(surname="Walsh"))
    with pytest.raises(SessionEnded):
        services.auth.unlock(renewed, PASSWORD)
