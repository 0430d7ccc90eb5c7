"""Two-factor sign-in (RFC 6238 codes on a fake clock): required at login, unlock and every step-up; wrong or
missing codes count towards the lockout; each code and each recovery code works once; a reset needs two
administrators; the secret is never stored readable."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from shielddesk.domain.credentials import Credentials
from shielddesk.domain.errors import (
    AuthenticationFailed,
    ClockDrift,
    InvalidInput,
    PermissionDenied,
    SecondFactorNotEnrolled,
    SecondFactorReused,
    SecondFactorUnreadable,
    SessionEnded,
    ShieldDeskError,
)
from shielddesk.domain.roles import Role
from shielddesk.security.second_factor import code_at
from shielddesk.storage import migrate
from shielddesk.storage.engine import make_engine
from shielddesk.storage.models import AuditEvent, RecoveryCode, SecondFactor, User
from tests.support.authority import PASSWORD
from tests.support.two_factor import STEP, Phones, enrol_everyone


@pytest.fixture
def phones(authority) -> Phones:
    return enrol_everyone(authority)


def _failures(services, username: str) -> int:
    with services.ctx.transaction() as session:
        return session.scalars(select(User.failed_attempts).where(User.username == username)).one()


def _events(services, action: str) -> list[AuditEvent]:
    with services.ctx.transaction() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
        return [row for row in rows]


def test_sign_in_without_the_code_is_refused_and_counts_as_a_failure(authority, phones):
    auth = authority.services.auth
    with pytest.raises(AuthenticationFailed) as refused:
        auth.login("operator1", PASSWORD)
    assert str(refused.value) == AuthenticationFailed.MESSAGE  # the same words as a wrong password
    assert _failures(authority.services, "operator1") == 1
    assert _events(authority.services, "login")[-1].reason == "no code given"
    session = auth.login("operator1", PASSWORD, phones.code("operator1"))
    assert session.second_factor and _failures(authority.services, "operator1") == 0


def test_wrong_codes_count_towards_the_lockout_like_wrong_passwords(authority, phones):
    auth, clock = authority.services.auth, phones.clock
    right = phones.code("operator2")
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for attempt in range(1, 5):
        with pytest.raises(AuthenticationFailed):
            auth.login("operator2", PASSWORD, wrong)
        assert _failures(authority.services, "operator2") == attempt
    with pytest.raises(AuthenticationFailed):
        auth.login("operator2", "a wrong password", right)  # the two kinds of failure add up
    with pytest.raises(AuthenticationFailed):  # locked: the right password and code no longer open it
        auth.login("operator2", PASSWORD, right)
    assert [e.outcome for e in _events(authority.services, "account.lockout")] == ["ok"]
    clock.advance(timedelta(minutes=15))
    assert auth.login("operator2", PASSWORD, phones.code("operator2")).username == "operator2"


def test_codes_one_step_either_side_are_accepted_further_ones_refused(authority, phones):
    auth, secret, now = authority.services.auth, phones.secrets["supervisor"], phones.clock.now()
    with pytest.raises(AuthenticationFailed):
        auth.login("supervisor", PASSWORD, code_at(secret, now - 2 * STEP))  # a minute old
    with pytest.raises(AuthenticationFailed):
        auth.login("supervisor", PASSWORD, code_at(secret, now + 2 * STEP))
    assert auth.login("supervisor", PASSWORD, code_at(secret, now - STEP))  # the phone a little behind
    assert auth.login("supervisor", PASSWORD, code_at(secret, now + STEP))  # or a little ahead
    assert _failures(authority.services, "supervisor") == 0


def test_a_code_works_once_and_a_reused_code_is_not_a_guess(authority, phones):
    auth = authority.services.auth
    code = phones.code("signoff")
    auth.login("signoff", PASSWORD, code)
    with pytest.raises(SecondFactorReused, match="already been used"):
        auth.login("signoff", PASSWORD, code)
    # An earlier step than the one used is refused as well (no replay of an older, still-valid code).
    with pytest.raises(SecondFactorReused):
        auth.login("signoff", PASSWORD, code_at(phones.secrets["signoff"], phones.clock.now() - STEP))
    assert _failures(authority.services, "signoff") == 0
    phones.clock.advance(STEP)
    assert auth.login("signoff", PASSWORD, phones.code("signoff"))


def test_two_workstations_spending_one_code_at_once_only_one_signs_in(authority, phones):
    phones.clock.advance(STEP)
    auth, code = authority.services.auth, phones.code("practitioner")
    barrier, outcomes = threading.Barrier(4), []

    def sign_in() -> None:
        barrier.wait()
        try:
            auth.login("practitioner", PASSWORD, code)
            outcomes.append("signed in")
        except SecondFactorReused:
            outcomes.append("reused")

    threads = [threading.Thread(target=sign_in) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["reused", "reused", "reused", "signed in"]


def test_unlock_and_every_step_up_need_the_password_and_a_fresh_code(authority, phones):
    services = authority.services
    operator1, operator2 = authority.operator1, authority.operator2
    with pytest.raises(AuthenticationFailed):
        services.auth.unlock(operator1, PASSWORD)  # the password alone does not unlock
    unlocked = services.auth.unlock(operator1, phones.fresh("operator1"))
    assert unlocked.signed_in_at == operator1.signed_in_at  # unlocking does not extend the session

    entry = authority.entry_for("CP9000000003")
    child_id = authority.child_id("CP9000000003")
    with pytest.raises(AuthenticationFailed):
        services.shielding.propose_shield(operator1, entry.entry_id, child_id, PASSWORD)
    request = services.shielding.propose_shield(operator1, entry.entry_id, child_id, phones.fresh("operator1"))
    used = phones.fresh("operator2")
    services.shielding.confirm(operator2, request.request_id, used)
    with pytest.raises(SecondFactorReused):  # the step-up's code cannot be spent again on the next decision
        services.shielding.reject(operator2, request.request_id, "changed my mind", used)
    proposal_and_confirmation = [e for e in _events(services, "step_up") if e.outcome == "ok"][-2:]
    assert all(json.loads(e.details)["second_factor"] for e in proposal_and_confirmation)


def test_failed_step_ups_lock_the_account_and_end_the_session(authority, phones):
    services, operator1 = authority.services, authority.operator1
    entry = authority.entry_for("CP9000000003")
    child_id = authority.child_id("CP9000000003")
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            services.shielding.propose_shield(operator1, entry.entry_id, child_id, Credentials(PASSWORD, "000000"))
    with pytest.raises(SessionEnded):
        services.shielding.propose_shield(operator1, entry.entry_id, child_id, Credentials(PASSWORD, "000000"))


def test_a_recovery_code_signs_in_once_and_the_count_goes_down(authority, phones):
    auth = authority.services.auth
    first, second = phones.recovery_codes["gatekeeper"][:2]
    session = auth.login("gatekeeper", PASSWORD, first.upper().replace("-", " "))  # typed off paper, any case
    assert session.recovery_codes_left == 9
    assert json.loads(_events(authority.services, "login")[-1].details)["recovery_code_used"] is True
    with pytest.raises(AuthenticationFailed):
        auth.login("gatekeeper", PASSWORD, first)
    assert _failures(authority.services, "gatekeeper") == 1
    assert auth.login("gatekeeper", PASSWORD, second).recovery_codes_left == 8
    with pytest.raises(AuthenticationFailed):  # another user's recovery code is just a wrong code
        auth.login("gatekeeper", PASSWORD, phones.recovery_codes["operator1"][0])


def test_renewed_recovery_codes_replace_the_old_ones(authority, phones):
    services = authority.services
    old = phones.recovery_codes["supervisor"][0]
    new = services.second_factor.renew_recovery_codes(authority.supervisor, phones.fresh("supervisor"))
    assert len(new) == 10 and old not in new
    with pytest.raises(AuthenticationFailed):
        services.auth.login("supervisor", PASSWORD, old)
    assert services.auth.login("supervisor", PASSWORD, new[3]).recovery_codes_left == 9


def test_a_reset_needs_a_second_administrator(authority, phones):
    services, clock = authority.services, phones.clock
    admin = authority.admin
    services.users.add_user(admin, "admin2", "Second Admin", [Role.ADMIN], PASSWORD)
    second = services.second_factor.enrol(admin, "admin2", phones.fresh("admin"))
    phones.secrets["admin2"] = second.secret
    admin2 = phones.sign_in("admin2")

    reset = services.second_factor.request_reset(admin, "operator1", "phone lost on 24/11", phones.fresh("admin"))
    assert [r.reset_id for r in services.second_factor.pending_resets(admin2)] == [reset.reset_id]
    with pytest.raises(InvalidInput, match="already waiting"):
        services.second_factor.request_reset(admin2, "operator1", "again", phones.fresh("admin2"))
    with pytest.raises(PermissionDenied, match="Another administrator"):
        services.second_factor.confirm_reset(admin, reset.reset_id, phones.fresh("admin"))
    assert services.auth.login("operator1", PASSWORD, phones.code("operator1"))  # nothing changed yet

    done = services.second_factor.confirm_reset(admin2, reset.reset_id, phones.fresh("admin2"))
    assert done.status == "done" and done.username == "operator1"
    with pytest.raises(SecondFactorNotEnrolled):
        services.auth.login("operator1", PASSWORD, phones.code("operator1"))
    # The session opened with the lost phone ends: at its next step-up, and at its next call of any kind.
    with pytest.raises(SessionEnded, match="second factor was reset"):
        services.auth.reauthenticate(authority.operator1, Credentials(PASSWORD, phones.code("operator1")))
    with pytest.raises(SessionEnded, match="second factor was reset"):
        services.lists.lists(authority.operator1)
    with pytest.raises(InvalidInput, match="already"):
        services.second_factor.confirm_reset(admin2, reset.reset_id, phones.fresh("admin2"))

    renewed = services.second_factor.enrol(admin, "operator1", phones.fresh("admin"))
    clock.advance(STEP)
    with pytest.raises(AuthenticationFailed):  # the lost phone's codes no longer work
        services.auth.login("operator1", PASSWORD, phones.code("operator1"))
    assert services.auth.login("operator1", PASSWORD, code_at(renewed.secret, clock.now()))
    actions = [e.action for e in _events(services, "user.second_factor.reset")]
    assert actions == ["user.second_factor.reset", "user.second_factor.reset", "user.second_factor.reset"]
    outcomes = [e.outcome for e in _events(services, "user.second_factor.reset")]
    assert outcomes == ["denied", "ok", "refused"]


def test_nobody_resets_their_own_second_factor(authority, phones):
    services, admin = authority.services, authority.admin
    services.users.add_user(admin, "admin2", "Second Admin", [Role.ADMIN], PASSWORD)
    phones.secrets["admin2"] = services.second_factor.enrol(admin, "admin2", phones.fresh("admin")).secret
    admin2 = phones.sign_in("admin2")
    reset = services.second_factor.request_reset(admin2, "admin", "testing", phones.fresh("admin2"))
    with pytest.raises(PermissionDenied, match="your own"):
        services.second_factor.confirm_reset(admin, reset.reset_id, phones.fresh("admin"))
    services.second_factor.cancel_reset(admin2, reset.reset_id, phones.fresh("admin2"))
    assert services.second_factor.pending_resets(admin) == []


def test_only_administrators_enrol_and_an_enrolled_user_is_not_enrolled_twice(authority, phones):
    services = authority.services
    with pytest.raises(PermissionDenied):
        services.second_factor.enrol(authority.supervisor, "operator1", phones.fresh("supervisor"))
    with pytest.raises(InvalidInput, match="already has a second factor"):
        services.second_factor.enrol(authority.admin, "operator1", phones.fresh("admin"))


def test_requiring_second_factors_waits_until_everyone_has_one(authority):
    services, admin = authority.services, authority.admin
    assert not services.setup.authority().second_factor_required
    secret = services.second_factor.enrol(admin, "admin", PASSWORD).secret
    with pytest.raises(AuthenticationFailed):  # enrolled: the password alone no longer steps up
        services.auth.reauthenticate(admin, PASSWORD)
    authority.services.ctx.clock.advance(timedelta(seconds=30))
    with pytest.raises(InvalidInput, match="gatekeeper, operator1, operator2, practitioner, signoff, supervisor"):
        services.second_factor.require_for_everyone(admin, Credentials(PASSWORD, code_at(secret, admin_now(services))))
    # Until it is required, users without an authenticator still sign in with the password alone.
    assert not services.auth.login("operator1", PASSWORD).second_factor


def test_the_secret_is_sealed_and_bound_to_its_user(authority, phones):
    services = authority.services
    with services.ctx.transaction() as session:
        rows = {row.user_id: row.sealed_secret for row in session.scalars(select(SecondFactor))}
        digests = session.scalars(select(RecoveryCode.digest)).all()
        ids = {row.username: row.id for row in session.execute(select(User.username, User.id))}
    stored = " ".join(rows.values()) + " ".join(digests)
    for username, secret in phones.secrets.items():
        assert secret not in stored and secret.lower() not in stored
        for code in phones.recovery_codes[username]:
            assert code not in stored and code.replace("-", "") not in stored
    # A sealed secret copied onto another user's row does not open there: refused, not a sign-in.
    with services.ctx.transaction() as session:
        session.get(SecondFactor, ids["operator2"]).sealed_secret = rows[ids["operator1"]]
    with pytest.raises(SecondFactorUnreadable):
        services.auth.login("operator2", PASSWORD, phones.code("operator1"))


def test_the_first_administrator_is_enrolled_when_a_real_authority_is_set_up(services, clock):
    done = services.setup.initialise(
        authority_name="Northshire",
        team_phone="01632 960000",
        admin_username="root",
        admin_display_name="Root Admin",
        admin_password=PASSWORD,
    )
    assert done.authority.second_factor_required and done.admin_enrolment is not None
    assert done.admin_enrolment.uri.startswith("otpauth://totp/ShieldDesk%20%28Northshire%29:root?secret=")
    with pytest.raises(AuthenticationFailed):
        services.auth.login("root", PASSWORD)
    assert services.auth.login("root", PASSWORD, code_at(done.admin_enrolment.secret, clock.now())).second_factor
    services.users.add_user(
        services.auth.login("root", PASSWORD, done.admin_enrolment.recovery_codes[0]),
        "newcomer",
        "New Comer",
        [Role.OPERATOR],
        PASSWORD,
    )
    with pytest.raises(SecondFactorNotEnrolled):  # a new user cannot sign in until an administrator enrols them
        services.auth.login("newcomer", PASSWORD)


def test_an_authority_set_up_before_second_factors_keeps_signing_in(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        migrate.upgrade(engine, "0004")
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO setting (key, value) VALUES ('installation_id', 'x')"))
        migrate.upgrade(engine)
        with engine.connect() as connection:
            value = connection.execute(
                text("SELECT value FROM setting WHERE key = 'second_factor_required'")
            ).scalar_one()
    finally:
        engine.dispose()
    assert value == "no"


def admin_now(services):
    return services.ctx.clock.now()


def _race_reset_against_sign_in(services, admin2, reset_id: int, confirm_with: Credentials, code: str) -> str:
    barrier, outcome = threading.Barrier(2), []

    def sign_in() -> None:
        barrier.wait()
        try:
            services.auth.login("operator1", PASSWORD, code)
            outcome.append("signed in")
        except ShieldDeskError as exc:
            outcome.append(type(exc).__name__)

    def carry_out() -> None:
        barrier.wait()
        services.second_factor.confirm_reset(admin2, reset_id, confirm_with)

    threads = [threading.Thread(target=sign_in), threading.Thread(target=carry_out)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome[0]


def test_a_reset_racing_the_users_sign_in_never_half_applies(authority, phones):
    """Carried out while the user signs in with a code: one waits for the other; the sign-in ends signed in or
    refused with a message, never with a database error, and the reset is whole."""
    services, admin = authority.services, authority.admin
    services.users.add_user(admin, "admin2", "Second Admin", [Role.ADMIN], PASSWORD)
    phones.secrets["admin2"] = services.second_factor.enrol(admin, "admin2", phones.fresh("admin")).secret
    admin2 = phones.sign_in("admin2")
    outcomes = []
    for _ in range(8):
        reset = services.second_factor.request_reset(admin, "operator1", "phone replaced", phones.fresh("admin"))
        confirm_with, code = phones.fresh("admin2"), phones.fresh("operator1").code
        outcomes.append(_race_reset_against_sign_in(services, admin2, reset.reset_id, confirm_with, code))
        with services.ctx.transaction() as session:
            assert session.get(SecondFactor, authority.operator1.user_id) is None
            assert (
                session.scalar(select(RecoveryCode.id).where(RecoveryCode.user_id == authority.operator1.user_id))
                is None
            )
        phones.secrets["operator1"] = services.second_factor.enrol(admin, "operator1", phones.fresh("admin")).secret
    assert len(outcomes) == 8 and set(outcomes) <= {"signed in", "SecondFactorNotEnrolled"}


def test_a_code_from_a_wrong_clock_is_refused_and_counted_but_explained(authority, phones):
    auth, secret, now = authority.services.auth, phones.secrets["practitioner"], phones.clock.now()
    with pytest.raises(ClockDrift, match="about 5 minute"):  # the phone (or this workstation) is 5 minutes out
        auth.login("practitioner", PASSWORD, code_at(secret, now + timedelta(minutes=5)))
    assert _failures(authority.services, "practitioner") == 1  # never admitted, and a failure like any other
    assert _events(authority.services, "login")[-1].reason == "code from a clock that is off"
    with pytest.raises(AuthenticationFailed) as far:  # an hour off is just a wrong code
        auth.login("practitioner", PASSWORD, code_at(secret, now + timedelta(hours=1)))
    assert str(far.value) == AuthenticationFailed.MESSAGE
