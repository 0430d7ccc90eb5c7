"""Masked search: by name, sound, date of birth, postcode and identifier; hidden-field searches find no
shielded child for viewers who may not see shielded details, indistinguishably from "no match"."""

from datetime import date

import pytest
from sqlalchemy import select

from shielddesk.domain.errors import InvalidInput, PermissionDenied
from shielddesk.domain.search import SearchCriteria, SearchOrder, SortColumn
from shielddesk.storage.models import AuditEvent
from tests.support.authority import CANARY, CANARY_CP_ID, CANARY_VALUES, TEAM_PHONE

NON_OPERATORS = ("practitioner", "supervisor", "signoff", "gatekeeper")


def _search(authority, who, **criteria):
    return authority.services.children.search(getattr(authority, who), SearchCriteria(**criteria))


def test_surname_prefix_is_case_and_accent_insensitive(authority):
    assert {r.cp_id for r in _search(authority, "practitioner", surname="WAL").rows} == {
        "CP9000000002",
        "CP9000000003",
    }
    assert [r.forenames for r in _search(authority, "practitioner", surname="o'brien", forenames="zoe").rows] == ["Zoë"]


def test_sounds_like_finds_other_spellings(authority):
    found = {r.surname for r in _search(authority, "practitioner", surname="Smith", sounds_like=True).rows}
    assert found == {"Smith-Jones", "Smyth"}


def test_date_of_birth_and_cp_id(authority):
    assert _search(authority, "practitioner", date_of_birth=date(2018, 7, 1)).total == 2
    assert _search(authority, "practitioner", cp_id="cp9000000004").rows[0].surname == "O'Brien"


def test_shielded_child_found_by_name_shows_identity_but_masks_location(authority):
    row = _search(authority, "practitioner", surname="okafor").rows[0]
    assert (row.cp_id, row.forenames, row.date_of_birth, row.shielded) == (
        CANARY_CP_ID,
        "Amara",
        date(2016, 3, 14),
        True,
    )
    assert row.postcode == row.town == f"Shielded — contact the local authority shielding team on {TEAM_PHONE}"


@pytest.mark.parametrize("who", NON_OPERATORS)
@pytest.mark.parametrize(
    "criteria",
    [
        {"postcode": CANARY["postcode"]},
        {"postcode": "DB99"},
        {"address": "Zyqxcanary Row"},
        {"school": CANARY["school_name"]},
        {"gp_practice": CANARY["gp_practice_name"]},
        {"carer_name": CANARY["carer1_name"]},
        {"surname": "okafor", "postcode": CANARY["postcode"]},
    ],
    ids=["postcode", "outcode", "address", "school", "gp", "carer", "name+postcode"],
)
def test_hidden_field_search_never_returns_a_shielded_child(authority, who, criteria):
    page = _search(authority, who, **criteria)
    nothing = _search(authority, who, postcode="ZZ1 1ZZ")
    assert page == nothing  # same total, same rows, same offset: no oracle


def test_operator_may_find_by_hidden_field_but_still_sees_it_masked(authority):
    row = _search(authority, "operator1", postcode=CANARY["postcode"]).rows[0]
    assert row.cp_id == CANARY_CP_ID and row.masked


def test_unshielded_twin_is_still_found_by_postcode(authority):
    # One twin is shielded (CP9000000002), the other is not: the shield must not hide the wrong child.
    rows = _search(authority, "practitioner", postcode="DB1 2AB").rows
    assert [r.cp_id for r in rows] == ["CP9000000003"]


def test_sorting_by_postcode_does_not_place_shielded_rows_by_their_real_postcode(authority):
    services = authority.services
    for descending in (False, True):
        page = services.children.search(
            authority.operator1,
            SearchCriteria(date_of_birth=date(2018, 7, 1)),
            SearchOrder(SortColumn.POSTCODE, descending),
        )
        shielded_first = page.rows[0].shielded
        assert shielded_first == (not descending)  # masked rows sort as an empty value


def test_paging(authority):
    services = authority.services
    first = services.children.search(authority.practitioner, SearchCriteria(surname="family"), limit=10)
    rest = services.children.search(authority.practitioner, SearchCriteria(surname="family"), offset=10, limit=100)
    assert first.total == rest.total == 24
    assert len(first.rows) == 10 and len(rest.rows) == 14
    assert not {r.cp_id for r in first.rows} & {r.cp_id for r in rest.rows}


def test_empty_search_is_refused(authority):
    with pytest.raises(InvalidInput):
        _search(authority, "practitioner")


def test_view_masks_every_hidden_value_for_every_role_but_a_revealing_operator(authority):
    child_id = authority.child_id(CANARY_CP_ID)
    for who in (*NON_OPERATORS, "operator1"):
        view = authority.services.children.view(getattr(authority, who), child_id)
        assert view.shielded and view.masked
        text = repr(view)
        assert not [v for v in CANARY_VALUES if v in text], who


def test_reveal_needs_a_reason_and_an_operator(authority):
    child_id = authority.child_id(CANARY_CP_ID)
    services = authority.services
    with pytest.raises(InvalidInput):
        services.children.reveal(authority.operator1, child_id, "because")
    for who in (*NON_OPERATORS, "admin"):
        with pytest.raises(PermissionDenied):
            services.children.reveal(getattr(authority, who), child_id, "checking the match for list entry 14")
    view = services.children.reveal(authority.operator1, child_id, "checking the match for list entry 14")
    assert view.revealed and not view.masked and view.record.postcode == CANARY["postcode"]
    with services.ctx.transaction() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "child.reveal")).all()
    outcomes = [(e.username, e.outcome, e.reason) for e in events]
    assert ("operator1", "ok", "checking the match for list entry 14") in outcomes
    assert ("practitioner", "denied", "") in outcomes


def test_every_search_and_view_is_audited_without_the_values_typed(authority):
    services = authority.services
    _search(authority, "practitioner", postcode=CANARY["postcode"])
    services.children.view(authority.practitioner, authority.child_id(CANARY_CP_ID))
    with services.ctx.transaction() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(2)).all()
    assert [e.action for e in events] == ["child.view", "search"]
    assert '"postcode"' in events[1].details
    for event in events:
        assert CANARY["postcode"] not in event.details + event.reason


def test_admin_cannot_search(authority):
    with pytest.raises(PermissionDenied):
        _search(authority, "admin", surname="walsh")
