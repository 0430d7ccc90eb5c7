"""Free text written about a child — reasons, notes — never repeats where the child is: it is read by people who
may not see that, and the audit log keeps it for good."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shielddesk.domain.errors import InvalidInput
from shielddesk.domain.masking import mentions_hidden_value
from shielddesk.storage.models import AuditEvent, ShieldRequest
from tests.support.authority import CANARY, CANARY_CP_ID, CANARY_VALUES, PASSWORD
from tests.support.fingerprint import data_fingerprint


def test_a_value_is_found_however_it_is_spaced_cased_or_punctuated():
    values = ["DB99 9QZ", "17 Zyqxcanary Row", "07700 900731", "Bath", "12"]
    assert mentions_hidden_value("moved to db999qz last week", values)
    assert mentions_hidden_value("lives at 17, ZYQXCANARY ROW", values)
    assert mentions_hidden_value("mother's phone 07700-900-731", values)
    assert mentions_hidden_value("she went back to bath", values)
    assert not mentions_hidden_value("slipped in the bathroom; 12 attempts", values)  # a part of a word; too short
    assert not mentions_hidden_value("Matched on name, date of birth and CP ID", values)


def _refused_without_quoting(call, authority) -> str:
    services = authority.services
    before = data_fingerprint(services, ignore={"app_user"})
    with pytest.raises(InvalidInput) as refused:
        call()
    message = str(refused.value)
    assert "must not contain the child's address" in message
    assert not [value for value in CANARY_VALUES if value.casefold() in message.casefold()]
    assert data_fingerprint(services, ignore={"app_user"}) == before
    with services.ctx.transaction() as session:
        newest = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert newest.outcome == "refused" and not [v for v in CANARY_VALUES if v.casefold() in newest.reason.casefold()]
    return message


def test_a_proposal_naming_the_childs_postcode_is_refused(authority):
    canary = authority.child_id(CANARY_CP_ID)
    _refused_without_quoting(
        lambda: authority.services.shielding.propose_removal(
            authority.operator1, canary, f"Family moved away from {CANARY['postcode'].lower()}", PASSWORD
        ),
        authority,
    )


def test_a_rejection_note_naming_the_school_is_refused_and_the_request_stays_pending(authority):
    services, canary = authority.services, authority.child_id(CANARY_CP_ID)
    request = services.shielding.propose_removal(authority.operator1, canary, "Review panel closed the case", PASSWORD)
    note = f"Still attends {CANARY['school_name']}, keep the shield"
    _refused_without_quoting(
        lambda: services.shielding.reject(authority.operator2, request.request_id, note, PASSWORD), authority
    )
    with services.ctx.transaction() as session:
        assert session.get(ShieldRequest, request.request_id).status == "pending"


def test_a_reveal_reason_naming_a_carer_is_refused(authority):
    canary = authority.child_id(CANARY_CP_ID)
    _refused_without_quoting(
        lambda: authority.services.children.reveal(
            authority.operator1, canary, f"Checking {CANARY['carer1_name']}'s address before the visit"
        ),
        authority,
    )


def test_a_withdrawal_reason_naming_the_entrys_address_is_refused(authority):
    entry = authority.entry_for(CANARY_CP_ID, list_ref="WITHDRAW-LIST", address=CANARY["address_line1"])
    _refused_without_quoting(
        lambda: authority.services.lists.withdraw_entry(
            authority.gatekeeper, entry.entry_id, f"Duplicate of the {CANARY['address_line1']} entry"
        ),
        authority,
    )


def test_a_not_found_proposal_is_checked_against_the_lists_address(authority):
    entry = authority.entry_for("CP9000000003", list_ref="NF-LIST", postcode="LS6 2QX")
    _refused_without_quoting(
        lambda: authority.services.shielding.propose_not_found(
            authority.operator1, entry.entry_id, "Searched every child at LS62QX and nearby", PASSWORD
        ),
        authority,
    )
    # Said without the address, the same proposal goes ahead.
    authority.services.shielding.propose_not_found(
        authority.operator1, entry.entry_id, "Searched by name, date of birth and sounds-like", PASSWORD
    )
