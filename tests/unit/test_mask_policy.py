"""The mask policy, field by field: what a viewer without the right to shielded details may see."""

from dataclasses import fields
from datetime import date

import pytest

from shielddesk.domain.child import Carer, ChildRecord, ChildSummary, Involvement
from shielddesk.domain.masking import (
    HIDDEN_CARER_FIELDS,
    HIDDEN_CHILD_FIELDS,
    HIDDEN_INVOLVEMENT_FIELDS,
    VISIBLE_CHILD_FIELDS,
    hidden_values,
    mask_record,
    mask_summary,
    placeholder_text,
)

PLACEHOLDER = placeholder_text("0113 496 0123")

RECORD = ChildRecord(
    cp_id="CP0000000001",
    forenames="Amara",
    surname="Okafor",
    former_surnames="Mensah",
    date_of_birth=date(2016, 3, 14),
    gender="F",
    address_line1="1 Secret Row",
    address_line2="Flat 2",
    town="Hiddenton",
    postcode="DB9 9QQ",
    school_name="Hidden Academy",
    school_urn="123456",
    school_postcode="DB9 8QQ",
    gp_practice_name="Hidden Surgery",
    gp_practice_code="D81001",
    gp_postcode="DB9 7QQ",
    carers=(Carer("Ada Okafor", "Mother", "1 Secret Row", "07700 900001"),),
    involvements=(
        Involvement("CSC", "Pat Lee", "Social worker", "Hidden Refuge", "0113 496 0001", "2 Refuge Rd", "DB9 6QQ"),
    ),
)


def test_placeholder_names_the_team_phone():
    assert PLACEHOLDER == "Shielded — contact the local authority shielding team on 0113 496 0123"


@pytest.mark.parametrize("name", sorted(HIDDEN_CHILD_FIELDS))
def test_every_location_field_of_the_child_is_replaced(name):
    assert getattr(mask_record(RECORD, PLACEHOLDER), name) == PLACEHOLDER


@pytest.mark.parametrize("name", sorted(VISIBLE_CHILD_FIELDS))
def test_identity_fields_stay_visible_so_the_child_can_be_found_by_name(name):
    assert getattr(mask_record(RECORD, PLACEHOLDER), name) == getattr(RECORD, name)


@pytest.mark.parametrize("name", sorted(HIDDEN_CARER_FIELDS))
def test_carer_name_address_and_phone_are_hidden(name):
    assert getattr(mask_record(RECORD, PLACEHOLDER).carers[0], name) == PLACEHOLDER


def test_carer_relationship_stays_visible():
    assert mask_record(RECORD, PLACEHOLDER).carers[0].relationship == "Mother"


@pytest.mark.parametrize("name", sorted(HIDDEN_INVOLVEMENT_FIELDS))
def test_involvement_organisation_phone_address_postcode_are_hidden(name):
    assert getattr(mask_record(RECORD, PLACEHOLDER).involvements[0], name) == PLACEHOLDER


@pytest.mark.parametrize("name", ["service", "practitioner", "role"])
def test_involvement_service_practitioner_role_stay_visible(name):
    assert getattr(mask_record(RECORD, PLACEHOLDER).involvements[0], name) == getattr(RECORD.involvements[0], name)


def test_empty_hidden_fields_are_masked_too():
    """'No school recorded' is itself information about a shielded child."""
    bare = ChildRecord(cp_id="CP0000000002", forenames="A", surname="B", date_of_birth=date(2015, 1, 1))
    masked = mask_record(bare, PLACEHOLDER)
    assert all(getattr(masked, name) == PLACEHOLDER for name in HIDDEN_CHILD_FIELDS)


def test_no_hidden_value_survives_masking_anywhere_in_the_record():
    masked_text = repr(mask_record(RECORD, PLACEHOLDER))
    for value in hidden_values(RECORD):
        assert value not in masked_text


def test_policy_classifies_every_field_of_every_record():
    child_fields = {f.name for f in fields(ChildRecord)} - {"carers", "involvements"}
    assert child_fields == VISIBLE_CHILD_FIELDS | HIDDEN_CHILD_FIELDS
    assert not VISIBLE_CHILD_FIELDS & HIDDEN_CHILD_FIELDS
    assert {f.name for f in fields(Carer)} == HIDDEN_CARER_FIELDS | {"relationship"}
    assert {f.name for f in fields(Involvement)} == HIDDEN_INVOLVEMENT_FIELDS | {
        "service",
        "practitioner",
        "role",
    }


def test_summary_row_hides_postcode_and_town():
    row = ChildSummary(
        1, "CP0000000001", "Okafor", "Amara", date(2016, 3, 14), "F", "DB9 9QQ", "Hiddenton", True, False
    )
    masked = mask_summary(row, PLACEHOLDER)
    assert (masked.postcode, masked.town, masked.masked) == (PLACEHOLDER, PLACEHOLDER, True)
    assert (masked.surname, masked.forenames, masked.cp_id) == ("Okafor", "Amara", "CP0000000001")
