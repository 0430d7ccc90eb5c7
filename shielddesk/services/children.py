"""Reading children for a viewer: masked search, the masked detail view, and the audited reveal."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session, selectinload

from shielddesk.domain.child import ChildSummary, ChildView
from shielddesk.domain.errors import InvalidInput, NotFound
from shielddesk.domain.masking import hidden_values, mask_record, mask_summary, placeholder_text
from shielddesk.domain.roles import Permission, Role, is_allowed
from shielddesk.domain.search import SearchCriteria, SearchOrder, SortColumn
from shielddesk.domain.text import name_key, phonetic_key, postcode_key, words_key
from shielddesk.domain.validation import ValueProblem, parse_cp_id
from shielddesk.services.base import Acting, acting
from shielddesk.services.context import SETTING_TEAM_PHONE, ServiceContext
from shielddesk.services.free_text import refuse_locations
from shielddesk.services.records import record_of
from shielddesk.services.session import UserSession
from shielddesk.storage.models import Carer as CarerRow
from shielddesk.storage.models import Child, FormerSurname, Setting, Shield

MAX_PAGE = 500
MIN_REVEAL_REASON = 10


@dataclass(frozen=True)
class ResultPage:
    total: int
    offset: int
    rows: tuple[ChildSummary, ...]
    former_surname_matches: int = 0  # more children who had this surname before (first page only)


def _prefix(column: ColumnElement[str], key: str) -> ColumnElement[bool]:
    """key <= column < key-with-last-character-bumped: an index range on both engines."""
    upper = key[:-1] + chr(ord(key[-1]) + 1)
    return and_(column >= key, column < upper)


def shielded_flag() -> ColumnElement[bool]:
    """Whether the row's child has an active shield (a correlated EXISTS on the shield table)."""
    return exists().where(and_(Shield.child_id == Child.id, Shield.active.is_(True)))


def _filters(criteria: SearchCriteria) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if criteria.surname.strip():
        conditions.append(_surname_condition(criteria, former=criteria.former_surname))
    if criteria.forenames.strip():
        key = name_key(criteria.forenames)
        if not key:
            raise InvalidInput("The forenames have no letters or digits to search on.")
        conditions.append(_prefix(Child.forenames_key, key))
    if criteria.date_of_birth is not None:
        conditions.append(Child.date_of_birth == criteria.date_of_birth)
    if criteria.cp_id.strip():
        try:
            conditions.append(Child.cp_id == parse_cp_id(criteria.cp_id))
        except ValueProblem as exc:
            raise InvalidInput(f"The child identifier {exc}.") from None
    for text, column, keyer in (
        (criteria.postcode, Child.postcode_key, postcode_key),
        (criteria.school, Child.school_key, words_key),
        (criteria.gp_practice, Child.gp_key, words_key),
    ):
        if text.strip():
            key = keyer(text)
            if not key:
                raise InvalidInput("A search term has no letters or digits.")
            conditions.append(_prefix(column, key))
    if criteria.address.strip():
        key = words_key(criteria.address)
        if not key:
            raise InvalidInput("The address has no letters or digits to search on.")
        conditions.append(Child.address_key.contains(key, autoescape=True))
    if criteria.carer_name.strip():
        key = name_key(criteria.carer_name)
        if not key:
            raise InvalidInput("The carer's name has no letters or digits to search on.")
        conditions.append(exists().where(and_(CarerRow.child_id == Child.id, _prefix(CarerRow.name_key, key))))
    return conditions


def _surname_tests(criteria: SearchCriteria) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """The surname as typed (or by sound) against the current surname, and against a former surname."""
    if criteria.sounds_like:
        key = phonetic_key(criteria.surname)
        if not key:
            raise InvalidInput("The surname has no letters to match on.")
        return Child.surname_phonetic == key, FormerSurname.phonetic == key
    key = name_key(criteria.surname)
    if not key:
        raise InvalidInput("The surname has no letters or digits to search on.")
    return _prefix(Child.surname_key, key), _prefix(FormerSurname.name_key, key)


def _surname_condition(criteria: SearchCriteria, *, former: bool) -> ColumnElement[bool]:
    current, earlier = _surname_tests(criteria)
    # Few children have a former surname: the database starts from those that match and joins the child.
    return Child.id.in_(select(FormerSurname.child_id).where(earlier)) if former else current


# Counted no further: "more than 100 had this surname before" says enough, and a broad prefix ("a") would
# otherwise make every search visit thousands of children for the hint alone.
FORMER_SURNAME_COUNT_CAP = 100


def how_many(count: int) -> str:
    """A former-surname count as said to the user ("2", "over 100")."""
    return f"over {FORMER_SURNAME_COUNT_CAP}" if count > FORMER_SURNAME_COUNT_CAP else f"{count:,}"


