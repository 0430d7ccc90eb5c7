"""Free text written about a child — a proposal's reason, a checker's note, why a record was revealed or an entry
withdrawn — is read by people who may not see where the child is (supervisors, the audit log's readers) and the
audit log keeps it for good. So it may not repeat any of the child's location-revealing details."""

from __future__ import annotations

from shielddesk.domain.errors import InvalidInput
from shielddesk.domain.masking import hidden_values, mentions_hidden_value
from shielddesk.services.records import record_of
from shielddesk.storage.models import Child, ListEntry

LOCATION_IN_TEXT = (
    "must not contain the child's address, postcode, school, GP, carers' or involvements' details: it is read by "
    "people who may not see them and the audit log keeps it for good. Say it without them."
)


def refuse_locations(text: str, what: str, *, child: Child | None = None, entry: ListEntry | None = None) -> None:
    """InvalidInput if `text` repeats a location-revealing value of `child` (shielded or about to be) or the
    address given on the gatekeeper's list `entry`. The message never quotes the value."""
    if not text.strip():
        return
    values = hidden_values(record_of(child)) if child is not None else []
    if entry is not None:
        values += [entry.postcode, entry.address]
    if mentions_hidden_value(text, values):
        raise InvalidInput(f"{what[:1].upper()}{what[1:]} {LOCATION_IN_TEXT}")
