"""Appending to and verifying the HMAC-chained audit log."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from shielddesk.domain.audit_chain import GENESIS_HASH, ChainedEvent, ChainVerdict, event_hash, verify_chain
from shielddesk.services.context import ServiceContext
from shielddesk.storage.models import AuditEvent, AuditHead, Certificate

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


def _stream(session: Session, *, after: int, upto: int, batch: int = 5000) -> Iterator[ChainedEvent]:
    """The events after seq `after` up to seq `upto`, in order, a batch at a time (keyset paging keeps memory
    flat)."""
    last_seq = after
    while True:
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.seq > last_seq, AuditEvent.seq <= upto)
            .order_by(AuditEvent.seq)
            .limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield _as_chained(row)
        last_seq = rows[-1].seq
        session.expunge_all()


def _head(session: Session) -> tuple[int, str]:
    head = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one_or_none()
    return (head.seq, head.hash) if head is not None else (0, GENESIS_HASH)


def _tolerant_decode(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


@contextmanager
def _tolerant_text(session: Session) -> Iterator[None]:
    """SQLite stores whatever bytes it is given: an event altered into invalid UTF-8 must be reported as edited,
    not stop the verification with a decoding error."""
    raw = session.connection().connection.driver_connection
    if not isinstance(raw, sqlite3.Connection):
        yield
        return
    previous, raw.text_factory = raw.text_factory, _tolerant_decode
    try:
        yield
    finally:
        raw.text_factory = previous


def _verify_to_head(session: Session, key: bytes) -> tuple[ChainVerdict, tuple[int, str]]:
    """Verify up to the head row, then past it while other workstations keep appending (on PostgreSQL each
    statement sees what has committed by then: events and head move together, so events beyond the newest
    head row were not appended by ShieldDesk)."""
    head = _head(session)
    verdict = verify_chain(_stream(session, after=0, upto=head[0]), key, head)
    while verdict.ok:
        beyond = session.scalar(select(func.min(AuditEvent.seq)).where(AuditEvent.seq > head[0]))
        if beyond is None:
            break
        newer = _head(session)
        if newer[0] <= head[0]:
            return ChainVerdict(False, verdict.events_checked, beyond, "event(s) beyond the recorded head"), head
        verdict = verify_chain(_stream(session, after=head[0], upto=newer[0]), key, newer, after=head)
        head = newer
    return verdict, head


def _recorded_heads(session: Session, checkpoint: tuple[int, str] | None) -> list[tuple[int, str, str]]:
    """Heads of the chain recorded where editing the event table does not reach them: in every certificate
    issued (and printed) and in this workstation's checkpoint. Each must still be in the chain."""
    heads = [
        (seq, digest, f"certificate {number}")
        for number, seq, digest in session.execute(
            select(Certificate.number, Certificate.audit_head_seq, Certificate.audit_head_hash)
        )
        if seq
    ]
    if checkpoint is not None and checkpoint[0]:
        heads.append((checkpoint[0], checkpoint[1], "this workstation's last verification"))
    return heads


def verify_chain_in(ctx: ServiceContext, session: Session, *, use_checkpoint: bool = True) -> ChainVerdict:
    """Verify the whole chain against its head row, every recorded head, and this workstation's checkpoint;
    a chain that verifies becomes the new checkpoint. `use_checkpoint=False` for a copy (a backup), which may
    be older than what this workstation has already seen."""
    key = ctx.audit_key(session)
    with _tolerant_text(session):
        verdict, head_pair = _verify_to_head(session, key)
    if not verdict.ok:
        return verdict
    checkpoint = ctx.audit_checkpoint(session) if use_checkpoint else None
    recorded = _recorded_heads(session, checkpoint)
    stored = dict(
        session.execute(
            select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.seq.in_({seq for seq, _d, _s in recorded}))
        ).all()
    )
    for seq, digest, source in sorted(recorded):
        if stored.get(seq) != digest:
            return ChainVerdict(
                False,
                verdict.events_checked,
                min(seq, verdict.events_checked + 1),
                f"the chain no longer holds the head recorded in {source} (events cut off or rewritten)",
            )
    # The checkpoint only moves forward: an older head (a slower workstation's view) does not replace it.
    if use_checkpoint and head_pair[0] > (checkpoint[0] if checkpoint else 0):
        ctx.save_audit_checkpoint(session, head_pair)
    return verdict
