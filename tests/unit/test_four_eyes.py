"""Four-eyes shielding through the services: DESIGN §4 invariants 1-5, step-up, not-found, removal,
the duplicate guard and the siblings at a shielded child's address."""

import pytest
from sqlalchemy import func, select

from shielddesk.domain.errors import AuthenticationFailed, InvalidInput, PermissionDenied
from shielddesk.domain.lists import EntryStatus
from shielddesk.domain.requests import RequestKind, RequestStatus
from shielddesk.domain.roles import Role
from shielddesk.domain.search import SearchCriteria
from shielddesk.services.reviews import ReviewKind, SiblingOutcome
from shielddesk.services.shielding import AlreadyDecided, StaleRequest
from shielddesk.storage.models import AuditEvent, Shield, ShieldRequest
from tests.support.authority import PASSWORD, child_row, standard_children, write_children

SOPHIE = "CP9000000005"


def _propose(authority, cp_id=SOPHIE, who="operator1"):
    entry = authority.entry_for(cp_id)
    request = authority.services.shielding.propose_shield(
        getattr(authority, who), entry.entry_id, authority.child_id(cp_id), PASSWORD
    )
    return entry, request


def _status(authority, entry):
    return authority.services.lists.entry(authority.operator1, f"TEST-LIST/{entry.details.entry_ref}").status


def _shielded_for_practitioner(authority, cp_id):
    return authority.services.children.search(authority.practitioner, SearchCriteria(cp_id=cp_id)).rows[0].shielded


def test_a_proposes_b_confirms_and_the_shield_applies_at_once(authority):
    entry, request = _propose(authority)
    assert _status(authority, entry) == EntryStatus.PENDING and not _shielded_for_practitioner(authority, SOPHIE)
    decision = authority.services.shielding.confirm(authority.operator2, request.request_id, PASSWORD, "all agree")
    assert decision.request.status == RequestStatus.CONFIRMED and decision.request.checker == "operator2"
    assert _status(authority, entry) == EntryStatus.SHIELDED
    assert _shielded_for_practitioner(authority, SOPHIE)


@pytest.mark.parametrize(
    "extra_roles", [(), (Role.SUPERVISOR,), (Role.ADMIN,), (Role.SIGNOFF_OWNER, Role.GATEKEEPER), tuple(Role)]
)
def test_the_maker_can_never_confirm_whatever_roles_they_hold(authority, extra_roles):
    authority.services.users.set_roles(authority.admin, "operator1", (Role.OPERATOR, *extra_roles))
    _entry, request = _propose(authority)
    with pytest.raises(PermissionDenied, match="another operator"):
        authority.services.shielding.confirm(authority.operator1, request.request_id, PASSWORD)
    with pytest.raises(PermissionDenied):
        authority.services.shielding.reject(authority.operator1, request.request_id, "not my own work", PASSWORD)
    with authority.services.ctx.transaction() as session:
        assert session.get(ShieldRequest, request.request_id).status == "pending"
        denied = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "shield.confirm", AuditEvent.object_id == str(request.request_id)
            )
        ).all()
    assert [e.outcome for e in denied] == ["denied"]


def test_non_operators_can_neither_propose_nor_decide(authority):
    entry = authority.entry_for(SOPHIE)
    _e, request = _propose(authority, "CP9000000006")
    for who in ("supervisor", "signoff", "gatekeeper", "practitioner", "admin"):
        with pytest.raises(PermissionDenied):
            authority.services.shielding.propose_shield(
                getattr(authority, who), entry.entry_id, authority.child_id(SOPHIE), PASSWORD
            )
        with pytest.raises(PermissionDenied):
            authority.services.shielding.confirm(getattr(authority, who), request.request_id, PASSWORD)


def test_decided_exactly_once(authority):
    _entry, request = _propose(authority)
    authority.services.shielding.confirm(authority.operator2, request.request_id, PASSWORD)
    with pytest.raises(AlreadyDecided):
        authority.services.shielding.confirm(authority.operator2, request.request_id, PASSWORD)
    with pytest.raises(AlreadyDecided):
        authority.services.shielding.reject(authority.operator2, request.request_id, "too late to reject", PASSWORD)
    with authority.services.ctx.transaction() as session:
        assert session.scalar(select(func.count(Shield.id)).where(Shield.child_id == authority.child_id(SOPHIE))) == 1


