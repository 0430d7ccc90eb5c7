"""Reading a CSV file strictly: UTF-8 (BOM allowed), a header row, no ragged rows, bounded sizes.

Every problem names the file's physical line and the column; no problem message repeats a value from
the file (values may be shielded).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from shielddesk.domain.errors import RowProblem
from shielddesk.imports.limits import ImportLimits

csv.field_size_limit(10 * 1024 * 1024)


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]


@dataclass
class CsvTable:
    file: str
    sha256: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[CsvRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode(data: bytes, table: CsvTable) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        table.problems.append(
            RowProblem(table.file, 1, "", "the file is UTF-16; save it as 'CSV UTF-8' and import it again")
        )
        return None
    if (nul := data.find(b"\x00")) >= 0:
        table.problems.append(
            RowProblem(table.file, _line_of_offset(data, nul), "", "the file contains a NUL byte (not a text CSV)")
        )
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        table.problems.append(
            RowProblem(
                table.file,
                _line_of_offset(data, exc.start),
                "",
                "the file is not valid UTF-8 (it may be Windows-1252); save it as 'CSV UTF-8' and import it again",
            )
        )
        return None


def read_csv(
    path: Path,
    *,
    required: Iterable[str],
    known: Iterable[str],
    limits: ImportLimits,
    long_text_columns: Iterable[str] = (),
) -> CsvTable:
    table = CsvTable(file=path.name)
    try:
        size = path.stat().st_size
    except OSError as exc:
        table.problems.append(RowProblem(table.file, 0, "", f"the file cannot be read ({exc.strerror})"))
        return table
    if size > limits.max_file_bytes:
        table.problems.append(
            RowProblem(
                table.file,
                0,
                "",
                f"the file is larger than the {limits.max_file_bytes // 1_048_576} MB limit",
            )
        )
        return table
    try:
        data = path.read_bytes()
    except OSError as exc:
        table.problems.append(RowProblem(table.file, 0, "", f"the file cannot be read ({exc.strerror})"))
        return table
    table.sha256 = hashlib.sha256(data).hexdigest()
    text = _decode(data, table)
    if text is None:
        return table

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if not header or not any(h.strip() for h in header):
        table.problems.append(RowProblem(table.file, 1, "", "the file has no header row"))
        return table
    columns = [h.strip().lower() for h in header]
    check_header(table, columns, set(required), set(known))
    if table.problems:
        return table
    table.columns = columns
    long_columns = set(long_text_columns)
    previous_end = 1
    try:
        for record in reader:
            line = previous_end + 1
            previous_end = reader.line_num
            if not record or all(not v.strip() for v in record):
                continue
            if len(record) != len(columns):
                table.problems.append(
                    RowProblem(
                        table.file,
                        line,
                        "",
                        f"the row has {len(record)} fields but the header has {len(columns)}",
                    )
                )
                continue
            add_row(table, line, columns, record, limits, long_columns)
    except csv.Error as exc:
        table.problems.append(RowProblem(table.file, reader.line_num, "", f"the CSV structure is broken ({exc})"))
    return table


def add_row(
    table: CsvTable, line: int, columns: list[str], record: list[str], limits: ImportLimits, long_columns: set[str]
) -> None:
    values: dict[str, str] = {}
    for column, value in zip(columns, record, strict=True):
        if not column:
            continue
        if len(value) > limits.max_field_chars:  # rare: only then look up the column's own limit
            limit = limits.max_notes_chars if column in long_columns else limits.max_field_chars
            if len(value) > limit:
                table.problems.append(
                    RowProblem(table.file, line, column, f"the value is longer than {limit} characters")
                )
        values[column] = value.strip()
    table.rows.append(CsvRow(line, values))


def check_header(table: CsvTable, columns: list[str], required: set[str], known: set[str]) -> None:
    seen: set[str] = set()
    for column in columns:
        if column and column in seen:
            table.problems.append(RowProblem(table.file, 1, column, "the column appears twice in the header"))
        seen.add(column)
    for column in sorted(required - seen):
        table.problems.append(RowProblem(table.file, 1, column, "the required column is missing from the header"))
    extra = sorted(c for c in seen - known if c)
    if extra:
        table.warnings.append(f"{table.file}: columns ignored: {', '.join(extra)}")
