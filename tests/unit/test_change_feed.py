"""The change-feed poll that every open window runs must never wait for another workstation's long write
(a population import holds the write lock for its whole transaction)."""

import threading
import time

from sqlalchemy import text


def test_the_poll_answers_while_another_workstation_holds_a_long_write(authority):
    services = authority.services
    seen = services.changes.head()
    with services.engine.connect() as writer:
        writer.begin()  # BEGIN IMMEDIATE on SQLite: the write lock, held as an import would hold it
        writer.execute(text("UPDATE setting SET value = value WHERE key = 'authority_name'"))
        answer: list[tuple[bool, int]] = []
        poll = threading.Thread(target=lambda: answer.append(services.changes.changed_since(seen)))
        started = time.perf_counter()
        poll.start()
        poll.join(timeout=5)
        waited = time.perf_counter() - started
        writer.rollback()
    assert answer == [(False, seen)]
    assert waited < 2, f"the poll waited {waited:.1f} s for the writer"


def test_a_change_made_elsewhere_is_seen_by_the_poll(authority):
    services = authority.services
    seen = services.changes.head()
    authority.entry_for("CP9000000005", list_ref="GK-FEED")
    changed, now = services.changes.changed_since(seen)
    assert changed and now > seen
    assert services.changes.changed_since(now) == (False, now)  # and only once


def test_the_log_filter_refresh_after_a_change_does_not_wait_for_a_long_write(authority):
    """Every window refreshes the log filter when the poll sees a change, on the GUI thread: during another
    workstation's population import that call froze the window until the import committed."""
    services = authority.services
    with services.engine.connect() as writer:
        writer.begin()
        writer.execute(text("UPDATE setting SET value = value WHERE key = 'authority_name'"))
        refreshed = threading.Thread(target=services.refresh_log_filter)
        started = time.perf_counter()
        refreshed.start()
        refreshed.join(timeout=5)
        waited = time.perf_counter() - started
        writer.rollback()
    assert waited < 2, f"the refresh waited {waited:.1f} s for the writer"
