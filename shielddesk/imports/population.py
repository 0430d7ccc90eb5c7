"""The population extract (children.csv) and involvements (involvements.csv), DESIGN §6."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from shielddesk.domain.child import CHILD_FIELDS, Carer, ChildRecord, Involvement
from shielddesk.domain.errors import RowProblem
from shielddesk.domain.validation import (
    ValueProblem,
    check_child_birth_date,
    parse_cp_id,
    parse_date,
    parse_gender,
)
from shielddesk.imports.csvfile import CsvRow, read_csv
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

# Free-text fields taken as they are; the others are parsed and checked one by one below.
_PLAIN_FIELDS = tuple(
    name for name in CHILD_FIELDS if name not in ("cp_id", "forenames", "surname", "date_of_birth", "gender")
)


# Column names of each carer's fields, in the order of Carer's fields (name, relationship, address, phone).
_CARER_COLUMNS = tuple(
    tuple(f"carer{n}_{part}" for part in ("name", "relationship", "address", "phone")) for n in (1, 2)
)


@dataclass(frozen=True)
class LocatedInvolvement:
    line: int
    cp_id: str
    involvement: Involvement


@dataclass
class PopulationFile:
    children: list[ChildRecord] = field(default_factory=list)
    involvements: list[LocatedInvolvement] = field(default_factory=list)
    involvements_given: bool = False
    involvements_file: str = ""
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sha256: dict[str, str] = field(default_factory=dict)


def _required(row: CsvRow, column: str, file: str, problems: list[RowProblem]) -> str:
    value = row.values.get(column, "")
    if not value:
        problems.append(RowProblem(file, row.line, column, "a value is required"))
    return value


def _checked(
    row: CsvRow, column: str, file: str, problems: list[RowProblem], parse: Callable[[str], object]
) -> object | None:
    try:
        return parse(row.values.get(column, ""))
    except ValueProblem as exc:
        problems.append(RowProblem(file, row.line, column, f"the value {exc}"))
        return None


def _child_from_row(row: CsvRow, file: str, today: date, problems: list[RowProblem]) -> ChildRecord | None:
    before = len(problems)
    raw_cp_id = _required(row, "cp_id", file, problems)
    cp_id = _checked(row, "cp_id", file, problems, parse_cp_id) if raw_cp_id else None
    forenames = _required(row, "forenames", file, problems)
    surname = _required(row, "surname", file, problems)
    born: date | None = None
    if _required(row, "date_of_birth", file, problems):
        born = _checked(row, "date_of_birth", file, problems, parse_date)  # type: ignore[assignment]
        if born is not None:
            try:
                check_child_birth_date(born, today)
            except ValueProblem as exc:
                problems.append(RowProblem(file, row.line, "date_of_birth", f"the date {exc}"))
    gender = _checked(row, "gender", file, problems, parse_gender)
    if len(problems) > before or cp_id is None or born is None:
        return None
    values = row.values
    carers = tuple(
        Carer(*parts)
        for parts in (tuple(values.get(column, "") for column in columns) for columns in _CARER_COLUMNS)
        if any(parts)
    )
    plain = {name: row.values.get(name, "") for name in _PLAIN_FIELDS}
    return ChildRecord(
        cp_id=str(cp_id),
        forenames=forenames,
        surname=surname,
        date_of_birth=born,
        gender=str(gender),
        carers=carers,
        **plain,
    )


def read_population(
    children_path: Path,
    involvements_path: Path | None,
    *,
    today: date,
    limits: ImportLimits,
) -> PopulationFile:
    result = PopulationFile()
    table = read_csv(children_path, required=CHILD_REQUIRED, known=CHILD_COLUMNS, limits=limits)
    result.problems.extend(table.problems)
    result.warnings.extend(table.warnings)
    result.sha256[table.file] = table.sha256
    first_line: dict[str, int] = {}
    for row in table.rows:
        record = _child_from_row(row, table.file, today, result.problems)
        if record is None:
            continue
        if record.cp_id in first_line:
            result.problems.append(
                RowProblem(
                    table.file,
                    row.line,
                    "cp_id",
                    f"the cp_id is already used on line {first_line[record.cp_id]}",
                )
            )
            continue
        first_line[record.cp_id] = row.line
        result.children.append(record)
    if not table.problems and not table.rows:
        result.problems.append(RowProblem(table.file, 0, "", "the file has a header but no children"))

    if involvements_path is not None:
        result.involvements_given = True
        result.involvements_file = involvements_path.name
        inv_table = read_csv(involvements_path, required=INVOLVEMENT_REQUIRED, known=INVOLVEMENT_COLUMNS, limits=limits)
        result.problems.extend(inv_table.problems)
        result.warnings.extend(inv_table.warnings)
        result.sha256[inv_table.file] = inv_table.sha256
        for row in inv_table.rows:
            before = len(result.problems)
            _required(row, "cp_id", inv_table.file, result.problems)
            _required(row, "service", inv_table.file, result.problems)
            cp_id = (
                _checked(row, "cp_id", inv_table.file, result.problems, parse_cp_id)
                if row.values.get("cp_id")
                else None
            )
            if len(result.problems) > before or cp_id is None:
                continue
            involvement = Involvement(**{c: row.values.get(c, "") for c in INVOLVEMENT_COLUMNS if c != "cp_id"})
            result.involvements.append(LocatedInvolvement(row.line, str(cp_id), involvement))
    return result
