"""Bulk writes of a population import, inside the import's one transaction.

New children go in as plain DBAPI tuples (COPY on PostgreSQL); on SQLite a large import into a smaller
table drops the secondary indexes first and rebuilds them before the transaction commits, which is
several times faster than maintaining them row by row and still all-or-nothing (SQLite's DDL is
transactional). Changed children are updated through SQLAlchemy Core.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Column, Table, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from shielddesk.domain.child import CHILD_FIELDS
from shielddesk.domain.text import former_surname_index, name_key, phonetic_key, postcode_key, words_key
from shielddesk.imports.population import INVOLVEMENT_COLUMNS as INVOLVEMENT_FILE_COLUMNS
from shielddesk.imports.population import CarerValues, ChildValues
from shielddesk.storage.models import Carer, Child, FormerSurname, Involvement

CHILD_COLUMNS = (
    "id",
    *CHILD_FIELDS,
    "surname_key",
    "forenames_key",
    "surname_phonetic",
    "postcode_key",
    "address_key",
    "school_key",
    "gp_key",
    "version",
    "updated_at",
)
CARER_COLUMNS = ("child_id", "position", "name", "relationship", "address", "phone", "name_key")
# The file's columns, with the child's id and the row's position in place of the cp_id.
INVOLVEMENT_COLUMNS = ("child_id", "position", *(c for c in INVOLVEMENT_FILE_COLUMNS if c != "cp_id"))
_DATE_OF_BIRTH = CHILD_FIELDS.index("date_of_birth")
_FORMER_SURNAMES = CHILD_FIELDS.index("former_surnames")
FORMER_SURNAME_COLUMNS = ("child_id", "name_key", "phonetic", "date_of_birth")
Prepared = tuple[tuple[object, ...], list[tuple[object, ...]]]
_BULK_TABLES = ("child", "carer")
_DELETE_CHUNK = 1000  # ids per DELETE ... IN (...)
_KEY_SOURCES = itemgetter(
    *(
        CHILD_FIELDS.index(name)
        for name in (
            "forenames",
            "surname",
            "address_line1",
            "address_line2",
            "town",
            "postcode",
            "school_name",
            "gp_practice_name",
        )
    )
)


def search_keys(values: ChildValues) -> tuple[str, ...]:
    """The normalised keys stored beside a child's values (see domain.text), in CHILD_COLUMNS order."""
    forenames, surname, line1, line2, town, postcode, school, gp = _KEY_SOURCES(values)
    address = " ".join(p for p in (line1, line2, town) if p)
    return (
        name_key(surname),
        name_key(forenames),
        phonetic_key(surname),
        postcode_key(postcode),
        words_key(address),
        words_key(school),
        words_key(gp),
    )


def child_values(values: ChildValues, now: datetime) -> dict[str, object]:
    """The stored columns of a child as a dict (for Core updates), search keys included."""
    return dict(zip(CHILD_COLUMNS[1:-2], (*values, *search_keys(values)), strict=True)) | {"updated_at": now}


def carer_rows(child_id: int, carers: CarerValues) -> list[tuple[object, ...]]:
    return [(child_id, *carer) for carer in _carer_columns(carers)]


def _carer_columns(carers: CarerValues) -> list[tuple[object, ...]]:
    """Each carer's stored columns after the child id (CARER_COLUMNS[1:])."""
    return [(position, *carer, name_key(carer[0])) for position, carer in enumerate(carers, start=1)]


def _binder(column: Column[Any], dialect: Any) -> Callable[[Any], Any]:
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    return process if process is not None else (lambda value: value)


