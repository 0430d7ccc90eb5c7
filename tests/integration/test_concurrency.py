"""Concurrency suite on PostgreSQL, sixteen processes as sixteen workstations:

* 1,000 rounds in which 2-16 of them confirm or reject the same request at the same moment: exactly one
  decision each round, recorded once, the others told it was already decided;
* rounds in which several propose the same child at once (from different list entries): one pending request;
* rounds in which an administrator's import edits a child while an operator confirms its request: either the
  confirmation comes first or it is refused as stale, never a confirmation of a record that changed under it;
* a deadlock or serialization failure is retried a bounded number of times or reported as such — never
  shown as anything else, never half-applied.

SHIELDDESK_CONCURRENCY_DECISION_ROUNDS changes the 1,000."""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from shielddesk.domain.roles import Role
from shielddesk.storage.models import AuditEvent, ShieldRequest
from tests.support.authority import PASSWORD, child_row, list_row, make_authority, write_children, write_list_rows
from tests.support.figures import report

WORKERS = 16
DECISION_ROUNDS = int(os.environ.get("SHIELDDESK_CONCURRENCY_DECISION_ROUNDS", "1000"))
PROPOSAL_ROUNDS = 100
EDIT_ROUNDS = 100


def _workstation(db_url: str, data_dir: str, keyring_entries: dict, username: str, jobs: Any, results: Any) -> None:
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
    results.put(("ready", username, ""))
    while (job := jobs.get()) is not None:
        kind, argument, start_at = job
        time.sleep(max(0.0, start_at - time.time()))
        try:
            if kind == "confirm":
                services.shielding.confirm(me, argument, PASSWORD)
            elif kind == "reject":
                services.shielding.reject(me, argument, "Rejected in a race test", PASSWORD)
            elif kind == "propose":
                entry_id, child_id = argument
                services.shielding.propose_shield(me, entry_id, child_id, PASSWORD)
            elif kind == "import":
                services.population.import_population(me, Path(argument))
            results.put((kind, username, "ok"))
        except ShieldDeskError as exc:
            results.put((kind, username, f"{type(exc).__name__}: {exc}"))
    services.close()


class Workstations:
    def __init__(self, database_url: str, folder: Path, keyring_entries: dict, usernames: list[str]) -> None:
        context = mp.get_context("spawn")
        self.results = context.Queue()
        self.queues = {name: context.Queue() for name in usernames}
        self.processes = [
            context.Process(
                target=_workstation,
                args=(database_url, str(folder), keyring_entries, name, queue, self.results),
                daemon=True,
            )
            for name, queue in self.queues.items()
        ]
        for process in self.processes:
            process.start()
        for _ in self.processes:
            assert self.results.get(timeout=120)[0] == "ready"

    def race(self, jobs: dict[str, tuple[str, object]]) -> list[tuple[str, str, str]]:
        """Send each named workstation its job, all to start at the same moment; wait for every outcome."""
        start_at = time.time() + 0.03
        for name, (kind, argument) in jobs.items():
            self.queues[name].put((kind, argument, start_at))
        return [self.results.get(timeout=120) for _ in jobs]

    def stop(self) -> None:
        for queue in self.queues.values():
            queue.put(None)
        for process in self.processes:
            process.join(timeout=60)


def _verdict(outcome: str) -> str:
    return "ok" if outcome == "ok" else outcome.split(":", 1)[0]


