"""Finding the children a list entry may describe: blocking queries on the indexed search keys, then the
explainable scoring of domain.matching. Candidates are shown to operators; nothing is linked here."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Date, and_, any_, bindparam, case, func, literal_column, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from shielddesk.domain.errors import Cancelled, InvalidInput, NotFound
from shielddesk.domain.lists import EntryDetails, EntryStatus
from shielddesk.domain.masking import placeholder_text
from shielddesk.domain.matching import (
    Agreement,
    CandidateFacts,
    FieldComparison,
    MatchOutcome,
    MatchSubject,
    ScoredCandidate,
    birth_date_variants,
    rank,
)
from shielddesk.domain.roles import Permission
from shielddesk.domain.text import name_key, phonetic_key
from shielddesk.services.base import acting
from shielddesk.services.children import shielded_flag
from shielddesk.services.context import SETTING_TEAM_PHONE, ServiceContext
from shielddesk.services.lists import details_of
from shielddesk.services.session import UserSession
from shielddesk.storage.models import Child, FormerSurname, GatekeeperList, ListEntry, Setting

BLOCK_LIMIT = 400  # candidates scored per entry, the likeliest first


@dataclass(frozen=True)
class CandidateView:
    """One candidate as an operator sees it in the Match dialog. A candidate who is already shielded shows
    the placeholder in place of its location values; the agreement verdicts are shown either way."""

    child_id: int
    cp_id: str
    forenames: str
    surname: str
    former_surnames: str
    date_of_birth: date
    gender: str
    postcode: str
    address: str
    shielded: bool
    score: int
    certain: bool
    comparisons: tuple[FieldComparison, ...]

    def agreement(self, field: str) -> Agreement:
        return next(c.agreement for c in self.comparisons if c.field == field)


@dataclass(frozen=True)
class MatchReport:
    entry_id: int
    entry_name: str
    entry: EntryDetails
    status: EntryStatus
    candidates: tuple[CandidateView, ...]
    ambiguous: bool
    weak: bool
    warnings: tuple[str, ...]


def subject_of(details: EntryDetails) -> MatchSubject:
    return MatchSubject(
        forenames=details.forenames,
        surname=details.surname,
        date_of_birth=details.date_of_birth,
        cp_id=details.cp_id,
        gender=details.gender,
        postcode=details.postcode,
        address=details.address,
    )


def _upper(prefix: str) -> str:
    """The smallest string above every string that starts with `prefix` (for an indexed range scan)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _starts(column: Any, name: str) -> Any:
    return and_(column >= bindparam(f"{name}_lo"), column < bindparam(f"{name}_hi"))


def _range(params: dict[str, Any], name: str, prefix: str) -> None:
    params[f"{name}_lo"], params[f"{name}_hi"] = prefix, _upper(prefix)


def _block_plan(subject: MatchSubject) -> tuple[tuple[str, ...], dict[str, Any]]:
    """Cheap, indexed ways a candidate may share something with the entry: the names of the blocks that apply
    (the statement's shape) and the values they look for."""
    shape: list[str] = []
    params: dict[str, Any] = {}
    if subject.cp_id:
        shape.append("cp_id")
        params["cp_id"] = subject.cp_id
    surname, phonetic = name_key(subject.surname), phonetic_key(subject.surname)
    first_forename = (subject.forenames.split() or [""])[0]
    fore = name_key(first_forename)
    if subject.date_of_birth is not None:
        params["born"] = subject.date_of_birth
        params["variants"] = sorted(birth_date_variants(subject.date_of_birth))
        # Everyone born that day whose forename or surname starts the same way: catches surname typos that
        # defeat the phonetic key, without scoring the whole day's births (about 150 a day per million);
        # and the same with forename and surname swapped on the form.
        for name, prefix in (("fore2", fore[:2]), ("sur1", surname[:1]), ("sur2", surname[:2]), ("fore1", fore[:1])):
            if len(prefix) == (2 if name.endswith("2") else 1):
                shape.append(name)
                _range(params, name, prefix)
        if surname:
            shape.append("surname_dates")
            params["surname"] = surname
        if phonetic:
            shape.append("phonetic_dates")
            params["phonetic"] = phonetic
        if fore:
            shape.append("swapped_dates")
            params["swapped"], params["swapped_phonetic"] = fore, phonetic_key(first_forename)
    elif surname:
        shape.append("surname")
        params["surname"] = surname
        if phonetic:
            shape.append("phonetic")
            params["phonetic"] = phonetic
    return tuple(shape), params


_CANDIDATE_COLUMNS = (
    Child.id,
    Child.cp_id,
    Child.forenames,
    Child.surname,
    Child.former_surnames,
    Child.date_of_birth,
    Child.gender,
    Child.postcode,
    Child.address_line1,
    Child.address_line2,
    Child.town,
)


def _one_of_the_dates(column: Any, dialect: str) -> Any:
    """`column` is one of the candidate birth dates, sent as one parameter (a JSON list on SQLite, an array on
    PostgreSQL): as an expanding IN, SQLAlchemy processed each of the ~60 dates again for every block that used
    them, a sixth of the matching time."""
    if dialect == "postgresql":
        return column == any_(bindparam("variants", type_=ARRAY(Date)))
    return column.in_(select(literal_column("value")).select_from(func.json_each(bindparam("variants"))))


