"""Tamper suite. On a 10,000-event audit chain written by the real audit writer: every one of 10,000 random
single-byte changes (any field, the stored bytes, invalid UTF-8 included) is detected at the changed event;
every single deletion, 1,000 insertions (forged and replayed), 1,000 swaps and every truncation of the newest
1 to 200 events are detected; untouched chains raise no alarm. Then the same in the real database behind
`shielddesk audit verify`: byte changes written into the stored rows, and a truncation that also rewrites the
head row, caught against this workstation's checkpoint and against the head recorded in a certificate.

SHIELDDESK_TAMPER_CHANGES changes the number of random byte changes (default 10,000)."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import random
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update

from shielddesk.domain.audit_chain import GENESIS_HASH, ChainedEvent, verify_chain
from shielddesk.services.audit import append_event
from shielddesk.storage.models import AuditEvent, AuditHead
from tests.support.authority import PASSWORD
from tests.support.figures import report

EVENTS = 10_000
CHANGES = int(os.environ.get("SHIELDDESK_TAMPER_CHANGES", "10000"))
FIELDS = [f.name for f in dataclasses.fields(ChainedEvent)]
ACTIONS = ["search", "record.view", "shield.propose", "shield.confirm", "list.import", "auth.login", "export.csv"]


def _write_chain(services, events: int, seed: int) -> None:
    """Events with varied content (accented names, JSON details, reasons) through the real writer."""
    rng = random.Random(seed)
    for start in range(0, events, 1000):
        with services.ctx.transaction() as session:
            for n in range(start, min(start + 1000, events)):
                append_event(
                    services.ctx,
                    session,
                    username=rng.choice(["operator1", "operator2", "supervisor", "zoë.ó'brien"]),
                    action=rng.choice(ACTIONS),
                    object_type=rng.choice(["", "child", "request", "list"]),
                    object_id=rng.randrange(100000) if rng.random() < 0.7 else "",
                    reason=rng.choice(["", "Wrong child: the birth date differs", "Säkerhet — checked"]),
                    details={"n": n, "query": rng.choice(["surname", "postcode", "dob"]), "hits": rng.randrange(50)},
                )


def _stored(services) -> list[ChainedEvent]:
    with services.ctx.transaction(read_only=True) as session:
        rows = session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
        return [ChainedEvent(**{name: getattr(row, name) for name in FIELDS}) for row in rows]


def _changed(rng: random.Random, event: ChainedEvent) -> tuple[ChainedEvent, str]:
    """One byte of one field's stored form changed to any other byte value."""
    while True:
        field = rng.choice(FIELDS)
        raw = str(getattr(event, field)).encode("utf-8")
        if raw:
            break
    position = rng.randrange(len(raw))
    byte = rng.choice([b for b in range(256) if b != raw[position]])
    value: object = (raw[:position] + bytes([byte]) + raw[position + 1 :]).decode("utf-8", "surrogateescape")
    if field == "seq":
        with contextlib.suppress(ValueError):  # else the row now holds text where a number was
            value = int(value)  # type: ignore[arg-type]
    return dataclasses.replace(event, **{field: value}), field


@pytest.fixture(scope="module")
def chain(tmp_path_factory) -> tuple[bytes, list[ChainedEvent]]:
    from shielddesk.app import build_services
    from shielddesk.config import Config
    from shielddesk.security.passwords import fast_hasher_for_tests
    from shielddesk.security.secrets import SecretStore
    from shielddesk.storage import migrate
    from shielddesk.storage.engine import make_engine
    from tests.support.memory_keyring import MemoryKeyring

    folder: Path = tmp_path_factory.mktemp("tamper")
    url = f"sqlite:///{folder / 'chain.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    services = build_services(
        Config.load(database_url=url, data_dir=folder, environ={}),
        secrets=SecretStore(MemoryKeyring()),
        hashing=fast_hasher_for_tests(),
        auto_upgrade=False,
    )
    services.setup.initialise(
        authority_name="Tamper Borough",
        team_phone="0113 496 0000",
        admin_username="admin",
        admin_display_name="Ada Admin",
        admin_password=PASSWORD,
        demo=True,
        second_factor=False,
    )
    with services.ctx.transaction() as session:
        existing = session.scalar(select(AuditHead.seq))
        key = services.ctx.audit_key(session)
    _write_chain(services, EVENTS - existing, seed=1)
    events = _stored(services)
    services.close()
    assert len(events) == EVENTS
    return key, events


