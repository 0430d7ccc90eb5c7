"""Reading a workbook defensively: an .xlsx is a zip of XML, so a hostile one can be a zip bomb, carry
macros, or use XML entities to expand itself. All of those are refused before openpyxl parses anything."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from shielddesk.domain.errors import RowProblem
from shielddesk.imports.csvfile import CsvTable, add_row, check_formulas, check_header
from shielddesk.imports.limits import ImportLimits

ZIP_MAGIC = b"PK\x03\x04"
MAX_RATIO = 200  # uncompressed / compressed, for any member over 1 MB unpacked
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _refuse(table: CsvTable, message: str) -> CsvTable:
    table.problems.append(RowProblem(table.file, 0, "", message))
    return table


def _check_container(data: bytes, table: CsvTable, limits: ImportLimits) -> bool:
    if not data.startswith(ZIP_MAGIC):
        _refuse(table, "the file is not an .xlsx workbook (wrong file type); save it as .xlsx or CSV UTF-8")
        return False
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        _refuse(table, "the workbook is damaged (not a readable .xlsx)")
        return False
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.max_xlsx_unpacked_bytes:
        _refuse(table, f"the workbook unpacks to more than {limits.max_xlsx_unpacked_bytes // 1_048_576} MB")
        return False
    for member in members:
        if member.file_size > 1_048_576 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            _refuse(table, "the workbook is compressed suspiciously hard (a zip bomb?) and was not opened")
            return False
        name = member.filename.lower()
        if name.endswith("vbaproject.bin") or (name.endswith(".bin") and "vba" in name):
            _refuse(table, "the workbook contains macros; save it as a plain .xlsx without macros")
            return False
    try:
        content_types = archive.read("[Content_Types].xml")
    except KeyError:
        _refuse(table, "the workbook is damaged (no content types)")
        return False
    if b"macroEnabled" in content_types or b"vbaProject" in content_types:
        _refuse(table, "the workbook is macro-enabled; save it as a plain .xlsx without macros")
        return False
    for member in members:
        if member.filename.lower().endswith((".xml", ".rels", ".vml")):
            with archive.open(member) as handle:
                if _DTD.search(handle.read(limits.max_xlsx_unpacked_bytes)):
                    _refuse(table, "the workbook contains a DTD or XML entities, which are not allowed")
                    return False
    return True


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(
    path: Path,
    *,
    required: Iterable[str],
    known: Iterable[str],
    limits: ImportLimits,
    long_text_columns: Iterable[str] = (),
) -> CsvTable:
    table = CsvTable(file=path.name)
    try:
        if path.stat().st_size > limits.max_file_bytes:
            return _refuse(table, f"the file is larger than the {limits.max_file_bytes // 1_048_576} MB limit")
        data = path.read_bytes()
    except OSError as exc:
        return _refuse(table, f"the file cannot be read ({exc.strerror})")
    table.sha256 = hashlib.sha256(data).hexdigest()
    if not _check_container(data, table, limits):
        return table
    from openpyxl import load_workbook  # loaded when a workbook is first read: start-up time

    try:
        # Formulas are read as their text ("=..."), never evaluated; the value is kept as text.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds of error for a malformed workbook
        return _refuse(table, "the workbook could not be read (damaged or not a worksheet file)")
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if not header or not any(h is not None and str(h).strip() for h in header):
            return _refuse(table, "the first sheet has no header row")
        columns = [_cell_text(h).strip().lower() for h in header]
        check_header(table, columns, set(required), set(known))
        if table.problems:
            return table
        table.columns = columns
        long_columns = set(long_text_columns)
        for line, record in enumerate(rows, start=2):
            values = [_cell_text(v) for v in record]
            if not any(v.strip() for v in values):
                continue
            if len(values) < len(columns):
                values += [""] * (len(columns) - len(values))
            if len(values) > len(columns) and any(v.strip() for v in values[len(columns) :]):
                table.problems.append(
                    RowProblem(table.file, line, "", "the row has values beyond the last header column")
                )
                continue
            check_formulas(table, line, columns, [value.strip() for value in values[: len(columns)]])
            add_row(table, line, columns, values[: len(columns)], limits, long_columns)
    finally:
        workbook.close()
    return table
