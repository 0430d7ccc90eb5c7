"""The mask policy: which fields could reveal where a child is, and how they are hidden.

A shielded child keeps name, gender, date of birth and identifier visible (so it can still be found by
name); everything that could lead someone to the child is replaced by the placeholder. The policy is
deliberately stricter than the bare list in DESIGN §1 in two places: the town (part of the address) and
an involvement's organisation name (a refuge's or a school's name locates a child as surely as its
address).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import fields, replace

from shielddesk.domain.child import Carer, ChildRecord, ChildSummary, Involvement

VISIBLE_CHILD_FIELDS = frozenset({"cp_id", "forenames", "surname", "former_surnames", "date_of_birth", "gender"})

HIDDEN_CHILD_FIELDS = frozenset(
    {
        "address_line1",
        "address_line2",
        "town",
        "postcode",
        "school_name",
        "school_urn",
        "school_postcode",
        "gp_practice_name",
        "gp_practice_code",
        "gp_postcode",
    }
)
HIDDEN_CARER_FIELDS = frozenset({"name", "address", "phone"})
HIDDEN_INVOLVEMENT_FIELDS = frozenset({"organisation", "phone", "address", "postcode"})

# Search criteria that look a child up by a location-revealing value. A viewer who may not see shielded
# details never finds a shielded child through them, and cannot tell that from "no match".
HIDDEN_SEARCH_CRITERIA = frozenset({"postcode", "address", "school", "gp_practice", "carer_name"})


def placeholder_text(team_phone: str) -> str:
    phone = team_phone.strip() or "the number on your authority's intranet"
    return f"Shielded — contact the local authority shielding team on {phone}"


def mask_record(record: ChildRecord, placeholder: str) -> ChildRecord:
    """Return the record with every location-revealing field replaced by the placeholder."""
    # Empty fields are masked too: "no school recorded" is information about a shielded child.
    hidden = dict.fromkeys(HIDDEN_CHILD_FIELDS, placeholder)
    carers = tuple(replace(carer, **dict.fromkeys(HIDDEN_CARER_FIELDS, placeholder)) for carer in record.carers)
    involvements = tuple(
        replace(inv, **dict.fromkeys(HIDDEN_INVOLVEMENT_FIELDS, placeholder)) for inv in record.involvements
    )
    return replace(record, **hidden, carers=carers, involvements=involvements)


def mask_summary(summary: ChildSummary, placeholder: str) -> ChildSummary:
    return replace(summary, postcode=placeholder, town=placeholder, masked=True)


def hidden_values(record: ChildRecord) -> list[str]:
    """Every non-empty location-revealing value of a record (for leak checks and the log filter)."""
    values = [getattr(record, name) for name in sorted(HIDDEN_CHILD_FIELDS)]
    for carer in record.carers:
        values.extend(getattr(carer, name) for name in sorted(HIDDEN_CARER_FIELDS))
    for inv in record.involvements:
        values.extend(getattr(inv, name) for name in sorted(HIDDEN_INVOLVEMENT_FIELDS))
    return [v for v in values if v and v.strip()]


# Shorter values ("12", "A1") are too common in ordinary words and numbers to mean anything.
MIN_MENTIONED_LENGTH = 4
_WORD = re.compile(r"[^\W_]+")


def mentions_hidden_value(text: str, values: Iterable[str]) -> bool:
    """Whether free text repeats any of `values` as whole words, however they are spaced, punctuated or cased: a
    postcode typed as 'db999qz' or 'DB99-9QZ' is the postcode; 'Bath' is not in 'bathroom'."""
    words = _WORD.findall(text.casefold())
    for value in values:
        wanted = "".join(_WORD.findall(value.casefold()))
        if len(wanted) >= MIN_MENTIONED_LENGTH and _joined_words_equal(words, wanted):
            return True
    return False


def _joined_words_equal(words: list[str], wanted: str) -> bool:
    """Whether some run of consecutive words, joined, is exactly `wanted`."""
    for start in range(len(words)):
        joined = ""
        for word in words[start:]:
            joined += word
            if len(joined) >= len(wanted):
                break
        if joined == wanted:
            return True
    return False


def _check_policy_covers_every_field() -> None:
    # A field added to a record must be classified here, or the import of this module fails.
    child_fields = {f.name for f in fields(ChildRecord)} - {"carers", "involvements"}
    unclassified = child_fields - VISIBLE_CHILD_FIELDS - HIDDEN_CHILD_FIELDS
    carer_unclassified = {f.name for f in fields(Carer)} - HIDDEN_CARER_FIELDS - {"relationship"}
    inv_unclassified = (
        {f.name for f in fields(Involvement)}
        - HIDDEN_INVOLVEMENT_FIELDS
        - {
            "service",
            "practitioner",
            "role",
        }
    )
    if unclassified or carer_unclassified or inv_unclassified:
        raise RuntimeError("mask policy does not classify every field")


_check_policy_covers_every_field()
