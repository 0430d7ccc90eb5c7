"""The keyed audit chain: each event's HMAC-SHA-256 covers its content and the previous event's hash.

Editing an event breaks its own HMAC; deleting, inserting or reordering breaks the sequence or the
link to the previous hash; cutting off the newest events is caught against the recorded head.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class ChainedEvent:
    seq: int
    occurred_at: str
    username: str
    workstation: str
    action: str
    object_type: str
    object_id: str
    outcome: str
    reason: str
    details: str
    prev_hash: str
    hash: str = ""

    def canonical(self) -> bytes:
        fields = [
            self.seq,
            self.occurred_at,
            self.username,
            self.workstation,
            self.action,
            self.object_type,
            self.object_id,
            self.outcome,
            self.reason,
            self.details,
            self.prev_hash,
        ]
        # surrogateescape: a stored value whose bytes were altered into invalid UTF-8 still hashes (to a value
        # that cannot match) instead of stopping the verification.
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogateescape")


def event_hash(key: bytes, event: ChainedEvent) -> str:
    return hmac.new(key, event.canonical(), hashlib.sha256).hexdigest()


def key_fingerprint(key: bytes) -> str:
    """Identifies a key without revealing it: lets a workstation tell a wrong key from a tampered chain."""
    return hmac.new(key, b"shielddesk-audit-key-fingerprint", hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class ChainVerdict:
    ok: bool
    events_checked: int
    first_bad_seq: int | None = None
    problem: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"OK: {self.events_checked} audit events verified"
        return f"BROKEN at sequence {self.first_bad_seq}: {self.problem}"


def verify_chain(
    events: Iterable[ChainedEvent],
    key: bytes,
    head: tuple[int, str] | None = None,
    *,
    after: tuple[int, str] | None = None,
) -> ChainVerdict:
    """Walk the events in stored order. `head` is (seq, hash) of the newest event as recorded elsewhere.
    `after` is (seq, hash) of an event already verified: the walk then starts with the event after it."""
    start_seq, prev = after if after is not None else (0, GENESIS_HASH)
    expected_seq = start_seq + 1
    checked = start_seq
    for event in events:
        if not isinstance(event.seq, int) or isinstance(event.seq, bool):
            return ChainVerdict(False, checked, expected_seq, "unreadable sequence number (edited)")
        if event.seq != expected_seq:
            bad = min(event.seq, expected_seq)
            what = "missing event(s)" if event.seq > expected_seq else "event out of order or inserted"
            return ChainVerdict(False, checked, bad, what)
        if event.prev_hash != prev:
            return ChainVerdict(False, checked, event.seq, "does not link to the previous event")
        stored = event.hash.encode("utf-8", "surrogateescape") if isinstance(event.hash, str) else b""
        if not hmac.compare_digest(event_hash(key, event).encode("ascii"), stored):
            return ChainVerdict(False, checked, event.seq, "content does not match its HMAC (edited)")
        prev = event.hash
        expected_seq += 1
        checked += 1
    if head is not None:
        head_seq, head_hash = head
        if head_seq != checked or (checked and head_hash != prev):
            bad = min(head_seq, checked) + 1 if head_seq != checked else checked
            return ChainVerdict(False, checked, bad, "the newest events do not match the recorded head (truncated?)")
    return ChainVerdict(True, checked)
