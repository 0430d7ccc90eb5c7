"""Telling the other workstations that something changed: on PostgreSQL a NOTIFY on one channel, sent in the
changing transaction (so it is delivered only if that commits); the windows LISTEN and refresh at once. Where
there is no NOTIFY (SQLite), or a listener lost its connection, the windows' periodic poll still finds the
change."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

CHANNEL = "shielddesk_changes"

# Audit actions that only read: a change feed ignores them, or every refresh would trigger the next.
READ_ONLY_ACTIONS = (
    "search",
    "search.page",
    "child.view",
    "list.index",
    "list.view",
    "list.entry.view",
    "list.preview",
    "request.list",
    "request.view",
    "shield.list",
    "review.list",
    "queues.view",
    "match.view",
    "audit.verify",
    "audit.view",
    "login",
    "logout",
    "lock",
    "unlock",
    "step_up",
    "certificate.readiness",
    "certificate.verify",
    "user.list",
    "report.progress",
)


def signal_change(session: Session, action: str, seq: int) -> None:
    """Within the transaction that changed something; the payload is the audit sequence, nothing about a child."""
    if action in READ_ONLY_ACTIONS or session.get_bind().dialect.name != "postgresql":
        return
    session.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": str(seq)})