class PopulationStore:
    def __init__(self, session: Session, now: datetime) -> None:
        self._session = session
        self._connection = session.connection()
        self._dialect = self._connection.dialect
        self.postgres = self._dialect.name == "postgresql"
        table = Child.__table__
        self._bind_date = _binder(table.c.date_of_birth, self._dialect)
        self._now = _binder(table.c.updated_at, self._dialect)(now)
        self._now_aware = now
        self._dropped_indexes: list[str] = []
        self._next_id = 0

    # ---- reading ---------------------------------------------------------------------------------------------
    def count(self, table: Table) -> int:
        return self._session.scalar(select(func.count()).select_from(table)) or 0

    def existing(self, cp_ids: Sequence[str]) -> dict[str, tuple[int, int, ChildValues, CarerValues]]:
        """Children already stored under these cp_ids: id, version, their values and carers."""
        columns = [getattr(Child, name) for name in CHILD_FIELDS]
        found: dict[str, tuple[int, int, ChildValues, list[tuple[str, str, str, str]]]] = {}
        by_id: dict[int, str] = {}
        for row in self._session.execute(select(Child.id, Child.version, *columns).where(Child.cp_id.in_(cp_ids))):
            found[row[2]] = (row[0], row[1], tuple(row[2:]), [])
            by_id[row[0]] = row[2]
        if by_id:
            for child_id, *carer in self._session.execute(
                select(Carer.child_id, Carer.name, Carer.relationship, Carer.address, Carer.phone)
                .where(Carer.child_id.in_(list(by_id)))
                .order_by(Carer.child_id, Carer.position)
            ):
                found[by_id[child_id]][3].append(tuple(carer))  # type: ignore[arg-type]
        return {cp: (i, v, values, tuple(carers)) for cp, (i, v, values, carers) in found.items()}

    def ids_of(self, cp_ids: Sequence[str]) -> dict[str, int]:
        rows = self._session.execute(select(Child.cp_id, Child.id).where(Child.cp_id.in_(cp_ids)))
        return {cp_id: child_id for cp_id, child_id in rows}

    # ---- writing ---------------------------------------------------------------------------------------------
    def prepare(self, values: ChildValues, carers: CarerValues) -> Prepared:
        """A new child's stored columns after its id (bound for this database), and its carers' columns after
        the child id."""
        stored = list(values)
        stored[_DATE_OF_BIRTH] = self._bind_date(values[_DATE_OF_BIRTH])
        return (*stored, *search_keys(values), 1, self._now), _carer_columns(carers)

    def add_children(self, rows: Sequence[Prepared]) -> list[int]:
        """Inserts new children and their carers; returns their ids in order."""
        ids = self._new_ids(len(rows))
        children = []
        carers: list[tuple[object, ...]] = []
        for child_id, (child, carer_rows_) in zip(ids, rows, strict=True):
            children.append((child_id, *child))
            carers.extend((child_id, *carer) for carer in carer_rows_)
        self.insert("child", CHILD_COLUMNS, children)
        if carers:
            self.insert("carer", CARER_COLUMNS, carers)
        # The stored tuples hold the date of birth already bound for this database.
        self._add_former_surnames((c[0], c[1 + _FORMER_SURNAMES], c[1 + _DATE_OF_BIRTH]) for c in children)
        return ids

    def _add_former_surnames(self, children: Iterable[tuple[object, object, object]]) -> None:
        rows = [
            (child_id, key, sound, born)
            for child_id, former, born in children
            if former
            for key, sound in former_surname_index(str(former))
        ]
        if rows:
            self.insert("former_surname", FORMER_SURNAME_COLUMNS, rows)

    def update_children(self, rows: Sequence[tuple[int, int, ChildValues, CarerValues]]) -> None:
        """Rewrites changed children (id, stored version, new values, new carers) and replaces their carers."""
        self._session.execute(
            update(Child),
            [
                child_values(values, self._now_aware) | {"id": child_id, "version": version + 1}
                for child_id, version, values, _carers in rows
            ],
        )
        self._session.execute(delete(Carer).where(Carer.child_id.in_([r[0] for r in rows])))
        self._session.execute(delete(FormerSurname).where(FormerSurname.child_id.in_([r[0] for r in rows])))
        self._add_former_surnames(
            (child_id, values[_FORMER_SURNAMES], self._bind_date(values[_DATE_OF_BIRTH]))
            for child_id, _v, values, _c in rows
        )
        carers = [row for child_id, _v, _values, carer_values in rows for row in carer_rows(child_id, carer_values)]
        if carers:
            self._session.execute(insert(Carer.__table__), [dict(zip(CARER_COLUMNS, c, strict=True)) for c in carers])

    def replace_involvements(self, child_ids: Iterable[int], rows: list[tuple[object, ...]], *, had_any: bool) -> None:
        if had_any:
            ordered = sorted(set(child_ids))
            for start in range(0, len(ordered), _DELETE_CHUNK):
                chunk = ordered[start : start + _DELETE_CHUNK]
                self._session.execute(delete(Involvement).where(Involvement.child_id.in_(chunk)))
        if rows:
            self.insert("involvement", INVOLVEMENT_COLUMNS, rows)

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[tuple[object, ...]]) -> None:
        names = ", ".join(columns)
        if self.postgres:
            driver = self._connection.connection.driver_connection
            with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # type: ignore[union-attr]
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" for _ in columns)
        self._connection.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))  # noqa: S608 - fixed names

    def _new_ids(self, count: int) -> list[int]:
        if self.postgres:
            # Drawn from the sequence, so another workstation inserting at the same time cannot collide.
            return list(
                self._session.scalars(
                    text("SELECT nextval(pg_get_serial_sequence('child', 'id')) FROM generate_series(1, :n)"),
                    {"n": count},
                )
            )
        if not self._next_id:
            # SQLite: BEGIN IMMEDIATE holds the write lock, so nobody else can take these ids meanwhile.
            self._next_id = (self._session.scalar(select(func.max(Child.id))) or 0) + 1
        first, self._next_id = self._next_id, self._next_id + count
        return list(range(first, first + count))

    # ---- indexes ---------------------------------------------------------------------------------------------
    def suspend_indexes(self, *, table_empty: bool) -> bool:
        """Drops the secondary indexes of child and carer for a bulk load; `restore_indexes` rebuilds them in
        the same transaction. The unique cp_id index stays: it guards the data. On PostgreSQL only into an
        empty table, because DROP INDEX locks readers out until the import commits."""
        tables = ", ".join(f"'{t}'" for t in _BULK_TABLES)
        if self.postgres:
            if not table_empty or not self._owns_tables():
                return False
            query = (
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "  # noqa: S608
                f"AND tablename IN ({tables}) AND indexdef NOT LIKE :unique"
            )
        else:
            query = (
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
                f"AND tbl_name IN ({tables}) AND sql NOT LIKE :unique"
            )
        rows = self._connection.execute(text(query), {"unique": "CREATE UNIQUE%"}).all()
        for name, _sql in rows:
            self._connection.exec_driver_sql(f'DROP INDEX "{name}"')
        self._dropped_indexes = [sql for _name, sql in rows]
        if self.postgres:
            # The carer -> child foreign key is checked row by row during COPY; re-adding it checks every
            # row at once, several times faster, before the import commits.
            for name, definition in self._connection.exec_driver_sql(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'carer'::regclass AND contype = 'f'"
            ).all():
                self._connection.exec_driver_sql(f'ALTER TABLE carer DROP CONSTRAINT "{name}"')
                self._dropped_indexes.append(f'ALTER TABLE carer ADD CONSTRAINT "{name}" {definition}')
            self._connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
        else:
            self._connection.exec_driver_sql("PRAGMA cache_size = -262144")  # 256 MB while the indexes are rebuilt
        return True

    def _owns_tables(self) -> bool:
        """Dropping an index or a constraint, and ANALYZE, need the tables' owner: the application role of a
        hardened deployment (`shielddesk db roles`) is not, and loads with the indexes in place."""
        owners = self._connection.exec_driver_sql(
            "SELECT bool_and(pg_has_role(current_user, tableowner, 'USAGE')) FROM pg_tables "
            "WHERE schemaname = current_schema() AND tablename IN ('child', 'carer', 'involvement')"
        ).scalar()
        return bool(owners)

    def analyse(self) -> None:
        """PostgreSQL: fresh planner statistics after a bulk load, so the first searches use the indexes."""
        if self.postgres and self._owns_tables():
            self._connection.exec_driver_sql("ANALYZE child, carer, involvement")

    def restore_indexes(self, progress: Callable[[int, int], None]) -> None:
        total = len(self._dropped_indexes)
        for done, sql in enumerate(self._dropped_indexes, start=1):
            self._connection.exec_driver_sql(sql)
            progress(done, total)
        self._dropped_indexes = []

    def reset_cache(self) -> None:
        if not self.postgres:
            self._connection.exec_driver_sql("PRAGMA cache_size = -2000")  # SQLite's default