def test_one_pending_request_per_child_and_kind(authority):
    _propose(authority)
    second = authority.entry_for(SOPHIE, entry_ref="E-second")
    with pytest.raises(InvalidInput, match="already a pending"):
        authority.services.shielding.propose_shield(
            authority.operator2, second.entry_id, authority.child_id(SOPHIE), PASSWORD
        )


def test_confirmation_against_a_changed_child_is_refused_as_stale(authority, tmp_path):
    _entry, request = _propose(authority)
    rows = standard_children()
    rows[4]["address_line1"] = "99 Moved Street"
    authority.services.population.import_population(authority.admin, write_children(tmp_path / "c.csv", rows))
    with pytest.raises(StaleRequest, match="child's record changed"):
        authority.services.shielding.confirm(authority.operator2, request.request_id, PASSWORD)
    assert not _shielded_for_practitioner(authority, SOPHIE)
    authority.services.shielding.reject(authority.operator2, request.request_id, "stale: record changed", PASSWORD)


def test_confirmation_against_a_changed_entry_is_refused_as_stale(authority):
    entry, request = _propose(authority)
    from dataclasses import replace

    authority.services.lists.edit_entry(
        authority.gatekeeper, entry.entry_id, replace(entry.details, postcode="DB7 7ZZ"), expected_version=entry.version
    )
    with pytest.raises(StaleRequest, match="list entry"):
        authority.services.shielding.confirm(authority.operator2, request.request_id, PASSWORD)


def test_rejection_needs_a_note_and_returns_the_entry_to_matched(authority):
    entry, request = _propose(authority)
    with pytest.raises(InvalidInput):
        authority.services.shielding.reject(authority.operator2, request.request_id, "no", PASSWORD)
    authority.services.shielding.reject(authority.operator2, request.request_id, "Wrong twin: DOB differs", PASSWORD)
    after = authority.services.lists.entry(authority.operator1, f"TEST-LIST/{entry.details.entry_ref}")
    assert after.status == EntryStatus.MATCHED and after.status_note == "Wrong twin: DOB differs"
    assert not _shielded_for_practitioner(authority, SOPHIE)


def test_step_up_password_is_required_and_failures_count_towards_lockout(authority):
    entry = authority.entry_for(SOPHIE)
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            authority.services.shielding.propose_shield(
                authority.operator1, entry.entry_id, authority.child_id(SOPHIE), "wrong password!!"
            )
    from shielddesk.domain.errors import SessionEnded

    with pytest.raises(SessionEnded):
        authority.services.shielding.propose_shield(
            authority.operator1, entry.entry_id, authority.child_id(SOPHIE), "wrong password!!"
        )


def test_not_found_needs_its_own_maker_checker_and_reason(authority):
    entry = authority.entry_for(SOPHIE, entry_ref="E-ghost", forenames="Keira", surname="Nobody")
    with pytest.raises(InvalidInput):
        authority.services.shielding.propose_not_found(authority.operator1, entry.entry_id, "none", PASSWORD)
    request = authority.services.shielding.propose_not_found(
        authority.operator1, entry.entry_id, "Searched name, sound, DOB, postcode", PASSWORD
    )
    with pytest.raises(PermissionDenied):
        authority.services.shielding.confirm(authority.operator1, request.request_id, PASSWORD)
    authority.services.shielding.confirm(authority.operator2, request.request_id, PASSWORD)
    after = authority.services.lists.entry(authority.operator1, "TEST-LIST/E-ghost")
    assert after.status == EntryStatus.NOT_FOUND and "Searched" in after.status_note


def test_removal_is_four_eyes_too(authority):
    canary = authority.child_id("CP9000000001")
    request = authority.services.shielding.propose_removal(
        authority.operator2, canary, "Gatekeeper review ended it", PASSWORD
    )
    assert request.kind == RequestKind.REMOVE
    with pytest.raises(PermissionDenied):
        authority.services.shielding.confirm(authority.operator2, request.request_id, PASSWORD)
    authority.services.shielding.confirm(authority.operator1, request.request_id, PASSWORD)
    assert not _shielded_for_practitioner(authority, "CP9000000001")


def test_withdraw_only_by_the_maker(authority):
    entry, request = _propose(authority)
    with pytest.raises(PermissionDenied):
        authority.services.shielding.withdraw(authority.operator2, request.request_id, PASSWORD)
    authority.services.shielding.withdraw(authority.operator1, request.request_id, PASSWORD)
    assert _status(authority, entry) == EntryStatus.MATCHED