def _dialect_params(params: dict[str, Any], dialect: str) -> dict[str, Any]:
    if "variants" not in params or dialect == "postgresql":
        return params
    return {**params, "variants": json.dumps([day.isoformat() for day in params["variants"]])}


@lru_cache(maxsize=64)
def _candidate_query(shape: tuple[str, ...], dialect: str) -> Any:
    """One statement per shape and database, built once: SQLAlchemy then reuses its compiled form (building the
    expression for every entry cost more than running it)."""

    def dated(column: Any) -> Any:
        return _one_of_the_dates(column, dialect)

    born_that_day = [_starts(_PREFIX_COLUMNS[name], name) for name in shape if name in _PREFIX_COLUMNS]
    blocks = {
        "cp_id": lambda: Child.cp_id == bindparam("cp_id"),
        "surname_dates": lambda: and_(Child.surname_key == bindparam("surname"), dated(Child.date_of_birth)),
        "phonetic_dates": lambda: and_(Child.surname_phonetic == bindparam("phonetic"), dated(Child.date_of_birth)),
        "swapped_dates": lambda: or_(
            and_(Child.surname_key == bindparam("swapped"), dated(Child.date_of_birth)),
            and_(Child.surname_phonetic == bindparam("swapped_phonetic"), dated(Child.date_of_birth)),
        ),
        "surname": lambda: Child.surname_key == bindparam("surname"),
        "phonetic": lambda: Child.surname_phonetic == bindparam("phonetic"),
    }
    conditions = [blocks[name]() for name in shape if name in blocks]
    if born_that_day:
        conditions.insert(
            1 if "cp_id" in shape else 0, and_(Child.date_of_birth == bindparam("born"), or_(*born_that_day))
        )
    return (
        select(*_CANDIDATE_COLUMNS, shielded_flag().label("shielded"))
        .where(or_(*conditions))
        .order_by(_relevance(shape), Child.id)
        .limit(BLOCK_LIMIT)
    )


def _relevance(shape: tuple[str, ...]) -> Any:
    """When a block holds more children than are scored (common surnames at national scale), keep the likeliest:
    the same cp_id; the same (or same-sounding) surname and birth date; the same (or same-sounding) surname and
    forename with a mistyped birth date; anyone born that day; the same surname. Without this order the limit
    cut an arbitrary part of the block, and with it the right child (top-1 fell to 71 % at 11 million
    children)."""
    born = Child.date_of_birth == bindparam("born")
    forename = _starts(Child.forenames_key, "fore2")
    surname = Child.surname_key == bindparam("surname")
    phonetic = Child.surname_phonetic == bindparam("phonetic")
    has = set(shape)
    dated = any(name.endswith("_dates") or name in _PREFIX_COLUMNS for name in shape)
    has_surname = bool(has & {"surname", "surname_dates"})
    has_phonetic = bool(has & {"phonetic", "phonetic_dates"})
    ranks = [
        ("cp_id" in has, lambda: Child.cp_id == bindparam("cp_id")),
        (has_surname and dated, lambda: and_(surname, born)),
        (has_phonetic and dated, lambda: and_(phonetic, born)),
        (has_surname and "fore2" in has, lambda: and_(surname, forename)),
        (has_phonetic and "fore2" in has, lambda: and_(phonetic, forename)),
        (dated, lambda: born),
        (has_surname, lambda: surname),
    ]
    whens = [(condition(), rank) for rank, (present, condition) in enumerate(ranks) if present]
    return case(*whens, else_=len(ranks)) if whens else Child.id


_PREFIX_COLUMNS = {
    "fore2": Child.forenames_key,
    "sur1": Child.surname_key,
    "sur2": Child.forenames_key,
    "fore1": Child.surname_key,
}


@lru_cache(maxsize=4)
def _former_surname_ids(dated: bool, dialect: str) -> Any:
    """Children once called the entry's surname (an adoption, a change of name), born on the entry's date or a
    likely mistyping of it when it has one: answered by the former-surname index alone."""
    conditions = [FormerSurname.name_key == bindparam("surname")]
    if dated:
        conditions.append(_one_of_the_dates(FormerSurname.date_of_birth, dialect))
    return select(FormerSurname.child_id).where(*conditions).limit(BLOCK_LIMIT)


_FORMER_SURNAME_ROWS = (
    select(*_CANDIDATE_COLUMNS, shielded_flag().label("shielded"))
    .where(Child.id.in_(bindparam("former_ids", expanding=True)))
    .order_by(Child.id)
)


def _former_surname_rows(connection: Connection, params: dict[str, Any]) -> list[Any]:
    """Its own two small statements, not a block in the statement above: as an OR there it would keep PostgreSQL
    from using the blocks' indexes, and most entries find nobody here."""
    dated = "variants" in params
    found = {"surname": params["surname"], **({"variants": params["variants"]} if dated else {})}
    ids = connection.execute(_former_surname_ids(dated, connection.dialect.name), found).scalars().all()
    if not ids:
        return []
    return list(connection.execute(_FORMER_SURNAME_ROWS, {"former_ids": list(set(ids))}))


