"""Importing the population extract: all-or-nothing, updates children by cp_id."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sqlalchemy.orm import Session

from shielddesk.domain.errors import Cancelled, ImportRejected, RowProblem
from shielddesk.domain.roles import Permission
from shielddesk.imports.limits import ImportLimits
from shielddesk.imports.population import CarerValues, ChildRows, ChildValues, InvolvementFile, read_involvements
from shielddesk.services.base import acting
from shielddesk.services.context import ServiceContext
from shielddesk.services.population_store import PopulationStore, Prepared
from shielddesk.services.reviews import guard_duplicates
from shielddesk.services.session import UserSession
from shielddesk.storage.models import Child, Involvement

Progress = Callable[[int, int, str], None]
CHUNK = 1000  # rows per batch: lookups of existing children use IN lists of this size
BULK_CHUNK = 10_000  # rows per batch into an empty table: fewer, longer COPY streams the server works on meanwhile
T = TypeVar("T")


@dataclass(frozen=True)
class ImportSummary:
    children_in_file: int
    created: int
    updated: int
    unchanged: int
    involvements: int
    warnings: tuple[str, ...] = field(default_factory=tuple)
    provisional_shields: int = 0


def _batches(items: Iterator[T], size: int = CHUNK) -> Iterator[list[T]]:
    while batch := list(itertools.islice(items, size)):
        yield batch


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
        report(0, 0, "Checking the files…")
        today = self._ctx.now().date()
        children = ChildRows(children_path, today=today, limits=self._limits)
        involvements = read_involvements(involvements_path, limits=self._limits) if involvements_path else None
        files = {children.file: children.table.sha256}
        if involvements is not None:
            files[involvements.file] = involvements.sha256
        with acting(self._ctx, actor, Permission.IMPORT_POPULATION, "import.population", object_type="file") as act:
            act.object_id = children.table.sha256[:16]
            try:
                summary = _Import(self._ctx, act.session, report, cancel).run(children, involvements, actor.username)
            except ImportRejected as rejected:
                # Everything written so far rolls back; the refusal's audit event says which files and how many
                # problems.
                rejected.audit_details = {"files": files, "problems": len(rejected.problems)}
                raise
            act.details.update(
                files=files,
                created=summary.created,
                updated=summary.updated,
                unchanged=summary.unchanged,
                involvements=summary.involvements,
                provisional_shields=summary.provisional_shields,
            )
            return summary


class _Import:
    """One population import's writing, chunk by chunk, inside the caller's transaction."""

    def __init__(self, ctx: ServiceContext, session: Session, report: Progress, cancel: threading.Event) -> None:
        self._ctx, self._session, self._report, self._cancel = ctx, session, report, cancel
        self._store = PopulationStore(session, ctx.now())
        self._touched: list[int] = []
        self._in_file: list[int] = []
        self.created = self.updated = self.unchanged = 0

    def run(self, children: ChildRows, involvements: InvolvementFile | None, username: str) -> ImportSummary:
        problems = children.problems
        file_problems = involvements.problems if involvements is not None else []
        store = self._store
        stored_before = store.count(Child.__table__)
        large_load = children.line_count > stored_before  # more rows in the file than in the table
        bulk = large_load and store.suspend_indexes(table_empty=stored_before == 0)
        total = max(children.line_count - 1, 1)
        try:
            for batch in _batches(iter(children), CHUNK if stored_before else BULK_CHUNK):
                self._check_cancel()
                if not problems and not file_problems:  # after a problem only check the rest: every problem is reported
                    self._write(batch, stored_before)
                self._report(min(batch[-1][0], total), total, "Checking and adding children…")
            if problems or file_problems:
                raise ImportRejected(problems + file_problems)
            if bulk:
                self._report(0, 1, "Rebuilding the search indexes…")
                store.restore_indexes(lambda done, of: self._report(done, of, "Rebuilding the search indexes…"))
            involvement_count = 0
            if involvements is not None:
                involvement_count = self._replace_involvements(involvements)
            if large_load:
                store.analyse()
        finally:
            store.reset_cache()
        self._report(total, total, "Checking for unshielded duplicates of shielded children…")
        guarded = guard_duplicates(self._ctx, self._session, self._touched, username=username)
        self._report(total, total, "Saving…")
        self._check_cancel()
        return ImportSummary(
            children_in_file=len(self._in_file),
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            involvements=involvement_count,
            warnings=tuple(children.table.warnings + (involvements.warnings if involvements else [])),
            provisional_shields=guarded,
        )

    def _check_cancel(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def _write(self, batch: list[tuple[int, ChildValues, CarerValues]], stored_before: int) -> None:
        store = self._store
        existing = store.existing([values[0] for _line, values, _carers in batch]) if stored_before else {}
        new: list[Prepared] = []
        changed: list[tuple[int, int, ChildValues, CarerValues]] = []
        for _line, values, carers in batch:
            stored = existing.get(values[0])
            if stored is None:
                new.append(store.prepare(values, carers))
                continue
            child_id, version, stored_values, stored_carers = stored
            self._in_file.append(child_id)
            if stored_values == values and stored_carers == carers:
                self.unchanged += 1
            else:
                changed.append((child_id, version, values, carers))
        if new:
            ids = store.add_children(new)
            self._in_file.extend(ids)
            self._touched.extend(ids)
            self.created += len(new)
        if changed:
            store.update_children(changed)
            self._touched.extend(c[0] for c in changed)
            self.updated += len(changed)

    def _replace_involvements(self, involvements: InvolvementFile) -> int:
        store = self._store
        wanted = sorted({located.cp_id for located in involvements.involvements})
        ids: dict[str, int] = {}
        for start in range(0, len(wanted), CHUNK):
            ids.update(store.ids_of(wanted[start : start + CHUNK]))
        unknown = [
            RowProblem(involvements.file, located.line, "cp_id", "no child with this cp_id is in the population")
            for located in involvements.involvements
            if located.cp_id not in ids
        ]
        if unknown:
            raise ImportRejected(unknown)
        positions: dict[int, int] = {}
        rows: list[tuple[object, ...]] = []
        for located in involvements.involvements:
            child_id = ids[located.cp_id]
            positions[child_id] = positions.get(child_id, 0) + 1
            inv = located.involvement
            rows.append(
                (
                    child_id,
                    positions[child_id],
                    inv.service,
                    inv.practitioner,
                    inv.role,
                    inv.organisation,
                    inv.phone,
                    inv.address,
                    inv.postcode,
                )
            )
        had_any = store.count(Involvement.__table__) > 0
        store.replace_involvements([*self._in_file, *ids.values()], rows, had_any=had_any)
        return len(rows)
