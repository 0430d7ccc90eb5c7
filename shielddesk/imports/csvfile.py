"""Reading a CSV file strictly: UTF-8 (BOM allowed), a header row, no ragged rows, bounded sizes.

Every problem names the file's physical line and the column; no problem message repeats a value from
the file (values may be shielded).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from collections.abc import Iterable, Iterator
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


_BLOCK = 1 << 20


# Zip (.xlsx, .docx), OLE2 (.xls, .doc) and PDF files start with these bytes.
_NOT_TEXT = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".ods", ".pdf", ".doc", ".docx")
_NOT_CSV = "the file is a workbook or a document, not a CSV; save it as 'CSV UTF-8' and import again"


def check_bytes(path: Path, table: CsvTable, limits: ImportLimits) -> int:
    """Checks size, encoding and NUL bytes in one streaming pass, records the SHA-256 and returns the number
    of line breaks; 0 with a problem recorded when the file cannot be taken."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        table.problems.append(RowProblem(table.file, 0, "", f"the file cannot be read ({exc.strerror})"))
        return 0
    if path.suffix.lower() in _WORKBOOK_SUFFIXES:
        table.problems.append(RowProblem(table.file, 0, "", _NOT_CSV))
        return 0
    if size > limits.max_file_bytes:
        table.problems.append(
            RowProblem(table.file, 0, "", f"the file is larger than the {limits.max_file_bytes // 1_048_576} MB limit")
        )
        return 0
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 0
    try:
        with path.open("rb") as stream:
            first = True
            while block := stream.read(_BLOCK):
                digest.update(block)
                if first and block.startswith(_NOT_TEXT):
                    table.problems.append(RowProblem(table.file, 1, "", _NOT_CSV))
                    return 0
                if first and block.startswith((b"\xff\xfe", b"\xfe\xff")):
                    table.problems.append(
                        RowProblem(table.file, 1, "", "the file is UTF-16; save it as 'CSV UTF-8' and import it again")
                    )
                    return 0
                first = False
                if (nul := block.find(b"\x00")) >= 0:
                    line = lines + block.count(b"\n", 0, nul) + 1
                    table.problems.append(
                        RowProblem(table.file, line, "", "the file contains a NUL byte (not a text CSV)")
                    )
                    return 0
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as exc:
                    _not_utf8(table, lines + block.count(b"\n", 0, max(exc.start, 0)) + 1)
                    return 0
                lines += block.count(b"\n")
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                _not_utf8(table, lines + 1)
                return 0
    except OSError as exc:
        table.problems.append(RowProblem(table.file, 0, "", f"the file cannot be read ({exc.strerror})"))
        return 0
    table.sha256 = digest.hexdigest()
    return lines


# A value a spreadsheet would run: =..., @..., or + / - followed by something other than a digit or a space
# ("+44 113..." and "- see notes" are ordinary text). Checked on the whole row at once: one search per row.
_FORMULA = re.compile(r"\x1f(?:[=@]|[+\-][^\d\s\x1f])")
FORMULA_PROBLEM = "the value looks like a spreadsheet formula (it starts with =, +, - or @); enter the value itself"


def check_formulas(table: CsvTable, line: int, columns: list[str], values: list[str]) -> None:
    if _FORMULA.search("\x1f" + "\x1f".join(values)):
        for column, value in zip(columns, values, strict=False):
            if column and _FORMULA.match("\x1f" + value):
                table.problems.append(RowProblem(table.file, line, column, FORMULA_PROBLEM))


def _not_utf8(table: CsvTable, line: int) -> None:
    table.problems.append(
        RowProblem(
            table.file,
            line,
            "",
            "the file is not valid UTF-8 (it may be Windows-1252); save it as 'CSV UTF-8' and import it again",
        )
    )


def iter_records(
    path: Path, table: CsvTable, *, required: Iterable[str], known: Iterable[str], limits: ImportLimits
) -> Iterator[tuple[int, list[str]]]:
    """The data rows of a file `check_bytes` accepted, streamed: (physical line, stripped values in the
    header's order). The header goes to `table.columns`; problems go to `table.problems` and the bad rows are
    not yielded. Fields longer than the limit are reported but still yielded (the caller rejects the file)."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream, strict=True)
        try:
            header = next(reader, None)
        except csv.Error:
            header = None
        if not header or not any(h.strip() for h in header):
            table.problems.append(RowProblem(table.file, 1, "", "the file has no header row"))
            return
        columns = [h.strip().lower() for h in header]
        check_header(table, columns, set(required), set(known))
        if table.problems:
            return
        table.columns = columns
        width = len(columns)
        longest = limits.max_field_chars
        previous_end = reader.line_num
        try:
            for record in reader:
                line = previous_end + 1
                previous_end = reader.line_num
                if len(record) != width:
                    if not record or all(not v.strip() for v in record):
                        continue
                    table.problems.append(
                        RowProblem(table.file, line, "", f"the row has {len(record)} fields but the header has {width}")
                    )
                    continue
                values = list(map(str.strip, record))
                if not any(values):
                    continue
                check_formulas(table, line, columns, values)
                if max(map(len, record)) > longest:
                    for column, value in zip(columns, record, strict=True):
                        if len(value) > longest:
                            table.problems.append(
                                RowProblem(table.file, line, column, f"the value is longer than {longest} characters")
                            )
                yield line, values
        except csv.Error as exc:
            table.problems.append(RowProblem(table.file, reader.line_num, "", f"the CSV structure is broken ({exc})"))


def read_csv(
    path: Path,
    *,
    required: Iterable[str],
    known: Iterable[str],
    limits: ImportLimits,
    long_text_columns: Iterable[str] = (),
) -> CsvTable:
    """The whole (small) file as rows of column -> value; `long_text_columns` may hold notes up to the notes
    limit."""
    table = CsvTable(file=path.name)
    check_bytes(path, table, limits)
    if table.problems:
        return table
    long_columns = set(long_text_columns)
    unchecked = ImportLimits(max_field_chars=1 << 62)  # add_row checks each column against its own limit
    for line, values in iter_records(path, table, required=required, known=known, limits=unchecked):
        add_row(table, line, table.columns, values, limits, long_columns)
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