def find_candidates(session: Session, subject: MatchSubject, *, exclude: Iterable[int] = ()) -> MatchOutcome:
    shape, params = _block_plan(subject)
    if not shape:
        return rank(subject, [])
    excluded = set(exclude)
    # Core execution on the session's connection: the statement returns plain rows, and the ORM's handling of a
    # statement per entry cost as much as the query itself.
    connection = session.connection()
    dialect = connection.dialect.name
    params = _dialect_params(params, dialect)
    rows = list(connection.execute(_candidate_query(shape, dialect), params))
    if "surname" in params:
        seen = {row.id for row in rows}
        for row in _former_surname_rows(connection, params):
            if row.id not in seen:
                seen.add(row.id)
                rows.append(row)
    return rank(subject, [facts_of(row, shielded=bool(row.shielded)) for row in rows if row.id not in excluded])


def facts_of(child: Any, *, shielded: bool) -> CandidateFacts:
    """Matching facts of a child row (an ORM Child or a result row with the same column names)."""
    return CandidateFacts(
        child_id=child.id,
        cp_id=child.cp_id,
        forenames=child.forenames,
        surname=child.surname,
        former_surnames=child.former_surnames,
        date_of_birth=child.date_of_birth,
        gender=child.gender,
        postcode=child.postcode,
        address=" ".join(p for p in (child.address_line1, child.address_line2, child.town) if p),
        shielded=shielded,
    )


def _view(candidate: ScoredCandidate, placeholder: str) -> CandidateView:
    facts = candidate.facts
    hide = facts.shielded
    return CandidateView(
        child_id=facts.child_id,
        cp_id=facts.cp_id,
        forenames=facts.forenames,
        surname=facts.surname,
        former_surnames=facts.former_surnames,
        date_of_birth=facts.date_of_birth,
        gender=facts.gender,
        postcode=placeholder if hide else facts.postcode,
        address=placeholder if hide else facts.address,
        shielded=facts.shielded,
        score=candidate.score,
        certain=candidate.certain,  # type: ignore[attr-defined]
        comparisons=candidate.comparisons,  # type: ignore[attr-defined]
    )


class MatchingService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def match(self, actor: UserSession, entry_id: int) -> MatchReport:
        with acting(
            self._ctx, actor, Permission.PROPOSE_SHIELD, "match.view", object_type="list_entry", object_id=entry_id
        ) as act:
            row = act.session.execute(
                select(ListEntry, GatekeeperList.reference).join(GatekeeperList).where(ListEntry.id == entry_id)
            ).one_or_none()
            if row is None:
                raise NotFound("No such list entry.")
            entry, reference = row
            details = details_of(entry)
            outcome = find_candidates(act.session, subject_of(details))
            setting = act.session.get(Setting, SETTING_TEAM_PHONE)
            placeholder = placeholder_text(setting.value if setting else "")
            act.details.update(candidates=len(outcome.candidates), ambiguous=outcome.ambiguous, weak=outcome.weak)
            return MatchReport(
                entry.id,
                f"{reference}/{entry.entry_ref}",
                details,
                EntryStatus(entry.status),
                tuple(_view(c, placeholder) for c in outcome.candidates),
                outcome.ambiguous,
                outcome.weak,
                outcome.warnings,
            )

    def analyse_list(
        self,
        actor: UserSession,
        reference: str,
        *,
        progress: Callable[[int, int, str], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> dict[str, int]:
        """Run matching over every open entry of a list: close candidates mark an entry ambiguous, no
        plausible candidate leaves it unmatched. Nothing is linked. Returns the counts. Cancelling leaves
        every entry as it was."""
        report = progress or (lambda _done, _total, _stage: None)
        with acting(
            self._ctx, actor, Permission.PROPOSE_SHIELD, "match.list", object_type="list", object_id=reference
        ) as act:
            entries = act.session.scalars(
                select(ListEntry)
                .join(GatekeeperList)
                .where(
                    GatekeeperList.reference == reference,
                    ListEntry.status.in_([EntryStatus.UNMATCHED.value, EntryStatus.AMBIGUOUS.value]),
                )
            ).all()
            if (
                not entries
                and act.session.scalars(select(GatekeeperList.id).where(GatekeeperList.reference == reference)).first()
                is None
            ):
                raise InvalidInput(f"There is no list with the reference {reference!r}.")
            counts = {"ambiguous": 0, "no_candidate": 0, "candidates": 0}
            for done, entry in enumerate(entries):
                if cancel is not None and cancel.is_set():
                    raise Cancelled()
                if done % 20 == 0:
                    report(done, len(entries), "Matching the open entries…")
                outcome = find_candidates(act.session, subject_of(details_of(entry)))
                if outcome.ambiguous:
                    entry.status = EntryStatus.AMBIGUOUS.value
                    counts["ambiguous"] += 1
                else:
                    entry.status = EntryStatus.UNMATCHED.value
                    counts["candidates" if outcome.plausible else "no_candidate"] += 1
            act.details.update(counts)
            return counts
