"""Eight processes — eight workstations — confirm the same pending request at the same moment, 200 rounds,
on SQLite and on PostgreSQL: exactly one succeeds each round, one shield, one confirmation audit event."""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from shielddesk.domain.roles import Role
from shielddesk.storage.models import AuditEvent, Shield
from tests.support.authority import PASSWORD, child_row, make_authority, write_children

WORKERS = 8
ROUNDS = int(os.environ.get("SHIELDDESK_CONCURRENCY_ROUNDS", "200"))


def _worker(
    db_url: str, data_dir: str, keyring_entries: dict, username: str, barrier: Any, jobs: Any, results: Any
) -> None:
    from shielddesk.app import build_services
    from shielddesk.config import Config
    from shielddesk.domain.errors import ShieldDeskError
    from shielddesk.security.passwords import fast_hasher_for_tests
    from shielddesk.security.secrets import SecretStore
    from tests.support.memory_keyring import MemoryKeyring

    keyring = MemoryKeyring()
    keyring.entries.update(keyring_entries)
    config = Config.load(database_url=db_url, data_dir=data_dir, environ={"SHIELDDESK_WORKSTATION": username})
    services = build_services(config, secrets=SecretStore(keyring), hashing=fast_hasher_for_tests(), auto_upgrade=False)
    me = services.auth.login(username, PASSWORD)
    while (request_id := jobs.get()) is not None:
        barrier.wait()
        try:
            services.shielding.confirm(me, request_id, PASSWORD)
            results.put((request_id, username, "confirmed"))
        except ShieldDeskError as exc:
            results.put((request_id, username, type(exc).__name__))
    services.close()


@pytest.mark.slow
def test_exactly_one_confirmation_wins_every_round(database_url, tmp_path, secrets, keyring_backend, clock):
    from shielddesk.app import build_services
    from shielddesk.config import Config
    from shielddesk.security.passwords import fast_hasher_for_tests

    config = Config.load(database_url=database_url, data_dir=tmp_path, environ={})
    services = build_services(config, secrets=secrets, hashing=fast_hasher_for_tests(), auto_upgrade=False)
    authority = make_authority(services, tmp_path, population=False)
    rows = [child_row(f"CP77{n:08d}", "Round", f"Child{n:03d}", "2015-05-05") for n in range(ROUNDS)]
    services.population.import_population(authority.admin, write_children(tmp_path / "race.csv", rows))
    checkers = [f"checker{n}" for n in range(WORKERS)]
    for name in checkers:
        services.users.add_user(authority.admin, name, name, [Role.OPERATOR], PASSWORD)

    context = mp.get_context("spawn")
    barrier, results = context.Barrier(WORKERS), context.Queue()
    queues = [context.Queue() for _ in checkers]
    processes = [
        context.Process(
            target=_worker,
            args=(database_url, str(tmp_path), dict(keyring_backend.entries), name, barrier, queue, results),
        )
        for name, queue in zip(checkers, queues, strict=True)
    ]
    for process in processes:
        process.start()
    started = time.perf_counter()
    outcomes: dict[int, list[str]] = {}
    try:
        for n in range(ROUNDS):
            cp_id = f"CP77{n:08d}"
            entry = authority.entry_for(cp_id)
            request = services.shielding.propose_shield(
                authority.operator1, entry.entry_id, authority.child_id(cp_id), PASSWORD
            )
            for queue in queues:
                queue.put(request.request_id)
            outcomes[request.request_id] = [results.get(timeout=60)[2] for _ in checkers]
    finally:
        for queue in queues:
            queue.put(None)
        for process in processes:
            process.join(timeout=60)
    elapsed = time.perf_counter() - started

    winners = [sum(o == "confirmed" for o in outcome) for outcome in outcomes.values()]
    losers = {o for outcome in outcomes.values() for o in outcome if o != "confirmed"}
    print(
        f"\n[concurrency] {make_url_kind(database_url)}: {ROUNDS} rounds x {WORKERS} processes in {elapsed:.1f} s; "
        f"winners per round {set(winners)}; losers saw {sorted(losers)}"
    )
    assert winners == [1] * ROUNDS
    assert losers <= {"AlreadyDecided"}
    with services.ctx.transaction() as session:
        for request_id in outcomes:
            confirmations = session.scalar(
                select(func.count(AuditEvent.seq)).where(
                    AuditEvent.action == "shield.confirm",
                    AuditEvent.outcome == "ok",
                    AuditEvent.object_id == str(request_id),
                )
            )
            assert confirmations == 1
        shields = session.execute(
            select(Shield.child_id, func.count()).where(Shield.active.is_(True)).group_by(Shield.child_id)
        ).all()
        assert len(shields) == ROUNDS and all(n == 1 for _c, n in shields)
    assert services.audit.verify(authority.supervisor).ok
    services.close()
    assert all(p.exitcode == 0 for p in processes)


def make_url_kind(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"
