"""A workstation that is killed mid-work: it proposes, confirms and rejects shields and imports children
through the real services, and reports each action on a pipe only after the service call has returned. The
crash suite kills it with SIGKILL at random moments and then checks the database against what it reported.

The first workstation also loads the base population (a bulk load into an empty table: indexes dropped and
rebuilt in the transaction) and the gatekeeper list, so kills land in those too until they succeed."""

from __future__ import annotations

import csv
import hashlib
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.authority import PASSWORD, child_row, list_row

BASE_CHILDREN = 6000
LISTED = 4000
LIST_REF = "CRASH-LIST"
IMPORT_SIZE = 20


def base_cp_id(n: int) -> str:
    return f"CP5{n:09d}"


def import_cp_id(run: int, batch: int, n: int) -> str:
    return f"CP6{run:04d}{batch:01d}{n:04d}"


def import_prefix(run: int, batch: int) -> str:
    return f"CP6{run:04d}{batch:01d}"


@dataclass(frozen=True)
class CrashFiles:
    children: Path
    entries: Path

    @classmethod
    def write(cls, folder: Path) -> CrashFiles:
        children = folder / "base_children.csv"
        rows = [
            child_row(
                base_cp_id(n), f"Forename{n % 97}", f"Surname{n:05d}", f"20{10 + n % 8:02d}-0{1 + n % 9}-1{n % 9}"
            )
            for n in range(BASE_CHILDREN)
        ]
        _write_csv(children, rows)
        entries = folder / "crash_list.csv"
        listed = [
            list_row(f"E{n}", r["forenames"], r["surname"], r["date_of_birth"], cp_id=r["cp_id"])
            for n, r in enumerate(rows[:LISTED])
        ]
        _write_csv(entries, listed)
        return cls(children, entries)


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def run_workstation(
    db_url: str, data_dir: str, keyring_entries: dict, files: CrashFiles, run: int, seed: int, report: Any
) -> None:
    """Work until killed. `report` is the write end of a multiprocessing pipe: ("start", what) before each
    service call, then (what, id) once it has returned."""
    from sqlalchemy import select

    from shielddesk.app import build_services
    from shielddesk.config import Config
    from shielddesk.domain.errors import ShieldDeskError
    from shielddesk.security.passwords import fast_hasher_for_tests
    from shielddesk.security.secrets import SecretStore
    from shielddesk.storage.models import Child, GatekeeperList, ListEntry, ShieldRequest
    from tests.support.memory_keyring import MemoryKeyring

    keyring = MemoryKeyring()
    keyring.entries.update(keyring_entries)
    config = Config.load(database_url=db_url, data_dir=data_dir, environ={"SHIELDDESK_WORKSTATION": f"crash{run}"})
    services = build_services(config, secrets=SecretStore(keyring), hashing=fast_hasher_for_tests(), auto_upgrade=False)
    rng = random.Random(seed)
    admin = services.auth.login("admin", PASSWORD)
    with services.ctx.transaction(read_only=True) as session:
        loaded = session.scalar(select(Child.id).where(Child.cp_id == base_cp_id(0))) is not None
        listed = session.scalar(select(GatekeeperList.id).where(GatekeeperList.reference == LIST_REF)) is not None
    if not loaded:
        report.send(("start", "base"))
        services.population.import_population(admin, files.children)
        report.send(("base", 0))
    if not listed:
        gatekeeper = services.auth.login("gatekeeper", PASSWORD)
        digest = hashlib.sha256(files.entries.read_bytes()).hexdigest()
        report.send(("start", "list"))
        services.lists.import_list(gatekeeper, files.entries, LIST_REF, expected_sha256=digest)
        report.send(("list", 0))
    maker = services.auth.login("operator1", PASSWORD)
    checker = services.auth.login("operator2", PASSWORD)
    batch = 0
    while True:
        choice = rng.random()
        try:
            if choice < 0.45:
                with services.ctx.transaction(read_only=True) as session:
                    open_entries = session.execute(
                        select(ListEntry.id, ListEntry.cp_id).where(ListEntry.status.in_(["unmatched", "matched"]))
                    ).all()
                    if not open_entries:
                        continue
                    entry_id, cp_id = rng.choice(open_entries)
                    child_id = session.scalar(select(Child.id).where(Child.cp_id == cp_id))
                report.send(("start", "propose"))
                request = services.shielding.propose_shield(maker, entry_id, child_id, PASSWORD)
                report.send(("propose", request.request_id))
            elif choice < 0.9:
                with services.ctx.transaction(read_only=True) as session:
                    pending = session.scalars(select(ShieldRequest.id).where(ShieldRequest.status == "pending")).all()
                if not pending:
                    continue
                request_id = rng.choice(pending)
                report.send(("start", "decide"))
                if choice < 0.8:
                    services.shielding.confirm(checker, request_id, PASSWORD)
                    report.send(("confirm", request_id))
                else:
                    services.shielding.reject(checker, request_id, "Not this child: details differ", PASSWORD)
                    report.send(("reject", request_id))
            elif batch < 10:
                path = Path(data_dir) / f"import_{run}_{batch}.csv"
                rows = [
                    child_row(import_cp_id(run, batch, n), "Newly", f"Added{n:04d}", "2019-04-0" + str(1 + n % 9))
                    for n in range(IMPORT_SIZE)
                ]
                _write_csv(path, rows)
                report.send(("start", "import"))
                services.population.import_population(admin, path)
                report.send(("import", import_prefix(run, batch)))
                batch += 1
        except ShieldDeskError:
            continue  # e.g. the request was decided meanwhile; the suite checks the database, not this
