"""The population extract (children.csv) and involvements (involvements.csv), DESIGN §6."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from shielddesk.domain.child import CHILD_FIELDS, Involvement
from shielddesk.domain.errors import RowProblem
from shielddesk.domain.validation import CP_ID_PATTERN, GENDERS, ValueProblem, check_child_birth_date, parse_date
from shielddesk.imports.csvfile import CsvRow, CsvTable, check_bytes, iter_records, read_csv
from shielddesk.imports.limits import ImportLimits

CHILD_COLUMNS = (
    "cp_id",
    "forenames",
    "surname",
    "former_surnames",
    "date_of_birth",
    "gender",
    "address_line1",
    "address_line2",
    "town",
    "postcode",
    "school_name",
    "school_urn",
    "school_postcode",
    "gp_practice_name",
    "gp_practice_code",
    "gp_postcode",
    "carer1_name",
    "carer1_relationship",
    "carer1_address",
    "carer1_phone",
    "carer2_name",
    "carer2_relationship",
    "carer2_address",
    "carer2_phone",
)
CHILD_REQUIRED = ("cp_id", "forenames", "surname", "date_of_birth")
INVOLVEMENT_COLUMNS = (
    "cp_id",
    "service",
    "practitioner",
    "role",
    "organisation",
    "phone",
    "address",
    "postcode",
)
INVOLVEMENT_REQUIRED = ("cp_id", "service")

# Column names of each carer's fields, in the order of Carer's fields (name, relationship, address, phone).
_CARER_COLUMNS = tuple(
    tuple(f"carer{n}_{part}" for part in ("name", "relationship", "address", "phone")) for n in (1, 2)
)


ChildValues = tuple  # the child's own fields in CHILD_FIELDS order, checked and parsed
CarerValues = tuple[tuple[str, str, str, str], ...]  # each carer's (name, relationship, address, phone)


@dataclass(frozen=True)
class LocatedInvolvement:
    line: int
    cp_id: str
    involvement: Involvement


class ChildRows:
    """The children of a population extract, checked row by row and streamed, so that a national extract
    never sits in memory whole. Problems collect in `problems`; rows with a problem are not yielded, and the
    caller refuses the whole import if any problem was found."""

    def __init__(self, path: Path, *, today: date, limits: ImportLimits) -> None:
        self._path, self._limits = path, limits
        self.table = CsvTable(file=path.name)
        self.line_count = check_bytes(path, self.table, limits)
        self.birth_date = _birth_date_checker(today)

    @property
    def problems(self) -> list[RowProblem]:
        return self.table.problems

    @property
    def file(self) -> str:
        return self.table.file

    def __iter__(self) -> Iterator[tuple[int, ChildValues, CarerValues]]:
        if self.table.problems:
            return
        problems, file = self.table.problems, self.table.file
        records = iter_records(
            self._path, self.table, required=CHILD_REQUIRED, known=CHILD_COLUMNS, limits=self._limits
        )
        first = next(records, None)
        if first is None:
            if not self.table.problems:
                problems.append(RowProblem(file, 0, "", "the file has a header but no children"))
            return
        columns = self.table.columns
        missing = len(columns)  # index of the "" appended to every row, for columns the file does not have
        position = {c: i for i, c in reversed(list(enumerate(columns))) if c}
        pick = itemgetter(*(position.get(name, missing) for name in CHILD_FIELDS))
        pick_carers = itemgetter(*(position.get(c, missing) for columns_ in _CARER_COLUMNS for c in columns_))
        birth_date = self.birth_date
        first_line: dict[str, int] = {}
        for line, values in itertools.chain((first,), records):
            values.append("")
            fields = pick(values)
            before = len(problems)
            cp_id = fields[0].upper()
            if not cp_id:
                problems.append(RowProblem(file, line, "cp_id", "a value is required"))
            elif not CP_ID_PATTERN.match(cp_id):
                problems.append(RowProblem(file, line, "cp_id", "the value must be CP followed by 10 digits"))
            if not fields[1]:
                problems.append(RowProblem(file, line, "forenames", "a value is required"))
            if not fields[2]:
                problems.append(RowProblem(file, line, "surname", "a value is required"))
            born = birth_date(fields[3]) if fields[3] else "a value is required"
            if isinstance(born, str):
                problems.append(RowProblem(file, line, "date_of_birth", born))
            gender = _GENDERS.get(fields[5].upper())
            if gender is None:
                problems.append(RowProblem(file, line, "gender", "the value must be M, F or U"))
            if len(problems) > before:
                continue
            if (earlier := first_line.setdefault(cp_id, line)) != line:
                problems.append(RowProblem(file, line, "cp_id", f"the cp_id is already used on line {earlier}"))
                continue
            carer_values = pick_carers(values)
            carers = tuple(c for c in (carer_values[:4], carer_values[4:]) if any(c))
            yield line, (cp_id, fields[1], fields[2], born, fields[4], gender, *fields[6:]), carers


_GENDERS = {"": "U", **{g: g for g in GENDERS}}


def _birth_date_checker(today: date) -> Callable[[str], date | str]:
    """A date of birth as a date, or the problem with it. Cached: a million children share a few thousand
    birth dates."""

    @lru_cache(maxsize=1 << 15)
    def birth_date(text: str) -> date | str:
        try:
            born = parse_date(text)
        except ValueProblem as exc:
            return f"the value {exc}"
        try:
            check_child_birth_date(born, today)
        except ValueProblem as exc:
            return f"the date {exc}"
        return born

    return birth_date


@dataclass
class InvolvementFile:
    file: str
    involvements: list[LocatedInvolvement] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sha256: str = ""


def _required(row: CsvRow, column: str, file: str, problems: list[RowProblem]) -> str:
    value = row.values.get(column, "")
    if not value:
        problems.append(RowProblem(file, row.line, column, "a value is required"))
    return value


def read_involvements(path: Path, *, limits: ImportLimits) -> InvolvementFile:
    table = read_csv(path, required=INVOLVEMENT_REQUIRED, known=INVOLVEMENT_COLUMNS, limits=limits)
    result = InvolvementFile(table.file, problems=table.problems, warnings=table.warnings, sha256=table.sha256)
    for row in table.rows:
        before = len(result.problems)
        _required(row, "cp_id", table.file, result.problems)
        _required(row, "service", table.file, result.problems)
        cp_id = row.values.get("cp_id", "").upper()
        if cp_id and not CP_ID_PATTERN.match(cp_id):
            result.problems.append(
                RowProblem(table.file, row.line, "cp_id", "the value must be CP followed by 10 digits")
            )
        if len(result.problems) > before:
            continue
        involvement = Involvement(**{c: row.values.get(c, "") for c in INVOLVEMENT_COLUMNS if c != "cp_id"})
        result.involvements.append(LocatedInvolvement(row.line, cp_id, involvement))
    return result