def _after(events: list[ChainedEvent], index: int) -> tuple[int, str]:
    """The verified event before `index` (the walk starts there: the events before it are unchanged)."""
    return (0, GENESIS_HASH) if index == 0 else (events[index - 1].seq, events[index - 1].hash)


def test_untouched_chains_raise_no_alarm(chain):
    key, events = chain
    head = (EVENTS, events[-1].hash)
    assert verify_chain(events, key, head).ok
    alarms = 0
    for start in range(0, EVENTS, 500):  # and every checkpointed walk
        alarms += not verify_chain(events[start:], key, head, after=_after(events, start)).ok
    assert alarms == 0
    report("tamper", f"untouched 10,000-event chain verified whole and from 20 checkpoints: {alarms} false alarms")


def test_every_random_single_byte_change_is_detected_at_its_event(chain):
    key, events = chain
    head = (EVENTS, events[-1].hash)
    rng = random.Random(20261125)
    missed, misplaced, by_field = 0, 0, Counter()
    started = time.perf_counter()
    for _ in range(CHANGES):
        index = rng.randrange(EVENTS)
        bad, field = _changed(rng, events[index])
        by_field[field] += 1
        verdict = verify_chain([bad, *events[index + 1 :]], key, head, after=_after(events, index))
        missed += verdict.ok
        if not verdict.ok and field != "seq" and verdict.first_bad_seq != events[index].seq:
            misplaced += 1
    # The same from the start of the chain for a sample: the checkpointed walk proves nothing the whole walk
    # would not.
    for _ in range(50):
        index = rng.randrange(EVENTS)
        bad, _field = _changed(rng, events[index])
        missed += verify_chain([*events[:index], bad, *events[index + 1 :]], key, head).ok
    report(
        "tamper",
        f"{CHANGES:,} random single-byte changes (+50 walked from genesis) in {time.perf_counter() - started:.1f} s: "
        f"{missed} missed, {misplaced} reported at another event; fields changed: "
        + ", ".join(f"{name} {n}" for name, n in sorted(by_field.items())),
    )
    assert missed == 0 and misplaced == 0


def test_deletions_insertions_swaps_and_truncations_are_detected(chain):
    key, events = chain
    head = (EVENTS, events[-1].hash)
    rng = random.Random(7)
    missed = Counter()
    for index in range(EVENTS):  # every single deletion
        missed["deletion"] += verify_chain(events[index + 1 :], key, head, after=_after(events, index)).ok
    for _ in range(200):  # runs of deleted events
        index, length = rng.randrange(EVENTS - 50), rng.randrange(2, 50)
        missed["deleted run"] += verify_chain(events[index + length :], key, head, after=_after(events, index)).ok
    for _ in range(1000):  # a forged event (the forger has no key) or a replayed one, later events renumbered
        index = rng.randrange(EVENTS)
        previous = _after(events, index)
        if rng.random() < 0.5:
            intruder = dataclasses.replace(
                events[index], seq=previous[0] + 1, prev_hash=previous[1], details='{"forged":true}', hash="f" * 64
            )
        else:
            intruder = dataclasses.replace(events[rng.randrange(EVENTS)], seq=previous[0] + 1)
        renumbered = [dataclasses.replace(e, seq=e.seq + 1) for e in events[index : index + 3]]
        walk = [intruder, *renumbered, *events[index + 3 :]]
        missed["insertion"] += verify_chain(walk, key, (EVENTS + 1, events[-1].hash), after=previous).ok
    for _ in range(1000):  # two events swapped, in place or with their sequence numbers
        i, j = sorted(rng.sample(range(EVENTS), 2))
        swapped = events[i:]
        swapped[0], swapped[j - i] = swapped[j - i], swapped[0]
        if rng.random() < 0.5:
            swapped[0] = dataclasses.replace(swapped[0], seq=events[i].seq)
            swapped[j - i] = dataclasses.replace(swapped[j - i], seq=events[j].seq)
        missed["swap"] += verify_chain(swapped, key, head, after=_after(events, i)).ok
    for cut in range(1, 201):  # the newest events cut off, against the head recorded elsewhere
        missed["truncation"] += verify_chain(events[:-cut], key, head).ok
    report(
        "tamper",
        f"{EVENTS:,} single deletions, 200 deleted runs, 1,000 insertions, 1,000 swaps, 200 truncations: "
        f"{sum(missed.values())} missed",
    )
    assert sum(missed.values()) == 0, missed


