"""Importing the population extract: all-or-nothing, updates children by cp_id."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, selectinload

from shielddesk.domain.child import CHILD_FIELDS, ChildRecord
from shielddesk.domain.errors import Cancelled, ImportRejected, RowProblem
from shielddesk.domain.roles import Permission
from shielddesk.domain.text import name_key, phonetic_key, postcode_key, words_key
from shielddesk.imports.limits import ImportLimits
from shielddesk.imports.population import PopulationFile, read_population
from shielddesk.services.audit import OUTCOME_REFUSED
from shielddesk.services.base import acting
from shielddesk.services.context import ServiceContext
from shielddesk.services.reviews import guard_duplicates
from shielddesk.services.session import UserSession
from shielddesk.storage.models import Carer, Child, Involvement

Progress = Callable[[int, int, str], None]
CHUNK = 1000
T = TypeVar("T")

_COMPARED = tuple(name for name in CHILD_FIELDS if name != "cp_id")


@dataclass(frozen=True)
class ImportSummary:
    children_in_file: int
    created: int
    updated: int
    unchanged: int
    involvements: int
    warnings: tuple[str, ...] = field(default_factory=tuple)
    provisional_shields: int = 0


def _chunks(items: list[T], size: int = CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def child_values(record: ChildRecord, now: datetime) -> dict[str, object]:
    """The stored columns of a child, search keys included."""
    address = " ".join(p for p in (record.address_line1, record.address_line2, record.town) if p)
    return {
        "cp_id": record.cp_id,
        **{name: getattr(record, name) for name in _COMPARED},
        "surname_key": name_key(record.surname),
        "forenames_key": name_key(record.forenames),
        "surname_phonetic": phonetic_key(record.surname),
        "postcode_key": postcode_key(record.postcode),
        "address_key": words_key(address),
        "school_key": words_key(record.school_name),
        "gp_key": words_key(record.gp_practice_name),
        "updated_at": now,
    }


def _carer_rows(child_id: int, record: ChildRecord) -> Iterable[dict[str, object]]:
    for position, carer in enumerate(record.carers, start=1):
        yield {
            "child_id": child_id,
            "position": position,
            "name": carer.name,
            "relationship": carer.relationship,
            "address": carer.address,
            "phone": carer.phone,
            "name_key": name_key(carer.name),
        }


class PopulationService:
    def __init__(self, ctx: ServiceContext, limits: ImportLimits | None = None) -> None:
        self._ctx = ctx
        self._limits = limits or ImportLimits()

    def import_population(
        self,
        actor: UserSession,
        children_path: Path,
        involvements_path: Path | None = None,
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> ImportSummary:
        report = progress or (lambda _done, _total, _stage: None)
        cancel = cancel or threading.Event()
        # Check the role before reading a byte of the file.
        with acting(self._ctx, actor, Permission.IMPORT_POPULATION, "import.population.start") as act:
            act.details["file"] = children_path.name
        report(0, 0, "Reading and checking the files…")
        parsed = read_population(children_path, involvements_path, today=self._ctx.now().date(), limits=self._limits)
        if parsed.problems:
            self._record_rejection(actor, parsed)
            raise ImportRejected(parsed.problems)
        with acting(self._ctx, actor, Permission.IMPORT_POPULATION, "import.population", object_type="file") as act:
            summary = self._write(act.session, parsed, report, cancel, username=actor.username)
            act.object_id = parsed.sha256.get(children_path.name, "")[:16]
            act.details.update(
                files=parsed.sha256,
                created=summary.created,
                updated=summary.updated,
                unchanged=summary.unchanged,
                involvements=summary.involvements,
                provisional_shields=summary.provisional_shields,
            )
            if cancel.is_set():
                raise Cancelled()
            return summary

    def _record_rejection(self, actor: UserSession, parsed: PopulationFile) -> None:
        with acting(self._ctx, actor, Permission.IMPORT_POPULATION, "import.population") as act:
            act.outcome = OUTCOME_REFUSED
            act.details.update(files=parsed.sha256, problems=len(parsed.problems))

    def _write(
        self, session: Session, parsed: PopulationFile, report: Progress, cancel: threading.Event, *, username: str
    ) -> ImportSummary:
        now = self._ctx.now()
        records = parsed.children
        total = len(records)
        existing: dict[str, Child] = {}
        for chunk in _chunks([r.cp_id for r in records]):
            for child in session.scalars(
                select(Child).where(Child.cp_id.in_(chunk)).options(selectinload(Child.carers))
            ):
                existing[child.cp_id] = child
        missing_inv = self._unknown_involvement_ids(session, parsed, existing)
        if missing_inv:
            raise ImportRejected(missing_inv)

        new_records = [r for r in records if r.cp_id not in existing]
        changed: list[ChildRecord] = []
        unchanged = 0
        for record in records:
            child = existing.get(record.cp_id)
            if child is None:
                continue
            if self._differs(child, record):
                changed.append(record)
            else:
                unchanged += 1

        done = 0
        for chunk in _chunks(new_records):
            if cancel.is_set():
                raise Cancelled()
            session.execute(insert(Child.__table__), [child_values(r, now) | {"version": 1} for r in chunk])
            done += len(chunk)
            report(done, total, "Adding new children…")
        for chunk in _chunks(changed):
            if cancel.is_set():
                raise Cancelled()
            session.execute(
                update(Child),
                [
                    child_values(r, now) | {"id": existing[r.cp_id].id, "version": existing[r.cp_id].version + 1}
                    for r in chunk
                ],
            )
            done += len(chunk)
            report(done, total, "Updating changed children…")

        ids = self._ids(session, [r.cp_id for r in new_records + changed])
        touched = new_records + changed
        for chunk in _chunks(touched):
            if cancel.is_set():
                raise Cancelled()
            chunk_ids = [ids[r.cp_id] for r in chunk]
            session.execute(delete(Carer).where(Carer.child_id.in_(chunk_ids)))
            rows = [row for r in chunk for row in _carer_rows(ids[r.cp_id], r)]
            if rows:
                session.execute(insert(Carer.__table__), rows)

        involvement_count = 0
        if parsed.involvements_given:
            involvement_count = self._replace_involvements(session, parsed, existing, ids)
        report(total, total, "Checking for unshielded duplicates of shielded children…")
        guarded = guard_duplicates(self._ctx, session, ids.values(), username=username)
        report(total, total, "Saving…")
        return ImportSummary(
            children_in_file=total,
            created=len(new_records),
            updated=len(changed),
            unchanged=unchanged,
            involvements=involvement_count,
            warnings=tuple(parsed.warnings),
            provisional_shields=guarded,
        )

    @staticmethod
    def _differs(child: Child, record: ChildRecord) -> bool:
        if any(getattr(child, name) != getattr(record, name) for name in _COMPARED):
            return True
        stored = [(c.name, c.relationship, c.address, c.phone) for c in child.carers]
        wanted = [(c.name, c.relationship, c.address, c.phone) for c in record.carers]
        return stored != wanted

    @staticmethod
    def _ids(session: Session, cp_ids: list[str]) -> dict[str, int]:
        ids: dict[str, int] = {}
        for chunk in _chunks(cp_ids):
            ids.update(
                (cp, i) for cp, i in session.execute(select(Child.cp_id, Child.id).where(Child.cp_id.in_(chunk)))
            )
        return ids

    @staticmethod
    def _unknown_involvement_ids(
        session: Session, parsed: PopulationFile, existing: dict[str, Child]
    ) -> list[RowProblem]:
        in_file = {r.cp_id for r in parsed.children}
        wanted = sorted({i.cp_id for i in parsed.involvements} - in_file - set(existing))
        known: set[str] = set()
        for chunk in _chunks(wanted):
            known.update(session.scalars(select(Child.cp_id).where(Child.cp_id.in_(chunk))))
        problems = []
        for located in parsed.involvements:
            if located.cp_id in wanted and located.cp_id not in known:
                problems.append(
                    RowProblem(
                        parsed.involvements_file,
                        located.line,
                        "cp_id",
                        "no child with this cp_id is in the population",
                    )
                )
        return problems

    def _replace_involvements(
        self, session: Session, parsed: PopulationFile, existing: dict[str, Child], ids: dict[str, int]
    ) -> int:
        named = {r.cp_id for r in parsed.children} | {i.cp_id for i in parsed.involvements}
        all_ids = {**{cp: c.id for cp, c in existing.items()}, **ids}
        missing = [cp for cp in named if cp not in all_ids]
        all_ids.update(self._ids(session, missing))
        child_ids = [all_ids[cp] for cp in named]
        for chunk in _chunks(child_ids):
            session.execute(delete(Involvement).where(Involvement.child_id.in_(chunk)))
        positions: dict[int, int] = {}
        rows = []
        for located in parsed.involvements:
            child_id = all_ids[located.cp_id]
            positions[child_id] = positions.get(child_id, 0) + 1
            inv = located.involvement
            rows.append(
                {
                    "child_id": child_id,
                    "position": positions[child_id],
                    "service": inv.service,
                    "practitioner": inv.practitioner,
                    "role": inv.role,
                    "organisation": inv.organisation,
                    "phone": inv.phone,
                    "address": inv.address,
                    "postcode": inv.postcode,
                }
            )
        for chunk in _chunks(rows):
            session.execute(insert(Involvement.__table__), chunk)
        return len(rows)