def former_surname_count(session: Session, roles: frozenset[Role], criteria: SearchCriteria) -> int:
    """How many more children the same search would find by a former surname (not already found by the current
    one), up to FORMER_SURNAME_COUNT_CAP + 1: said beside the results, so that a child known by an earlier name is
    not taken to be missing."""
    if not criteria.surname.strip() or criteria.former_surname:
        return 0
    conditions = visible_conditions(roles, replace(criteria, former_surname=True))
    conditions.append(~_surname_condition(criteria, former=False))
    found = select(Child.id).where(*conditions).limit(FORMER_SURNAME_COUNT_CAP + 1).subquery()
    # One statement, run on the connection without the ORM: the hint is asked with every surname search and must
    # cost it little (the database starts from the few children with a matching former surname).
    return session.connection().execute(select(func.count()).select_from(found)).scalar() or 0


def _order_by(order: SearchOrder, shielded: ColumnElement[bool]) -> list[ColumnElement[object]]:
    columns: dict[SortColumn, ColumnElement[object]] = {
        SortColumn.SURNAME: Child.surname_key,
        SortColumn.FORENAMES: Child.forenames_key,
        SortColumn.DATE_OF_BIRTH: Child.date_of_birth,
        SortColumn.GENDER: Child.gender,
        SortColumn.CP_ID: Child.cp_id,
        # Masked columns sort by what the viewer sees, so a shielded row's position leaks nothing.
        SortColumn.POSTCODE: case((shielded, ""), else_=Child.postcode_key),
        SortColumn.TOWN: case((shielded, ""), else_=Child.town),
        SortColumn.SHIELDED: case((shielded, 1), else_=0),
    }
    keys = [columns[order.column], Child.id]
    if order.column == SortColumn.SURNAME:
        # (surname_key, date_of_birth, id) is the order of the surname indexes: the database reads the first
        # page straight off the index and stops, instead of sorting every match.
        keys.insert(1, Child.date_of_birth)
    return [key.desc() if order.descending else key.asc() for key in keys]


def visible_conditions(roles: frozenset[Role], criteria: SearchCriteria) -> list[ColumnElement[bool]]:
    """The WHERE conditions of a search as `roles` may run it."""
    conditions = _filters(criteria)
    if criteria.uses_hidden_field() and not is_allowed(roles, Permission.VIEW_SHIELDED):
        # Indistinguishable from "no match": the rows are simply not there, and the count agrees.
        conditions.append(~shielded_flag())
    return conditions


def page_query(
    session: Session, roles: frozenset[Role], criteria: SearchCriteria, order: SearchOrder, offset: int, limit: int
) -> tuple[int, list[Row[Any]]]:
    """One page of results and the total. The count is its own query: a window count would make the database
    build every matching row (with its shield flag) before the first page, which is slow for broad searches."""
    shielded = shielded_flag()
    conditions = visible_conditions(roles, criteria)
    query = (
        select(
            Child.id,
            Child.cp_id,
            Child.surname,
            Child.forenames,
            Child.date_of_birth,
            Child.gender,
            Child.postcode,
            Child.town,
            shielded.label("shielded"),
        )
        .where(*conditions)
        .order_by(*_order_by(order, shielded))
        .offset(offset)
        .limit(limit)
    )
    connection = session.connection()  # Core rows: the ORM's handling of a statement cost more than the query
    rows = list(connection.execute(query))
    if offset == 0 and len(rows) < limit:
        return len(rows), rows  # the whole match is on this page: no need to count it
    # count(*), not count(id): the id is in no search index, so counting it made PostgreSQL visit every matching
    # row instead of reading the index alone (a common sounding surname at 11 M: 160 ms instead of 10).
    return connection.execute(select(func.count()).select_from(Child).where(*conditions)).scalar() or 0, rows


def leak_check(session: Session) -> tuple[int, int]:
    """Search as a practitioner on every hidden value of every shielded child (postcode, address, school, GP,
    carer names): none may find that child. Returns (searches run, searches that found it)."""
    practitioner = frozenset({Role.PRACTITIONER})
    runs = leaks = 0
    shielded_children = session.scalars(
        select(Child)
        .join(Shield, and_(Shield.child_id == Child.id, Shield.active.is_(True)))
        .options(selectinload(Child.carers))
    ).all()
    for child in shielded_children:
        probes = [
            SearchCriteria(postcode=child.postcode),
            SearchCriteria(address=child.address_line1),
            SearchCriteria(school=child.school_name),
            SearchCriteria(gp_practice=child.gp_practice_name),
            *(SearchCriteria(carer_name=carer.name) for carer in child.carers),
        ]
        for criteria in probes:
            if criteria.is_empty():
                continue
            try:
                conditions = visible_conditions(practitioner, criteria)
            except InvalidInput:
                continue  # a value with nothing searchable in it cannot be searched for either
            runs += 1
            found = session.scalar(select(func.count(Child.id)).where(*conditions, Child.id == child.id)) or 0
            leaks += found > 0
    return runs, leaks


_PLACEHOLDERS: weakref.WeakKeyDictionary[object, str] = weakref.WeakKeyDictionary()


