"""Crash suite: a workstation process proposing, confirming, rejecting and importing is killed with SIGKILL at
random moments — 300 times on SQLite (WAL, synchronous=FULL), 100 times on PostgreSQL. After every kill the
database must be intact, every request wholly before or wholly after (request, shield, list entry and audit
event together), every import all or nothing, the audit chain whole, and every action the process reported as
done still there.

SHIELDDESK_CRASH_KILLS_SQLITE / SHIELDDESK_CRASH_KILLS_POSTGRESQL change the counts."""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import random
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from shielddesk.app import Services, build_services
from shielddesk.config import Config
from shielddesk.security.passwords import fast_hasher_for_tests
from shielddesk.storage.models import AuditEvent, Child, ListEntry, Shield, ShieldRequest
from tests.support.authority import make_authority
from tests.support.crash_worker import BASE_CHILDREN, IMPORT_SIZE, LISTED, CrashFiles, run_workstation
from tests.support.figures import report

KILLS = {
    "sqlite": int(os.environ.get("SHIELDDESK_CRASH_KILLS_SQLITE", "300")),
    "postgresql": int(os.environ.get("SHIELDDESK_CRASH_KILLS_POSTGRESQL", "100")),
}


def _schema_objects(services: Services) -> set[str]:
    """Every index and constraint name: a kill during a bulk load (indexes dropped and rebuilt in the
    transaction) must never leave one missing."""
    with services.engine.connect() as connection:
        if services.engine.dialect.name == "sqlite":
            rows = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'"))
        else:
            rows = connection.execute(
                text(
                    "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' "
                    "UNION ALL SELECT conname FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
                )
            )
        return {row[0] for row in rows}


def _check(services: Services, reported: list[tuple[str, object]], schema: set[str]) -> Counter:
    """Everything the suite promises, after one kill. Returns what the database holds."""
    engine = services.engine
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
    assert _schema_objects(services) == schema
    with services.ctx.transaction(read_only=True) as session:
        requests = session.execute(select(ShieldRequest.id, ShieldRequest.status, ShieldRequest.child_id)).all()
        status_of = {r.id: r.status for r in requests}
        events = Counter(
            (action, object_id)
            for action, object_id in session.execute(
                select(AuditEvent.action, AuditEvent.object_id).where(AuditEvent.outcome == "ok")
            )
        )
        by_action = Counter(action for action, _ in events.elements())
        active = Counter(session.scalars(select(Shield.child_id).where(Shield.active.is_(True))))
        entries = Counter(session.scalars(select(ListEntry.status)))
        imported = Counter(cp_id[:8] for cp_id in session.scalars(select(Child.cp_id).where(Child.cp_id.like("CP6%"))))
        base = session.scalar(select(func.count()).where(Child.cp_id.like("CP5%")))

    # Whole requests: each one proposed exactly once, decided at most once, and its effects with it.
    assert by_action["shield.propose"] == len(requests)
    for request in requests:
        confirmed = events[("shield.confirm", str(request.id))]
        rejected = events[("shield.reject", str(request.id))]
        assert (confirmed, rejected) == {"confirmed": (1, 0), "rejected": (0, 1), "pending": (0, 0)}[request.status]
        if request.status == "confirmed":
            assert active[request.child_id] == 1
    assert sum(active.values()) == sum(1 for r in requests if r.status == "confirmed") == entries["shielded"]
    assert entries["pending"] == sum(1 for r in requests if r.status == "pending")
    # Whole imports: the base population and every batch of new children all there or not at all, each with
    # its audit event.
    assert base in (0, BASE_CHILDREN)
    assert all(count == IMPORT_SIZE for count in imported.values())
    assert by_action["import.population"] == (1 if base else 0) + len(imported)
    assert sum(entries.values()) in (0, LISTED)
    # Nothing reported as done is missing.
    for kind, value in reported:
        if kind == "propose":
            assert value in status_of
        elif kind == "confirm":
            assert status_of[value] == "confirmed"
        elif kind == "reject":
            assert status_of[value] == "rejected"
        elif kind == "import":
            assert imported[value] == IMPORT_SIZE
        elif kind == "base":
            assert base == BASE_CHILDREN
        elif kind == "list":
            assert sum(entries.values()) == LISTED
    return Counter({status: sum(1 for r in requests if r.status == status) for status in status_of.values()})


def _drain(receive) -> list[tuple[str, object]]:
    messages = []
    while True:
        try:
            if not receive.poll():
                return messages
            messages.append(receive.recv())
        except (EOFError, OSError, pickle.UnpicklingError):
            return messages  # the last message may have been cut off by the kill: it was not reported


@pytest.mark.slow
def test_random_kills_lose_nothing_and_half_apply_nothing(database_url, tmp_path: Path, secrets, keyring_backend):
    kind = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    kills = KILLS[kind]
    config = Config.load(database_url=database_url, data_dir=tmp_path, environ={})
    services = build_services(config, secrets=secrets, hashing=fast_hasher_for_tests(), auto_upgrade=False)
    admin = make_authority(services, tmp_path, population=False).supervisor
    files = CrashFiles.write(tmp_path)
    schema = _schema_objects(services)
    workstation_dir = tmp_path / "workstation"
    workstation_dir.mkdir()
    context = mp.get_context("forkserver")
    context.set_forkserver_preload(["tests.support.crash_worker", "shielddesk.app", "shielddesk.services.population"])
    rng = random.Random(20261125)
    reported: list[tuple[str, object]] = []
    started = time.perf_counter()
    held: Counter = Counter()
    interrupted: Counter = Counter()
    for run in range(kills):
        receive, send = context.Pipe(duplex=False)
        worker = context.Process(
            target=run_workstation,
            args=(database_url, str(workstation_dir), dict(keyring_backend.entries), files, run, run, send),
            daemon=True,
        )
        worker.start()
        send.close()
        # Until the base population and the list are in, kills land across the whole (longer) load.
        loading = not {"base", "list"} <= {kind for kind, _ in reported}
        time.sleep(rng.uniform(0.05, 3.0 if loading else 0.6))
        worker.kill()
        worker.join()
        assert worker.exitcode == -9, f"the workstation stopped by itself (exit {worker.exitcode}) before the kill"
        messages = _drain(receive)
        receive.close()
        interrupted[messages[-1][1] if messages and messages[-1][0] == "start" else "between calls"] += 1
        reported += [message for message in messages if message[0] != "start"]
        held = _check(services, reported, schema)
    verdict = services.audit.verify(admin)
    assert verdict.ok, verdict.describe()
    elapsed = time.perf_counter() - started
    done = Counter(kind for kind, _ in reported)
    report(
        "crash",
        f"{kind}: {kills} kills in {elapsed:.0f} s, 0 lost, 0 half-applied ({done['propose']} proposals, "
        f"{done['confirm']} confirmations, {done['reject']} rejections, {done['import']} imports reported done; "
        f"{held['confirmed']} confirmed, {held['pending']} pending in the database; "
        f"{verdict.events_checked} audit events verified); kills inside a call: "
        + ", ".join(f"{what} {n}" for what, n in sorted(interrupted.items())),
    )
    assert done["confirm"] > kills // 2 and done["import"] > 0, "too few actions finished to prove anything"
    services.close()