def test_pending_inbox_shows_own_proposals_as_not_decidable(authority):
    _entry, request = _propose(authority)
    mine = {r.request_id: r for r in authority.services.requests.pending(authority.operator1)}[request.request_id]
    theirs = {r.request_id: r for r in authority.services.requests.pending(authority.operator2)}[request.request_id]
    assert not mine.can_decide and "yourself" in mine.cannot_decide_because
    assert theirs.can_decide and theirs.maker == "operator1"


def test_checker_comparison_flags_a_twin(authority):
    entry = authority.entry_for("CP9000000003")  # Aidan Walsh, the unshielded twin of Aiden
    request = authority.services.shielding.propose_shield(
        authority.operator1, entry.entry_id, authority.child_id("CP9000000003"), PASSWORD
    )
    comparison = authority.services.requests.compare(authority.operator2, request.request_id)
    assert comparison.child.cp_id == "CP9000000003" and comparison.score >= 90
    assert any("TWIN" in w for w in comparison.warnings)
    assert {c.field: c.agreement.value for c in comparison.comparisons}["date_of_birth"] == "agree"


def test_change_status_and_audit_commit_together(authority):
    _entry, request = _propose(authority)
    with authority.services.ctx.transaction() as session:
        before = session.scalar(select(func.count(AuditEvent.seq)))
    authority.services.shielding.confirm(authority.operator2, request.request_id, PASSWORD)
    with authority.services.ctx.transaction() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.seq > before).order_by(AuditEvent.seq)).all()
        confirm = [e for e in events if e.action == "shield.confirm"]
        assert len(confirm) == 1 and confirm[0].object_id == str(request.request_id) and confirm[0].outcome == "ok"


def test_a_later_duplicate_of_a_shielded_child_is_shielded_provisionally(authority, tmp_path):
    services = authority.services
    rows = [
        *standard_children(),
        child_row("CP9100000001", "Amara", "Okafor", "2016-03-14", address_line1="2 Other Road", postcode="DB5 5XY"),
    ]
    summary = services.population.import_population(authority.admin, write_children(tmp_path / "dup.csv", rows))
    assert summary.provisional_shields == 1
    assert _shielded_for_practitioner(authority, "CP9100000001")
    [item] = [i for i in services.reviews.open_items(authority.supervisor) if i.kind == ReviewKind.DUPLICATE]
    assert item.cp_id == "CP9100000001" and item.related_cp_id == "CP9000000001"
    # two operators decide: release it
    request = services.shielding.propose_removal(
        authority.operator1, item.child_id, "Different child: GP confirms", PASSWORD
    )
    services.shielding.confirm(authority.operator2, request.request_id, PASSWORD)
    assert not _shielded_for_practitioner(authority, "CP9100000001")
    assert not [i for i in services.reviews.open_items(authority.supervisor) if i.kind == ReviewKind.DUPLICATE]


def test_siblings_at_the_address_are_listed_for_a_decision(authority, tmp_path):
    rows = [
        *standard_children(),
        child_row(
            "CP9100000002",
            "Tom",
            "Smith-Jones",
            "2019-04-04",
            address_line1="22 Station Road",
            town="Demoford",
            postcode="DB1 5EF",
        ),
    ]
    authority.services.population.import_population(authority.admin, write_children(tmp_path / "sib.csv", rows))
    _entry, request = _propose(authority)
    decision = authority.services.shielding.confirm(authority.operator2, request.request_id, PASSWORD)
    assert [c.cp_id for c in decision.related_unshielded] == ["CP9100000002"]
    items = [i for i in authority.services.reviews.open_items(authority.operator1) if i.cp_id == "CP9100000002"]
    assert [(i.kind, i.related_cp_id) for i in items] == [(ReviewKind.SIBLING, SOPHIE)]
    authority.services.reviews.decide_sibling(
        authority.operator1, items[0].review_id, SiblingOutcome.REFER_TO_GATEKEEPER, "Asked Specialist Services"
    )
    assert not [i for i in authority.services.reviews.open_items(authority.operator1) if i.cp_id == "CP9100000002"]


def test_shielding_one_twin_lists_the_other_for_a_decision(authority):
    # The fixture shielded Aiden (CP9000000002); his twin Aidan lives at the same address.
    items = [i for i in authority.services.reviews.open_items(authority.supervisor) if i.kind == ReviewKind.SIBLING]
    assert [(i.cp_id, i.related_cp_id) for i in items] == [("CP9000000003", "CP9000000002")]