def team_placeholder(session: Session) -> str:
    """The placeholder naming the team's phone. Read once per database engine: only first-run set-up writes it."""
    key = session.get_bind()
    if key not in _PLACEHOLDERS:
        setting = session.get(Setting, SETTING_TEAM_PHONE)
        if setting is None:
            return placeholder_text("")
        _PLACEHOLDERS[key] = placeholder_text(setting.value)
    return _PLACEHOLDERS[key]


class ChildrenService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def search(
        self,
        actor: UserSession,
        criteria: SearchCriteria,
        order: SearchOrder | None = None,
        *,
        offset: int = 0,
        limit: int = 100,
    ) -> ResultPage:
        order = order or SearchOrder()
        if criteria.is_empty():
            raise InvalidInput("Enter at least one search term.")
        limit = max(1, min(limit, MAX_PAGE))
        offset = max(0, offset)
        with acting(self._ctx, actor, Permission.SEARCH, "search" if offset == 0 else "search.page") as act:
            total, rows = self._page(act, criteria, order, offset, limit)
            placeholder = team_placeholder(act.session)
            summaries = []
            for row in rows:
                summary = ChildSummary(
                    child_id=row.id,
                    cp_id=row.cp_id,
                    surname=row.surname,
                    forenames=row.forenames,
                    date_of_birth=row.date_of_birth,
                    gender=row.gender,
                    postcode=row.postcode,
                    town=row.town,
                    shielded=bool(row.shielded),
                    masked=False,
                )
                summaries.append(mask_summary(summary, placeholder) if summary.shielded else summary)
            former = former_surname_count(act.session, act.roles, criteria) if offset == 0 else 0
            act.details.update(criteria.described(), offset=offset, returned=len(rows), total=total)
            return ResultPage(total=total, offset=offset, rows=tuple(summaries), former_surname_matches=former)

    def search_records(
        self, actor: UserSession, criteria: SearchCriteria, *, offset: int = 0, limit: int = 100
    ) -> tuple[int, list[ChildView]]:
        """Whole records (masked for the viewer) of one page of results: for exports and the CLI."""
        if criteria.is_empty():
            raise InvalidInput("Enter at least one search term.")
        limit = max(1, min(limit, MAX_PAGE))
        with acting(self._ctx, actor, Permission.SEARCH, "search") as act:
            total, rows = self._page(act, criteria, SearchOrder(), max(0, offset), limit)
            views = [self._view(act.session, row.id, reveal=False) for row in rows]
            act.details.update(criteria.described(), offset=offset, returned=len(views), total=total, records=True)
            return total, views

    @staticmethod
    def _page(
        act: Acting, criteria: SearchCriteria, order: SearchOrder, offset: int, limit: int
    ) -> tuple[int, list[Row[Any]]]:
        return page_query(act.session, act.roles, criteria, order, offset, limit)

    def view(self, actor: UserSession, child_id: int) -> ChildView:
        with acting(self._ctx, actor, Permission.SEARCH, "child.view", object_type="child", object_id=child_id) as act:
            return self._view(act.session, child_id, reveal=False)

    def reveal(self, actor: UserSession, child_id: int, reason: str) -> ChildView:
        """Show a shielded child's location-revealing details to an operator who gives a reason."""
        reason = " ".join(reason.split())
        with acting(
            self._ctx,
            actor,
            Permission.VIEW_SHIELDED,
            "child.reveal",
            object_type="child",
            object_id=child_id,
        ) as act:
            if len(reason) < MIN_REVEAL_REASON:
                raise InvalidInput(
                    f"Give a reason of at least {MIN_REVEAL_REASON} characters to reveal a shielded record."
                )
            refuse_locations(reason, "the reason", child=act.session.get(Child, child_id))
            act.reason = reason
            return self._view(act.session, child_id, reveal=True)

    def _view(self, session: Session, child_id: int, *, reveal: bool) -> ChildView:
        child = session.scalars(
            select(Child)
            .where(Child.id == child_id)
            .options(selectinload(Child.carers), selectinload(Child.involvements))
        ).one_or_none()
        if child is None:
            raise NotFound("That child is no longer in the index.")
        shield = session.scalars(
            select(Shield).where(Shield.child_id == child_id, Shield.active.is_(True))
        ).one_or_none()
        record = record_of(child)
        if shield is None:
            return ChildView(child_id=child.id, record=record, shielded=False, masked=False)
        if reveal:
            return ChildView(child.id, record, shielded=True, masked=False, revealed=True, review_due=shield.review_due)
        return ChildView(
            child.id,
            mask_record(record, team_placeholder(session)),
            shielded=True,
            masked=True,
            review_due=shield.review_due,
        )


def shielded_hidden_values(ctx: ServiceContext) -> list[str]:
    """Every location-revealing value of every shielded child, for the log filter. Never returned to a
    user; read in its own short, read-only transaction (it runs on the GUI thread after every change and must not
    wait for another workstation's long write)."""
    with ctx.transaction(read_only=True) as session:
        children = session.scalars(
            select(Child)
            .join(Shield, and_(Shield.child_id == Child.id, Shield.active.is_(True)))
            .options(selectinload(Child.carers), selectinload(Child.involvements))
        ).all()
        return [value for child in children for value in hidden_values(record_of(child))]