def _flip_stored_byte(services, rng: random.Random, seq: int) -> str | None:
    """Change one byte of one text column of the stored event `seq`, as a person with the database file would.
    Returns the column, or None if the database refused the value (PostgreSQL refuses invalid UTF-8)."""
    column = rng.choice([name for name in FIELDS if name != "seq"])
    with services.ctx.transaction() as session:
        raw = session.execute(
            text(f"SELECT {column} FROM audit_event WHERE seq = :seq"),  # the column comes from a fixed list
            {"seq": seq},
        ).scalar_one()
        data = raw.encode("utf-8")
        if not data:
            return None
        position = rng.randrange(len(data))
        sqlite = services.engine.dialect.name == "sqlite"
        # SQLite stores any bytes; PostgreSQL refuses invalid UTF-8, so there the new byte is printable ASCII.
        choices = [b for b in (range(256) if sqlite else range(0x20, 0x7F)) if b != data[position]]
        changed = data[:position] + bytes([rng.choice(choices)]) + data[position + 1 :]
        try:
            value = changed if sqlite else changed.decode("utf-8")
        except UnicodeDecodeError:
            return None
        statement = f"UPDATE audit_event SET {column} = {'CAST(:v AS TEXT)' if sqlite else ':v'} WHERE seq = :seq"
        session.execute(text(statement), {"v": value, "seq": seq})
    return column


def test_changes_written_into_the_database_are_detected(authority):
    services = authority.services
    rng = random.Random(3)
    _write_chain(services, 300, seed=2)
    assert services.audit.verify(authority.supervisor).ok
    with services.ctx.transaction(read_only=True) as session:
        newest = session.scalar(select(AuditHead.seq))
    detected = tried = 0
    for _ in range(60):
        seq = rng.randrange(1, newest)
        with services.ctx.transaction(read_only=True) as session:
            original = session.execute(select(AuditEvent).where(AuditEvent.seq == seq)).scalar_one()
            saved = {name: getattr(original, name) for name in FIELDS}
        if _flip_stored_byte(services, rng, seq) is None:
            continue
        tried += 1
        verdict = services.audit.verify(authority.supervisor)
        detected += not verdict.ok and verdict.first_bad_seq == seq
        with services.ctx.transaction() as session:
            session.execute(update(AuditEvent).where(AuditEvent.seq == seq).values(**saved))
    assert services.audit.verify(authority.supervisor).ok
    kind = services.engine.dialect.name
    report("tamper", f"{kind}: {tried} byte changes written into stored events: {detected} detected at the event")
    assert tried >= 30 and detected == tried


def test_truncation_that_rewrites_the_head_row_is_caught_by_the_checkpoint_and_the_certificate(authority):
    services = authority.services
    services.certificates.create_key(authority.signoff)
    issued = services.certificates.issue(authority.signoff, ["TEST-LIST"])
    _write_chain(services, 50, seed=4)
    assert services.audit.verify(authority.supervisor).ok  # this workstation's checkpoint: the newest head

    def cut_newest(count: int) -> None:
        with services.ctx.transaction() as session:
            newest = session.scalar(select(AuditHead.seq))
            keep = newest - count
            kept_hash = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == keep))
            session.execute(delete(AuditEvent).where(AuditEvent.seq > keep))
            session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=keep, hash=kept_hash))

    cut_newest(10)
    verdict = services.audit.verify(authority.supervisor)
    assert not verdict.ok and "this workstation's last verification" in verdict.problem
    # A workstation without that checkpoint still has the certificate's recorded head, once the cut reaches it.
    with services.ctx.transaction() as session:
        services.ctx.forget_audit_checkpoint(session)
        certificate_head = session.execute(text("SELECT audit_head_seq FROM certificate")).scalar_one()
        newest = session.scalar(select(AuditHead.seq))
    cut_newest(newest - certificate_head + 1)
    verdict = services.audit.verify(authority.supervisor)
    assert not verdict.ok and f"certificate {issued.number}" in verdict.problem
    report("tamper", f"{services.engine.dialect.name}: truncation with the head row rewritten: caught twice")
