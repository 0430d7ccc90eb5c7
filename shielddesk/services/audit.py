"""Appending to and verifying the HMAC-chained audit log."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from shielddesk.domain.audit_chain import GENESIS_HASH, ChainedEvent, ChainVerdict, event_hash, verify_chain
from shielddesk.services.context import ServiceContext
from shielddesk.storage.models import AuditEvent, AuditHead

OUTCOME_OK = "ok"
OUTCOME_FAILURE = "failure"
OUTCOME_DENIED = "denied"
OUTCOME_REFUSED = "refused"


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def append_event(
    ctx: ServiceContext,
    session: Session,
    *,
    username: str,
    action: str,
    outcome: str = OUTCOME_OK,
    object_type: str = "",
    object_id: str | int = "",
    reason: str = "",
    details: Mapping[str, object] | None = None,
) -> int:
    """Append one event in the caller's transaction; returns its sequence number."""
    key = ctx.audit_key(session)
    head_table, event_table = AuditHead.__table__, AuditEvent.__table__
    # The head row is the chain's lock: on PostgreSQL FOR UPDATE serialises concurrent appenders; on SQLite
    # every transaction already holds the write lock (BEGIN IMMEDIATE). Core statements, not the ORM: this
    # runs inside every service call, and the unit of work costs more than the three statements themselves.
    head = session.execute(
        select(head_table.c.seq, head_table.c.hash).where(head_table.c.id == 1).with_for_update()
    ).one_or_none()
    if head is None:
        session.execute(insert(head_table).values(id=1, seq=0, hash=GENESIS_HASH))
        previous_seq, previous_hash = 0, GENESIS_HASH
    else:
        previous_seq, previous_hash = head.seq, head.hash
    event = ChainedEvent(
        seq=previous_seq + 1,
        occurred_at=_timestamp(ctx.now()),
        username=username,
        workstation=ctx.workstation,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        outcome=outcome,
        reason=reason,
        details=json.dumps(dict(details or {}), sort_keys=True, separators=(",", ":"), default=str),
        prev_hash=previous_hash,
    )
    digest = event_hash(key, event)
    session.execute(insert(event_table).values(**(asdict(event) | {"hash": digest})))
    session.execute(update(head_table).where(head_table.c.id == 1).values(seq=event.seq, hash=digest))
    return event.seq


def _as_chained(row: AuditEvent) -> ChainedEvent:
    return ChainedEvent(
        seq=row.seq,
        occurred_at=row.occurred_at,
        username=row.username,
        workstation=row.workstation,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        outcome=row.outcome,
        reason=row.reason,
        details=row.details,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def _stream(session: Session, batch: int = 5000) -> Iterator[ChainedEvent]:
    """All events in sequence order, a batch at a time (keyset paging keeps memory flat)."""
    last_seq: int | None = None
    while True:
        query = select(AuditEvent).order_by(AuditEvent.seq).limit(batch)
        if last_seq is not None:
            query = query.where(AuditEvent.seq > last_seq)
        rows = session.scalars(query).all()
        if not rows:
            return
        for row in rows:
            yield _as_chained(row)
        last_seq = rows[-1].seq
        session.expunge_all()


def verify_chain_in(ctx: ServiceContext, session: Session) -> ChainVerdict:
    key = ctx.audit_key(session)
    head = session.get(AuditHead, 1)
    head_pair = (head.seq, head.hash) if head is not None else (0, GENESIS_HASH)
    return verify_chain(_stream(session), key, head_pair)