def test_sixteen_workstations_race_on_postgresql(pg_database_url, tmp_path, secrets, keyring_backend):
    from shielddesk.app import build_services
    from shielddesk.config import Config
    from shielddesk.security.passwords import fast_hasher_for_tests

    config = Config.load(database_url=pg_database_url, data_dir=tmp_path, environ={})
    services = build_services(config, secrets=secrets, hashing=fast_hasher_for_tests(), auto_upgrade=False)
    authority = make_authority(services, tmp_path, population=False)
    children = DECISION_ROUNDS + PROPOSAL_ROUNDS + EDIT_ROUNDS
    rows = [child_row(f"CP87{n:08d}", "Race", f"Child{n:05d}", "2015-05-05") for n in range(children)]
    services.population.import_population(authority.admin, write_children(tmp_path / "race.csv", rows))
    entries = [list_row(f"R{n}", "Race", f"Child{n:05d}", "2015-05-05", cp_id=f"CP87{n:08d}") for n in range(children)]
    entries += [  # more entries for the children of the proposal rounds: several entries, one child
        list_row(f"P{n}-{k}", "Race", f"Child{n:05d}", "2015-05-05", cp_id=f"CP87{n:08d}")
        for n in range(DECISION_ROUNDS, DECISION_ROUNDS + PROPOSAL_ROUNDS)
        for k in range(4)
    ]
    path = write_list_rows(tmp_path / "race_list.csv", entries)
    preview = services.lists.preview(authority.gatekeeper, path, "RACE")
    services.lists.import_list(authority.gatekeeper, path, "RACE", expected_sha256=preview.sha256)
    checkers = [f"checker{n:02d}" for n in range(WORKERS)]
    for name in checkers:
        services.users.add_user(authority.admin, name, name, [Role.OPERATOR], PASSWORD)
    services.users.add_user(authority.admin, "importer", "Importer", [Role.ADMIN], PASSWORD)
    entry_ids = {e.details.entry_ref: e.entry_id for e in services.lists.entries(authority.operator1, "RACE")}
    with services.ctx.transaction(read_only=True) as session:
        from shielddesk.storage.models import Child

        child_ids = dict(session.execute(select(Child.cp_id, Child.id)).all())

    def propose(n: int) -> int:
        request = services.shielding.propose_shield(
            authority.operator1, entry_ids[f"R{n}"], child_ids[f"CP87{n:08d}"], PASSWORD
        )
        return request.request_id

    rng = random.Random(1125)
    stations = Workstations(pg_database_url, tmp_path, dict(keyring_backend.entries), [*checkers, "importer"])
    started = time.perf_counter()
    seen: Counter = Counter()
    try:
        # ---- 1. the same request decided by 2-16 workstations at once
        decided: dict[int, str] = {}
        for n in range(DECISION_ROUNDS):
            request_id = propose(n)
            racers = rng.sample(checkers, rng.randint(2, WORKERS))
            outcomes = stations.race({name: (rng.choice(["confirm", "reject"]), request_id) for name in racers})
            verdicts = Counter(_verdict(o) for _k, _n, o in outcomes)
            seen.update(verdicts)
            winners = [kind for kind, _name, o in outcomes if o == "ok"]
            assert len(winners) == 1, outcomes
            assert set(verdicts) <= {"ok", "AlreadyDecided"}, outcomes
            decided[request_id] = {"confirm": "confirmed", "reject": "rejected"}[winners[0]]
        with services.ctx.transaction(read_only=True) as session:
            statuses = dict(session.execute(select(ShieldRequest.id, ShieldRequest.status)).all())
            decisions = Counter(
                session.scalars(
                    select(AuditEvent.object_id).where(
                        AuditEvent.action.in_(["shield.confirm", "shield.reject"]), AuditEvent.outcome == "ok"
                    )
                )
            )
        assert all(statuses[r] == s for r, s in decided.items())
        assert all(decisions[str(r)] == 1 for r in decided)
        decision_seconds = time.perf_counter() - started

        # ---- 2. the same child proposed from several entries at once
        pending_after: list[int] = []
        for n in range(DECISION_ROUNDS, DECISION_ROUNDS + PROPOSAL_ROUNDS):
            racers = rng.sample(checkers, 4)
            jobs = {
                name: ("propose", (entry_ids[f"P{n}-{k}"], child_ids[f"CP87{n:08d}"])) for k, name in enumerate(racers)
            }
            outcomes = stations.race(jobs)
            assert sum(o == "ok" for _k, _n, o in outcomes) == 1, outcomes
            assert {_verdict(o) for _k, _n, o in outcomes} <= {"ok", "InvalidInput"}, outcomes
            with services.ctx.transaction(read_only=True) as session:
                pending_after.append(
                    session.scalar(
                        select(func.count()).where(
                            ShieldRequest.child_id == child_ids[f"CP87{n:08d}"], ShieldRequest.status == "pending"
                        )
                    )
                )
        assert pending_after == [1] * PROPOSAL_ROUNDS

        # ---- 3. a child edited by an import while its request is being confirmed
        edit_outcomes: Counter = Counter()
        for n in range(DECISION_ROUNDS + PROPOSAL_ROUNDS, children):
            request_id = propose(n)
            edited = child_row(f"CP87{n:08d}", "Race", f"Child{n:05d}", "2015-05-05", address_line1=f"{n} New Road")
            file = write_children(tmp_path / f"edit_{n}.csv", [edited])
            outcomes = dict(
                (kind, o)
                for kind, _name, o in stations.race(
                    {"importer": ("import", str(file)), checkers[0]: ("confirm", request_id)}
                )
            )
            assert outcomes["import"] == "ok", outcomes
            confirm = _verdict(outcomes["confirm"])
            edit_outcomes[confirm] += 1
            assert confirm in {"ok", "StaleRequest"}, outcomes
            if confirm == "ok":  # then the confirmation committed before the edit
                with services.ctx.transaction(read_only=True) as session:
                    confirmed_at = session.scalar(
                        select(AuditEvent.seq).where(
                            AuditEvent.action == "shield.confirm", AuditEvent.object_id == str(request_id)
                        )
                    )
                    imported_at = session.scalar(
                        select(func.max(AuditEvent.seq)).where(
                            AuditEvent.action == "import.population", AuditEvent.username == "importer"
                        )
                    )
                assert confirmed_at < imported_at
    finally:
        stations.stop()
    assert services.audit.verify(authority.supervisor).ok
    report(
        "concurrency",
        f"postgresql, {WORKERS} workstations: {DECISION_ROUNDS} rounds of 2-{WORKERS} simultaneous decisions in "
        f"{decision_seconds:.0f} s: exactly one decision every round ({seen['ok']} decided, "
        f"{seen['AlreadyDecided']} told already decided); {PROPOSAL_ROUNDS} rounds of 4 proposals for one child: "
        f"one pending request each; {EDIT_ROUNDS} edits racing a confirmation: "
        f"{edit_outcomes['ok']} confirmed first, {edit_outcomes['StaleRequest']} refused as stale, 0 confirmed stale",
    )
    services.close()
