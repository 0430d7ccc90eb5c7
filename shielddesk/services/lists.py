"""The gatekeeper's lists: preview and import (new or revised), single-entry add / edit / withdraw, reading."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from shielddesk.domain.errors import ImportRejected, InvalidInput, NotFound, RowProblem
from shielddesk.domain.lists import (
    ENTRY_FIELDS,
    EntryDetails,
    EntryStatus,
    EntryView,
    ListSummary,
    ReasonCategory,
    RequestingAgency,
)
from shielddesk.domain.requests import RequestStatus
from shielddesk.domain.roles import Permission, is_allowed
from shielddesk.imports.gatekeeper import LocatedEntry, read_list
from shielddesk.imports.limits import ImportLimits
from shielddesk.services.base import Acting, acting
from shielddesk.services.children import team_placeholder
from shielddesk.services.context import ServiceContext
from shielddesk.services.free_text import refuse_locations
from shielddesk.services.session import UserSession
from shielddesk.storage.models import Child, GatekeeperList, ListEntry, ShieldRequest

MAX_REFERENCE = 64


@dataclass(frozen=True)
class EntryChange:
    entry_ref: str
    fields: tuple[str, ...]
    status: EntryStatus


@dataclass(frozen=True)
class ListDiff:
    added: tuple[str, ...]
    changed: tuple[EntryChange, ...]
    withdrawn: tuple[str, ...]
    unchanged: int

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.changed or self.withdrawn)


@dataclass(frozen=True)
class ListPreview:
    reference: str
    file_name: str
    sha256: str
    entries: tuple[LocatedEntry, ...]
    problems: tuple[RowProblem, ...]
    warnings: tuple[str, ...]
    diff: ListDiff | None  # None: a new list

    @property
    def acceptable(self) -> bool:
        return not self.problems


def details_of(entry: ListEntry) -> EntryDetails:
    return EntryDetails(
        entry_ref=entry.entry_ref,
        forenames=entry.forenames,
        surname=entry.surname,
        cp_id=entry.cp_id,
        date_of_birth=entry.date_of_birth,
        gender=entry.gender,
        postcode=entry.postcode,
        address=entry.address,
        reason=ReasonCategory(entry.reason),
        requesting_agency=RequestingAgency(entry.requesting_agency),
        approved_by=entry.approved_by,
        approved_on=entry.approved_on,
        review_due=entry.review_due,
        shield_carers=entry.shield_carers,
        notes=entry.notes,
    )


def entry_view(entry: ListEntry, reference: str, child_cp_id: str = "") -> EntryView:
    return EntryView(
        entry_id=entry.id,
        list_ref=reference,
        details=details_of(entry),
        status=EntryStatus(entry.status),
        child_id=entry.child_id,
        child_cp_id=child_cp_id,
        version=entry.version,
        status_note=entry.status_note,
    )


def _store(entry: ListEntry, details: EntryDetails) -> None:
    for name in ENTRY_FIELDS:
        value = getattr(details, name)
        setattr(entry, name, value.value if isinstance(value, ReasonCategory | RequestingAgency) else value)


def _changed_fields(entry: ListEntry, details: EntryDetails) -> tuple[str, ...]:
    stored = details_of(entry)
    return tuple(name for name in ENTRY_FIELDS if getattr(stored, name) != getattr(details, name))


def _reference(text: str) -> str:
    reference = text.strip()
    if not reference or len(reference) > MAX_REFERENCE or "/" in reference:
        raise InvalidInput(f"A list reference is 1-{MAX_REFERENCE} characters and has no '/'.")
    return reference


class ListService:
    def __init__(self, ctx: ServiceContext, limits: ImportLimits | None = None) -> None:
        self._ctx = ctx
        self._limits = limits or ImportLimits()

    # ---- import -------------------------------------------------------------------------------------
    def preview(self, actor: UserSession, path: Path, reference: str) -> ListPreview:
        """Every row and every problem, and for a revised list the difference, before anything is written."""
        with acting(self._ctx, actor, Permission.MANAGE_LIST, "list.preview", object_type="list") as act:
            reference = _reference(reference)
            parsed = read_list(path, today=self._ctx.now().date(), limits=self._limits)
            existing = act.session.scalars(
                select(GatekeeperList).where(GatekeeperList.reference == reference)
            ).one_or_none()
            diff = self._diff(act.session, existing, parsed.entries) if existing and not parsed.problems else None
            act.object_id = reference
            act.details.update(file_sha256=parsed.sha256, rows=len(parsed.entries), problems=len(parsed.problems))
            return ListPreview(
                reference,
                parsed.file,
                parsed.sha256,
                tuple(parsed.entries),
                tuple(parsed.problems),
                tuple(parsed.warnings),
                diff,
            )

    def import_list(self, actor: UserSession, path: Path, reference: str, *, expected_sha256: str) -> ListDiff:
        """Apply a previewed file. Refused if the file changed since the preview, or has any problem. The role is
        checked before the file is read; a refusal is audited with the file's digest and its problem count."""
        with acting(self._ctx, actor, Permission.MANAGE_LIST, "list.import", object_type="list") as act:
            act.object_id = reference = _reference(reference)
            parsed = read_list(path, today=self._ctx.now().date(), limits=self._limits)
            if parsed.problems:
                rejected = ImportRejected(parsed.problems)
                rejected.audit_details = {
                    "list": reference,
                    "file_sha256": parsed.sha256,
                    "problems": len(parsed.problems),
                }
                raise rejected
            if parsed.sha256 != expected_sha256:
                raise InvalidInput("The file changed after it was previewed: preview it again before importing.")
            now = self._ctx.now()
            existing = act.session.scalars(
                select(GatekeeperList).where(GatekeeperList.reference == reference)
            ).one_or_none()
            if existing is None:
                existing = GatekeeperList(reference=reference, received_at=now, revision=1)
                act.session.add(existing)
                act.session.flush()
                diff = ListDiff(tuple(e.details.entry_ref for e in parsed.entries), (), (), 0)
            else:
                diff = self._diff(act.session, existing, parsed.entries)
                existing.revision += 1
                existing.revised_at = now
            existing.file_name, existing.source_sha256 = path.name, parsed.sha256
            self._apply(act, existing, parsed.entries, diff)
            act.details.update(
                file_sha256=parsed.sha256,
                revision=existing.revision,
                added=len(diff.added),
                changed=len(diff.changed),
                withdrawn=len(diff.withdrawn),
                unchanged=diff.unchanged,
            )
            return diff

    def _diff(
        self, session: Session, existing: GatekeeperList | None, located: tuple[LocatedEntry, ...] | list
    ) -> ListDiff:
        stored = {e.entry_ref.casefold(): e for e in self._entries(session, existing)} if existing else {}
        added, changed, unchanged = [], [], 0
        for item in located:
            entry = stored.pop(item.details.entry_ref.casefold(), None)
            if entry is None:
                added.append(item.details.entry_ref)
            elif (changed_fields := _changed_fields(entry, item.details)) or entry.status == EntryStatus.WITHDRAWN:
                # An entry the gatekeeper had withdrawn and now lists again is restored, even if unchanged.
                changed.append(EntryChange(entry.entry_ref, changed_fields or ("restored",), EntryStatus(entry.status)))
            else:
                unchanged += 1
        withdrawn = tuple(e.entry_ref for e in stored.values() if e.status != EntryStatus.WITHDRAWN)
        return ListDiff(tuple(added), tuple(changed), withdrawn, unchanged)

    @staticmethod
    def _entries(session: Session, gatekeeper_list: GatekeeperList) -> list[ListEntry]:
        return list(session.scalars(select(ListEntry).where(ListEntry.list_id == gatekeeper_list.id)))

    def _apply(
        self, act: Acting, gatekeeper_list: GatekeeperList, located: tuple[LocatedEntry, ...] | list, diff: ListDiff
    ) -> None:
        now = self._ctx.now()
        stored = {e.entry_ref.casefold(): e for e in self._entries(act.session, gatekeeper_list)}
        changed_refs = {c.entry_ref.casefold() for c in diff.changed}
        for item in located:
            key = item.details.entry_ref.casefold()
            entry = stored.get(key)
            if entry is None:
                entry = ListEntry(
                    list_id=gatekeeper_list.id, status=EntryStatus.UNMATCHED.value, version=1, updated_at=now
                )
                _store(entry, item.details)
                entry.entry_ref = item.details.entry_ref
                act.session.add(entry)
            elif key in changed_refs:
                _store(entry, item.details)
                entry.version += 1  # a pending proposal against the old details becomes stale
                entry.updated_at = now
                if entry.status == EntryStatus.WITHDRAWN:
                    entry.status, entry.status_note = EntryStatus.UNMATCHED.value, "restored by a revised list"
        for ref in diff.withdrawn:
            self._withdraw(act.session, stored[ref.casefold()], "withdrawn by a revised list")
        act.session.flush()

    def _withdraw(self, session: Session, entry: ListEntry, note: str) -> None:
        # A shielded child keeps its shield: removing one needs its own four-eyes removal request.
        if entry.status == EntryStatus.SHIELDED:
            note += "; the child stays shielded until a removal is confirmed"
        entry.status, entry.status_note = EntryStatus.WITHDRAWN.value, note
        entry.version += 1
        entry.updated_at = self._ctx.now()
        session.execute(
            update(ShieldRequest)
            .where(ShieldRequest.entry_id == entry.id, ShieldRequest.status == RequestStatus.PENDING.value)
            .values(
                status=RequestStatus.WITHDRAWN.value,
                checker_note="the gatekeeper withdrew the entry",
                checked_at=self._ctx.now(),
            )
        )

    # ---- single entries -----------------------------------------------------------------------------------
    def add_entry(self, actor: UserSession, reference: str, details: EntryDetails) -> EntryView:
        with acting(self._ctx, actor, Permission.MANAGE_LIST, "list.entry.add", object_type="list_entry") as act:
            reference = _reference(reference)
            self._validate(details)
            now = self._ctx.now()
            gatekeeper_list = act.session.scalars(
                select(GatekeeperList).where(GatekeeperList.reference == reference)
            ).one_or_none()
            if gatekeeper_list is None:
                gatekeeper_list = GatekeeperList(
                    reference=reference, received_at=now, revision=1, file_name="(entered by hand)"
                )
                act.session.add(gatekeeper_list)
                act.session.flush()
            taken = act.session.scalars(
                select(ListEntry.id).where(
                    ListEntry.list_id == gatekeeper_list.id,
                    func.lower(ListEntry.entry_ref) == details.entry_ref.casefold(),
                )
            ).first()
            if taken is not None:
                raise InvalidInput("That entry_ref is already on the list.")
            entry = ListEntry(list_id=gatekeeper_list.id, status=EntryStatus.UNMATCHED.value, version=1, updated_at=now)
            _store(entry, details)
            entry.entry_ref = details.entry_ref
            act.session.add(entry)
            act.session.flush()
            act.object_id = entry.id
            act.details["list"] = reference
            return entry_view(entry, reference)

    def edit_entry(
        self, actor: UserSession, entry_id: int, details: EntryDetails, *, expected_version: int
    ) -> EntryView:
        self._validate(details)
        with acting(
            self._ctx, actor, Permission.MANAGE_LIST, "list.entry.edit", object_type="list_entry", object_id=entry_id
        ) as act:
            entry, reference = self._load(act.session, entry_id)
            if entry.version != expected_version:
                raise InvalidInput("Someone changed this entry while you were editing it; open it again.")
            if details.entry_ref != entry.entry_ref:
                raise InvalidInput("An entry's reference cannot change; withdraw it and add a new one.")
            changed = _changed_fields(entry, details)
            if changed:
                _store(entry, details)
                entry.version += 1
                entry.updated_at = self._ctx.now()
            act.details["fields"] = list(changed)
            return entry_view(entry, reference)

    def withdraw_entry(self, actor: UserSession, entry_id: int, reason: str) -> EntryView:
        reason = " ".join(reason.split())
        with acting(
            self._ctx,
            actor,
            Permission.MANAGE_LIST,
            "list.entry.withdraw",
            object_type="list_entry",
            object_id=entry_id,
        ) as act:
            if len(reason) < 10:
                raise InvalidInput("Give a reason of at least 10 characters for withdrawing the entry.")
            entry, reference = self._load(act.session, entry_id)
            if entry.status == EntryStatus.WITHDRAWN:
                raise InvalidInput("The entry is already withdrawn.")
            child = act.session.get(Child, entry.child_id) if entry.child_id is not None else None
            refuse_locations(reason, "the reason", child=child, entry=entry)
            self._withdraw(act.session, entry, reason)
            act.reason = reason
            return entry_view(entry, reference)

    @staticmethod
    def _validate(details: EntryDetails) -> None:
        if not details.entry_ref.strip() or not details.forenames.strip() or not details.surname.strip():
            raise InvalidInput("An entry needs an entry_ref, forenames and a surname.")
        if details.date_of_birth is None and not details.cp_id:
            raise InvalidInput("An entry needs a date of birth or a cp_id.")
        if details.approved_on and details.review_due and details.review_due < details.approved_on:
            raise InvalidInput("The review date is before the approval date.")

    @staticmethod
    def _load(session: Session, entry_id: int) -> tuple[ListEntry, str]:
        row = session.execute(
            select(ListEntry, GatekeeperList.reference).join(GatekeeperList).where(ListEntry.id == entry_id)
        ).one_or_none()
        if row is None:
            raise NotFound("No such list entry.")
        return row[0], row[1]

    # ---- reading ----------------------------------------------------------------------------------------
    def lists(self, actor: UserSession) -> list[ListSummary]:
        with acting(self._ctx, actor, Permission.VIEW_LISTS, "list.index") as act:
            counts: dict[int, dict[str, int]] = {}
            for list_id, status, n in act.session.execute(
                select(ListEntry.list_id, ListEntry.status, func.count()).group_by(ListEntry.list_id, ListEntry.status)
            ):
                counts.setdefault(list_id, {})[status] = n
            return [
                ListSummary(
                    g.id,
                    g.reference,
                    g.file_name,
                    g.received_at.strftime("%d/%m/%Y"),
                    sum(counts.get(g.id, {}).values()),
                    counts.get(g.id, {}),
                )
                for g in act.session.scalars(select(GatekeeperList).order_by(GatekeeperList.received_at.desc()))
            ]

    def entries(self, actor: UserSession, reference: str, status: EntryStatus | None = None) -> list[EntryView]:
        with acting(
            self._ctx, actor, Permission.VIEW_LISTS, "list.view", object_type="list", object_id=reference
        ) as act:
            query = (
                select(ListEntry, Child.cp_id)
                .join(GatekeeperList)
                .outerjoin(Child, Child.id == ListEntry.child_id)
                .where(GatekeeperList.reference == reference)
                .order_by(ListEntry.id)
            )
            if status is not None:
                query = query.where(ListEntry.status == status.value)
            rows = act.session.execute(query).all()
            if (
                not rows
                and act.session.scalars(select(GatekeeperList.id).where(GatekeeperList.reference == reference)).first()
                is None
            ):
                raise NotFound(f"There is no list with the reference {reference!r}.")
            masker = location_masker(act)
            return [masker(entry_view(entry, reference, cp_id or "")) for entry, cp_id in rows]

    def entry(self, actor: UserSession, name: str) -> EntryView:
        """An entry by its name LIST_REF/ENTRY_REF."""
        reference, _, entry_ref = name.rpartition("/")
        if not reference or not entry_ref:
            raise InvalidInput("Name an entry as LIST_REF/ENTRY_REF.")
        with acting(self._ctx, actor, Permission.VIEW_LISTS, "list.entry.view", object_type="list_entry") as act:
            row = act.session.execute(
                select(ListEntry, Child.cp_id)
                .join(GatekeeperList)
                .outerjoin(Child, Child.id == ListEntry.child_id)
                .where(GatekeeperList.reference == reference, func.lower(ListEntry.entry_ref) == entry_ref.casefold())
            ).one_or_none()
            if row is None:
                raise NotFound(f"There is no entry {name!r}.")
            act.object_id = row[0].id
            return location_masker(act)(entry_view(row[0], reference, row[1] or ""))


def location_masker(act: Acting) -> Callable[[EntryView], EntryView]:
    """An entry's postcode, address and notes are the gatekeeper's words about where a child at risk is:
    only the gatekeeper and the operators see them; supervisors and sign-off owners see the placeholder."""
    if is_allowed(act.roles, Permission.VIEW_SHIELDED) or is_allowed(act.roles, Permission.MANAGE_LIST):
        return lambda view: view
    placeholder = team_placeholder(act.session)

    def mask(view: EntryView) -> EntryView:
        hidden = {name: placeholder for name in ("postcode", "address", "notes") if getattr(view.details, name)}
        return replace(view, details=replace(view.details, **hidden)) if hidden else view

    return mask
