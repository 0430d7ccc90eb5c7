"""A generated corpus of malformed population extracts and gatekeeper lists: wrong encodings, broken
structure, impossible values, formulas, hostile workbooks and oversized files. Each file says which import it
is for and what the refusal must mention (so that a generic failure does not count as a specific error)."""

from __future__ import annotations

import csv
import io
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path

from shielddesk.imports.gatekeeper import LIST_COLUMNS, LIST_REQUIRED
from shielddesk.imports.population import CHILD_COLUMNS, CHILD_REQUIRED

UTF8 = "utf-?8"
NUL = "NUL byte"
DATE = "date|calendar|month|serial|future|18 or over"
FORMULA = "formula"


@dataclass(frozen=True)
class BadFile:
    path: Path
    target: str  # "population" or "list"
    category: str
    expect: str  # a regular expression the refusal must match


def _population_rows(n: int = 6) -> list[list[str]]:
    rows = []
    for i in range(n):
        row = dict.fromkeys(CHILD_COLUMNS, "")
        row.update(
            cp_id=f"CP83{i:08d}",
            forenames=f"Bad{i}",
            surname="Input",
            date_of_birth=f"2015-0{1 + i % 9}-1{i % 9}",
            gender="F",
            address_line1=f"{i} Test Street",
            town="Demoford",
            postcode="DB1 1AA",
        )
        rows.append([row[c] for c in CHILD_COLUMNS])
    return rows


def _list_rows(n: int = 6) -> list[list[str]]:
    rows = []
    for i in range(n):
        row = dict.fromkeys(LIST_COLUMNS, "")
        row.update(
            entry_ref=f"B{i}",
            forenames=f"Bad{i}",
            surname="Input",
            date_of_birth=f"2015-0{1 + i % 9}-1{i % 9}",
            reason="domestic_abuse",
            requesting_agency="police",
        )
        rows.append([row[c] for c in LIST_COLUMNS])
    return rows


TARGETS = {
    "population": (list(CHILD_COLUMNS), _population_rows, CHILD_REQUIRED),
    "list": (list(LIST_COLUMNS), _list_rows, LIST_REQUIRED),
}


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


class _Writer:
    def __init__(self, folder: Path) -> None:
        self.folder, self.count, self.files = folder, 0, []

    def add(self, target: str, category: str, expect: str, data: bytes | str, suffix: str = ".csv") -> None:
        if suffix == ".xlsx" and target == "population":
            # The population extract is CSV only: whatever the workbook holds, it is refused as not a CSV.
            expect = "not a CSV|" + UTF8 + "|NUL|no header"
        self.count += 1
        path = self.folder / f"{self.count:04d}_{target}_{category}{suffix}"
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        self.files.append(BadFile(path, target, category, expect))


def _xlsx(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)
SHEET = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
ENTITY_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><worksheet><sheetData><row><c t="inlineStr"><is><t>&lol3;</t>'
    b"</is></c></row></sheetData></worksheet>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><sst><si><t>&xxe;</t></si></sst>'
)


