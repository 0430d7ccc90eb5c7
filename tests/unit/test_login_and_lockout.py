"""Sign-in: argon2id, lockout after 5 failures for 15 minutes, one message for every kind of refusal."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from shielddesk.domain.errors import AuthenticationFailed, SessionEnded
from shielddesk.domain.lockout import LockoutPolicy
from shielddesk.domain.search import SearchCriteria
from shielddesk.storage.models import AuditEvent, User
from tests.support.authority import PASSWORD


def _events(services, action):
    with services.ctx.transaction() as session:
        return session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)).all()


def _refusal_message(services, username, password):
    with pytest.raises(AuthenticationFailed) as caught:
        services.auth.login(username, password)
    return str(caught.value)


def test_policy_locks_on_the_fifth_failure(clock):
    policy = LockoutPolicy()
    count, until = 0, None
    for _ in range(4):
        count, until = policy.after_failure(count, clock.now())
        assert until is None
    count, until = policy.after_failure(count, clock.now())
    assert until == clock.now() + timedelta(minutes=15)


def test_password_is_stored_as_argon2id(authority):
    with authority.services.ctx.transaction() as session:
        stored = session.scalars(select(User.password_hash).where(User.username == "operator1")).one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_unknown_user_wrong_password_and_locked_account_read_the_same(authority):
    services = authority.services
    unknown = _refusal_message(services, "nobody", PASSWORD)
    wrong = _refusal_message(services, "operator1", "not the password")
    for _ in range(4):
        _refusal_message(services, "operator1", "not the password")
    locked = _refusal_message(services, "operator1", PASSWORD)
    assert unknown == wrong == locked


def test_five_failures_lock_for_fifteen_minutes(authority, clock):
    services = authority.services
    for _ in range(5):
        _refusal_message(services, "operator2", "wrong password!!")
    _refusal_message(services, "operator2", PASSWORD)  # locked: even the right password is refused
    assert len(_events(services, "account.lockout")) == 1
    clock.advance(timedelta(minutes=14, seconds=59))
    _refusal_message(services, "operator2", PASSWORD)
    clock.advance(timedelta(seconds=2))
    assert services.auth.login("operator2", PASSWORD).username == "operator2"


def test_success_resets_the_failure_count(authority):
    services = authority.services
    for _ in range(4):
        _refusal_message(services, "supervisor", "wrong password!!")
    services.auth.login("supervisor", PASSWORD)
    for _ in range(4):
        _refusal_message(services, "supervisor", "wrong password!!")
    assert services.auth.login("supervisor", PASSWORD).username == "supervisor"


def test_every_sign_in_attempt_is_audited(authority):
    services = authority.services
    before = len(_events(services, "login"))
    _refusal_message(services, "nobody", "x")
    services.auth.login("gatekeeper", PASSWORD)
    events = _events(services, "login")[before:]
    assert [e.outcome for e in events] == ["failure", "ok"]


def test_locked_out_user_loses_an_open_session(authority):
    services = authority.services
    session = authority.practitioner
    for _ in range(5):
        _refusal_message(services, "practitioner", "wrong password!!")
    with pytest.raises(SessionEnded):
        services.children.search(session, SearchCriteria(surname="walsh"))


def test_unlock_failures_count_towards_lockout_and_end_the_session(authority):
    services = authority.services
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            services.auth.unlock(authority.operator1, "wrong password!!")
    with pytest.raises(SessionEnded):
        services.auth.unlock(authority.operator1, "wrong password!!")
