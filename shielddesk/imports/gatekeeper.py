"""The gatekeeper-approved list (.csv or .xlsx), DESIGN §6."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from shielddesk.domain.errors import RowProblem
from shielddesk.domain.lists import ENTRY_FIELDS, EntryDetails, ReasonCategory, RequestingAgency
from shielddesk.domain.validation import (
    ValueProblem,
    check_child_birth_date,
    parse_cp_id,
    parse_date,
    parse_gender,
)
from shielddesk.imports.csvfile import CsvRow, CsvTable, read_csv
from shielddesk.imports.limits import ImportLimits
from shielddesk.imports.xlsxfile import read_xlsx

LIST_COLUMNS = ("entry_ref", *ENTRY_FIELDS)
LIST_REQUIRED = ("entry_ref", "forenames", "surname")
MAX_ENTRY_REF = 64


@dataclass(frozen=True)
class LocatedEntry:
    line: int
    details: EntryDetails


@dataclass
class ListFile:
    file: str
    sha256: str = ""
    entries: list[LocatedEntry] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _Row:
    """Parses one row's values, collecting a problem per bad field instead of stopping at the first."""

    def __init__(self, row: CsvRow, file: str, problems: list[RowProblem]) -> None:
        self.row, self.file, self.problems = row, file, problems

    def text(self, column: str) -> str:
        return self.row.values.get(column, "")

    def problem(self, column: str, message: str) -> None:
        self.problems.append(RowProblem(self.file, self.row.line, column, message))

    def required(self, column: str) -> str:
        value = self.text(column)
        if not value:
            self.problem(column, "a value is required")
        return value

    def optional_date(self, column: str) -> date | None:
        value = self.text(column)
        if not value:
            return None
        if value.replace(".", "", 1).isdigit():
            self.problem(column, "looks like a spreadsheet serial number, not a date; format the column as a date")
            return None
        try:
            return parse_date(value)
        except ValueProblem as exc:
            self.problem(column, f"the value {exc}")
            return None

    def choice(self, column: str, enum: type[ReasonCategory] | type[RequestingAgency]) -> object:
        value = self.text(column).strip().lower()
        if not value:
            return enum("other")
        try:
            return enum(value)
        except ValueError:
            self.problem(column, f"must be one of: {', '.join(e.value for e in enum)}")
            return enum("other")


def parse_entry(row: CsvRow, file: str, today: date, problems: list[RowProblem]) -> EntryDetails | None:
    before = len(problems)
    r = _Row(row, file, problems)
    entry_ref = r.required("entry_ref")
    if len(entry_ref) > MAX_ENTRY_REF:
        r.problem("entry_ref", f"is longer than {MAX_ENTRY_REF} characters")
    forenames, surname = r.required("forenames"), r.required("surname")
    cp_id = ""
    if r.text("cp_id"):
        try:
            cp_id = parse_cp_id(r.text("cp_id"))
        except ValueProblem as exc:
            r.problem("cp_id", f"the value {exc}")
    born = r.optional_date("date_of_birth")
    if born is not None:
        try:
            check_child_birth_date(born, today)
        except ValueProblem as exc:
            r.problem("date_of_birth", f"the date {exc}")
    elif not r.text("date_of_birth") and not r.text("cp_id"):
        r.problem("date_of_birth", "a date of birth or a cp_id is required")
    try:
        gender = parse_gender(r.text("gender"))
    except ValueProblem as exc:
        r.problem("gender", f"the value {exc}")
        gender = "U"
    reason = r.choice("reason", ReasonCategory)
    agency = r.choice("requesting_agency", RequestingAgency)
    approved_on, review_due = r.optional_date("approved_on"), r.optional_date("review_due")
    if approved_on and review_due and review_due < approved_on:
        r.problem("review_due", "the review date is before the approval date")
    carers_text = r.text("shield_carers").strip().upper() or "Y"
    if carers_text not in ("Y", "N"):
        r.problem("shield_carers", "must be Y or N")
    if len(problems) > before:
        return None
    return EntryDetails(
        entry_ref=entry_ref,
        forenames=forenames,
        surname=surname,
        cp_id=cp_id,
        date_of_birth=born,
        gender=gender,
        postcode=r.text("postcode"),
        address=r.text("address"),
        reason=reason,  # type: ignore[arg-type]
        requesting_agency=agency,
        approved_by=r.text("approved_by"),
        approved_on=approved_on,  # type: ignore[arg-type]
        review_due=review_due,
        shield_carers=carers_text == "Y",
        notes=r.text("notes"),
    )


def read_table(path: Path, limits: ImportLimits) -> CsvTable:
    reader = read_xlsx if path.suffix.lower() in (".xlsx", ".xlsm", ".xltx", ".xltm") else read_csv
    return reader(path, required=LIST_REQUIRED, known=LIST_COLUMNS, limits=limits, long_text_columns=("notes",))


def read_list(path: Path, *, today: date, limits: ImportLimits) -> ListFile:
    if path.suffix.lower() in (".xlsm", ".xltm"):
        result = ListFile(file=path.name)
        result.problems.append(RowProblem(path.name, 0, "", "macro-enabled workbooks are not accepted"))
        return result
    table = read_table(path, limits)
    result = ListFile(
        file=table.file, sha256=table.sha256, problems=list(table.problems), warnings=list(table.warnings)
    )
    if table.columns and "date_of_birth" not in table.columns and "cp_id" not in table.columns:
        result.problems.append(RowProblem(table.file, 1, "date_of_birth", "the header needs date_of_birth or cp_id"))
        return result
    first_line: dict[str, int] = {}
    for row in table.rows:
        details = parse_entry(row, table.file, today, result.problems)
        if details is None:
            continue
        key = details.entry_ref.casefold()
        if key in first_line:
            result.problems.append(
                RowProblem(
                    table.file, row.line, "entry_ref", f"the entry_ref is already used on line {first_line[key]}"
                )
            )
            continue
        first_line[key] = row.line
        result.entries.append(LocatedEntry(row.line, details))
    if not table.problems and not table.rows:
        result.problems.append(RowProblem(table.file, 0, "", "the file has a header but no entries"))
    return result
