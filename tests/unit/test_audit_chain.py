"""The keyed audit chain detects an edited, deleted, inserted or reordered event — in pure form and in the
real database behind `shielddesk audit verify`."""

import dataclasses

import pytest
from sqlalchemy import text

from shielddesk.domain.audit_chain import GENESIS_HASH, ChainedEvent, event_hash, verify_chain

KEY = b"k" * 32


def _chain(n=6):
    events, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        event = ChainedEvent(
            seq, f"2026-11-25T09:00:0{seq}.000000Z", "op", "ws", "search", "", "", "ok", "", "{}", prev
        )
        event = dataclasses.replace(event, hash=event_hash(KEY, event))
        events.append(event)
        prev = event.hash
    return events


def test_untouched_chain_verifies():
    events = _chain()
    verdict = verify_chain(events, KEY, (6, events[-1].hash))
    assert verdict.ok and verdict.events_checked == 6


def test_edited_event_is_found_at_its_sequence():
    events = _chain()
    events[2] = dataclasses.replace(events[2], username="someone-else")
    verdict = verify_chain(events, KEY)
    assert not verdict.ok and verdict.first_bad_seq == 3


def test_deleted_event_is_found():
    events = _chain()
    del events[3]
    verdict = verify_chain(events, KEY)
    assert not verdict.ok and verdict.first_bad_seq == 4


def test_inserted_event_is_found():
    events = _chain()
    forged = dataclasses.replace(events[2], seq=4, action="forged")
    verdict = verify_chain([*events[:3], forged, *events[3:]], KEY)
    assert not verdict.ok and verdict.first_bad_seq == 4


def test_reordered_events_are_found():
    events = _chain()
    events[1], events[2] = events[2], events[1]
    verdict = verify_chain(events, KEY)
    assert not verdict.ok and verdict.first_bad_seq == 2


def test_truncated_newest_events_are_found_against_the_head():
    events = _chain()
    verdict = verify_chain(events[:4], KEY, (6, events[-1].hash))
    assert not verdict.ok and verdict.first_bad_seq == 5


def test_wrong_key_fails():
    assert not verify_chain(_chain(), b"x" * 32).ok


# ---- against the real database (SQLite and PostgreSQL) ---------------------------------------------


def _verify(authority):
    return authority.services.audit.verify(authority.supervisor)


def test_database_chain_verifies_after_real_work(authority):
    verdict = _verify(authority)
    assert verdict.ok and verdict.events_checked > 10


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE audit_event SET username = 'mallory' WHERE seq = 5",
        "UPDATE audit_event SET details = '{\"forged\": 1}' WHERE seq = 7",
        "DELETE FROM audit_event WHERE seq = 6",
        "UPDATE audit_event SET seq = CASE WHEN seq = 4 THEN 1004 WHEN seq = 8 THEN 4 END WHERE seq IN (4, 8);"
        "UPDATE audit_event SET seq = 8 WHERE seq = 1004",
        "INSERT INTO audit_event (seq, occurred_at, username, workstation, action, object_type, object_id, outcome,"
        " reason, details, prev_hash, hash) SELECT 100000, occurred_at, username, workstation, action, object_type,"
        " object_id, outcome, reason, details, prev_hash, hash FROM audit_event WHERE seq = 3",
    ],
    ids=["edit-user", "edit-details", "delete", "reorder", "insert"],
)
def test_tampering_in_the_database_is_detected(authority, tamper):
    with authority.services.engine.begin() as connection:
        for statement in tamper.split(";"):
            connection.execute(text(statement))
    verdict = _verify(authority)
    assert not verdict.ok
    assert verdict.first_bad_seq is not None


def test_cli_reports_the_first_broken_sequence(authority, run_cli):
    with authority.services.engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET outcome = 'forged' WHERE seq = 9"))
    result = run_cli(authority, "audit", "verify", user="supervisor")
    assert result.code == 1
    assert "BROKEN at sequence" in result.err
