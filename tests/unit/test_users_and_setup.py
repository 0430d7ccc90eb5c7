import pytest
from sqlalchemy import select

from shielddesk.domain.errors import AlreadyInitialised, InvalidInput, PermissionDenied
from shielddesk.domain.roles import Role
from shielddesk.domain.search import SearchCriteria
from shielddesk.security.second_factor import code_at
from shielddesk.storage.models import AuditEvent, User
from tests.support.authority import PASSWORD


def test_fresh_database_has_no_accounts_at_all(services):
    assert not services.setup.is_initialised()
    with services.ctx.transaction() as session:
        assert session.scalars(select(User)).all() == []


def test_setup_records_authority_and_refuses_a_second_time(services, clock):
    done = services.setup.initialise(
        authority_name="Northshire",
        team_phone="01632 960000",
        admin_username="Root.Admin",
        admin_display_name="R Admin",
        admin_password=PASSWORD,
    )
    assert services.setup.authority().team_phone == "01632 960000" == done.authority.team_phone
    assert services.setup.authority().second_factor_required
    enrolment = done.admin_enrolment  # a real authority: the first administrator has an authenticator at once
    assert enrolment is not None and enrolment.username == "root.admin"
    code = code_at(enrolment.secret, clock.now())
    assert services.auth.login("root.admin", PASSWORD, code).roles == frozenset({Role.ADMIN})
    with pytest.raises(AlreadyInitialised):
        services.setup.initialise(
            authority_name="Again",
            team_phone="01632 960001",
            admin_username="other",
            admin_display_name="O",
            admin_password=PASSWORD,
        )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"team_phone": ""}, "phone"),
        ({"authority_name": " "}, "name"),
        ({"admin_password": "short"}, "12"),
        ({"admin_username": "a b"}, "username"),
    ],
)
def test_setup_validates_and_leaves_nothing_behind(services, secrets, overrides, message):
    values = {
        "authority_name": "Northshire",
        "team_phone": "01632 960000",
        "admin_username": "root",
        "admin_display_name": "Root",
        "admin_password": PASSWORD,
    } | overrides
    with pytest.raises(InvalidInput, match=message):
        services.setup.initialise(**values)
    assert not services.setup.is_initialised()


def test_admin_manages_users_and_changes_take_effect_at_once(authority):
    users = authority.services.users
    users.add_user(authority.admin, "new.person", "New Person", [Role.PRACTITIONER], "a long enough password")
    new = authority.services.auth.login("new.person", "a long enough password")
    assert authority.services.children.search(new, SearchCriteria(surname="walsh")).total == 2
    users.set_roles(authority.admin, "new.person", [Role.ADMIN])
    with pytest.raises(PermissionDenied):  # the session still says practitioner; the database does not
        authority.services.children.search(new, SearchCriteria(surname="walsh"))
    users.set_active(authority.admin, "new.person", False)
    assert [u.active for u in users.list_users(authority.admin) if u.username == "new.person"] == [False]


def test_user_rules(authority):
    users = authority.services.users
    with pytest.raises(InvalidInput, match="taken"):
        users.add_user(authority.admin, "operator1", "Dup", [Role.OPERATOR], PASSWORD)
    with pytest.raises(InvalidInput, match="username"):
        users.add_user(authority.admin, "x", "Short", [Role.OPERATOR], PASSWORD)
    with pytest.raises(InvalidInput, match="contain the username"):
        users.add_user(authority.admin, "carol", "Carol", [Role.OPERATOR], "carol-password-123")
    with pytest.raises(InvalidInput, match="own"):
        users.set_active(authority.admin, "admin", False)
    with pytest.raises(PermissionDenied):
        users.add_user(authority.supervisor, "sneaky", "S", [Role.ADMIN], PASSWORD)


def test_user_changes_and_denials_are_audited(authority):
    users = authority.services.users
    users.set_roles(authority.admin, "gatekeeper", [Role.GATEKEEPER, Role.PRACTITIONER])
    with pytest.raises(PermissionDenied):
        users.list_users(authority.operator1)
    with authority.services.ctx.transaction() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(2)).all()
    assert [(e.action, e.outcome) for e in events] == [("user.list", "denied"), ("user.roles", "ok")]