def corpus(folder: Path, seed: int = 500, *, oversized_bytes: int) -> list[BadFile]:
    rng = random.Random(seed)
    w = _Writer(folder)
    for target, (header, make_rows, required) in TARGETS.items():
        good = _csv_text(header, make_rows())
        lines = good.splitlines(keepends=True)
        # ---- encodings
        for encoding in ("utf-16", "utf-16-le", "utf-16-be"):
            bom = b"\xff\xfe" if encoding == "utf-16-le" else b"\xfe\xff" if encoding == "utf-16-be" else b""
            w.add(target, "utf16", "UTF-16|" + UTF8 + "|NUL", bom + good.encode(encoding))
        for n in range(10):
            accented = good.replace(f"Bad{n % 6}", rng.choice(["Zoë", "José", "Siân", "Anaïs", "Renée", "Ñuño"]))
            w.add(target, "cp1252", UTF8, accented.encode("cp1252"))
        for _ in range(80):
            data = bytearray(good.encode())
            position = rng.randrange(len(data))
            data[position : position + 1] = bytes([rng.choice([0x80, 0x9F, 0xC0, 0xC1, 0xE9, 0xF5, 0xFE, 0xFF])])
            w.add(target, "invalid_bytes", UTF8, bytes(data))
        for _ in range(50):
            data = bytearray(good.encode())
            data.insert(rng.randrange(len(data)), 0)
            w.add(target, "nul", NUL, bytes(data))
        # ---- structure
        for _ in range(40):
            broken = list(lines)
            at = rng.randrange(1, len(broken))
            fields = broken[at].rstrip("\n").split(",")
            fields = [*fields, "extra"] if rng.random() < 0.5 else fields[: rng.randrange(1, len(fields) - 1)]
            broken[at] = ",".join(fields) + "\n"
            w.add(target, "ragged", "fields but the header has", "".join(broken))
        for column in header[:5]:
            w.add(target, "duplicate_header", "appears twice", _csv_text([*header, column], []) + lines[1])
        for column in required:
            kept = [c for c in header if c != column]
            w.add(target, "missing_header", "required column is missing", _csv_text(kept, []))
        w.add(target, "empty", "no header", b"")
        w.add(target, "bom_only", "no header", b"\xef\xbb\xbf")
        w.add(target, "blank_lines", "no header", "\n\n\n")
        w.add(target, "quote_unclosed", "CSV structure is broken|fields but the header", good + 'X1,"Unclosed\n')
        # ---- values
        date_column = header.index("date_of_birth")
        for value in (
            "31/02/2015",
            "2015-02-31",
            "2015-13-01",
            "13/13/2015",
            "12/31/2015",
            "42005",
            "42005.5",
            "2015/03/04",
            "tomorrow",
            "31-12-2015",
            "2015-1-32",
            "29/02/2015",
            "2031-01-01",
            "1990-01-01",
            "0000-01-01",
        ):
            rows = make_rows()
            rows[rng.randrange(len(rows))][date_column] = value
            w.add(target, "bad_date", DATE, _csv_text(header, rows))
        cp_column = header.index("cp_id")
        for value in ("CP123", "XX1234567890", "CP12345678901", "CP 1234567890", "CP12345X7890"):
            rows = make_rows()
            rows[rng.randrange(len(rows))][cp_column] = value
            w.add(target, "bad_cp_id", "CP followed by 10 digits", _csv_text(header, rows))
        for value in ("=1+1", '=HYPERLINK("http://evil.example","x")', "+SUM(A1:A9)", "-cmd|' /C calc'!A0", "@SUM(1)"):
            for column in ("forenames", "surname", "postcode"):
                rows = make_rows()
                rows[rng.randrange(len(rows))][header.index(column)] = value
                w.add(target, "formula", FORMULA, _csv_text(header, rows))
        rows = make_rows()
        rows[0][header.index("forenames")] = "A" * 1001
        w.add(target, "too_long", "longer than", _csv_text(header, rows))
        for _ in range(15):  # several problems at once: each must be reported
            rows = make_rows()
            rows[0][date_column] = "31/02/2015"
            rows[1][header.index("surname")] = "=2*3"
            rows[2][cp_column] = "CP1"
            w.add(target, "mixed", f"{DATE}|{FORMULA}", _csv_text(header, rows))
        # ---- workbooks
        w.add(
            target,
            "zip_bomb",
            "zip bomb|unpacks to more",
            _xlsx({"[Content_Types].xml": CONTENT_TYPES, "xl/worksheets/sheet1.xml": b"<" + b" " * 5_000_000}),
            ".xlsx",
        )
        w.add(
            target,
            "zip_bomb_nested",
            "zip bomb|unpacks to more",
            _xlsx({"[Content_Types].xml": CONTENT_TYPES, "xl/sharedStrings.xml": b"0" * 3_000_000}),
            ".xlsx",
        )
        for name, payload in (("xl/worksheets/sheet1.xml", ENTITY_BOMB), ("xl/sharedStrings.xml", EXTERNAL_ENTITY)):
            members = {"[Content_Types].xml": CONTENT_TYPES, "xl/worksheets/sheet1.xml": SHEET, name: payload}
            w.add(target, "xml_entities", "DTD|entities", _xlsx(members), ".xlsx")
        w.add(
            target,
            "macros",
            "macro",
            _xlsx({"[Content_Types].xml": CONTENT_TYPES, "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 64}),
            ".xlsx",
        )
        w.add(
            target,
            "macro_enabled",
            "macro",
            _xlsx({"[Content_Types].xml": CONTENT_TYPES.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")}),
            ".xlsx",
        )
        for label, data in (
            ("csv_named_xlsx", good.encode()),
            ("png_named_xlsx", b"\x89PNG\r\n\x1a\n" + bytes(64)),
            ("pdf_named_xlsx", b"%PDF-1.7\n" + bytes(64)),
            ("random_named_xlsx", rng.randbytes(256)),
            ("empty_xlsx", b""),
        ):
            w.add(target, label, "not an .xlsx|wrong file type", data, ".xlsx")
        real = _xlsx({"[Content_Types].xml": CONTENT_TYPES, "xl/worksheets/sheet1.xml": SHEET})
        for cut in (10, len(real) // 2, len(real) - 5):
            w.add(target, "truncated_xlsx", "damaged|could not be read", real[:cut], ".xlsx")
        w.add(target, "no_content_types", "damaged", _xlsx({"xl/worksheets/sheet1.xml": SHEET}), ".xlsx")
        # ---- size
        w.add(target, "oversized", "larger than", good.encode() + b"x" * oversized_bytes)
    return w.files
