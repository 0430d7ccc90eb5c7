"""Gatekeeper lists: preview before writing, all-or-nothing, revised lists as a difference, safe .xlsx."""

import io
import zipfile
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from shielddesk.domain.errors import ImportRejected, InvalidInput, PermissionDenied
from shielddesk.domain.lists import EntryStatus
from shielddesk.imports.demo_list import write_list
from shielddesk.storage.models import ListEntry
from tests.support.authority import CANARY_CP_ID, list_row


def _import(authority, path, ref="GK-1"):
    preview = authority.services.lists.preview(authority.gatekeeper, path, ref)
    return preview, authority.services.lists.import_list(
        authority.gatekeeper, path, ref, expected_sha256=preview.sha256
    )


def _entries(authority, ref="GK-1"):
    return {e.details.entry_ref: e for e in authority.services.lists.entries(authority.operator1, ref)}


def test_preview_shows_every_row_and_every_problem_and_writes_nothing(authority, tmp_path):
    path = write_list(
        tmp_path / "l.csv",
        [
            list_row("A1"),
            list_row("A2", born="31/02/2016"),
            list_row("A1", gender="X"),
            list_row("A4", born="", cp_id=""),
        ],
    )
    with authority.services.ctx.transaction() as session:
        before = session.scalar(select(func.count(ListEntry.id)))
    preview = authority.services.lists.preview(authority.gatekeeper, path, "GK-1")
    assert [(p.line, p.column) for p in preview.problems] == [(3, "date_of_birth"), (4, "gender"), (5, "date_of_birth")]
    assert [e.details.entry_ref for e in preview.entries] == ["A1"]
    with authority.services.ctx.transaction() as session:
        assert session.scalar(select(func.count(ListEntry.id))) == before
    with pytest.raises(ImportRejected):
        authority.services.lists.import_list(authority.gatekeeper, path, "GK-1", expected_sha256=preview.sha256)


def test_duplicate_entry_ref_and_review_before_approval(authority, tmp_path):
    path = write_list(
        tmp_path / "l.csv",
        [list_row("A1"), list_row("a1"), list_row("A3", approved_on="2026-10-01", review_due="2026-09-01")],
    )
    problems = authority.services.lists.preview(authority.gatekeeper, path, "GK-1").problems
    assert {(p.line, p.column) for p in problems} == {(3, "entry_ref"), (4, "review_due")}


def test_file_changed_after_preview_is_refused(authority, tmp_path):
    path = write_list(tmp_path / "l.csv", [list_row("A1")])
    preview = authority.services.lists.preview(authority.gatekeeper, path, "GK-1")
    write_list(path, [list_row("A1"), list_row("A2")])
    with pytest.raises(InvalidInput, match="changed after it was previewed"):
        authority.services.lists.import_list(authority.gatekeeper, path, "GK-1", expected_sha256=preview.sha256)


def test_revised_list_shows_the_difference_and_shielded_entries_keep_their_shield(authority, tmp_path):
    rows = [
        list_row("A1"),
        list_row("A2", "Zoë", "O'Brien", "2015-01-20"),
        list_row("A3", "Sophie", "Smith-Jones", "2012-11-02"),
    ]
    _import(authority, write_list(tmp_path / "v1.csv", rows))
    entries = _entries(authority)
    services = authority.services
    request = services.shielding.propose_shield(
        authority.operator1, entries["A2"].entry_id, authority.child_id("CP9000000004"), "correct horse battery staple"
    )
    services.shielding.confirm(authority.operator2, request.request_id, "correct horse battery staple")

    revised = [
        list_row("A2", "Zoë", "O'Brien", "2015-01-20", notes="moved"),
        list_row("A3", "Sophie", "Smith-Jones", "2012-11-02"),
        list_row("A4", "Amara", "Okafor", "2016-03-14"),
    ]
    path = write_list(tmp_path / "v2.csv", revised)
    preview = services.lists.preview(authority.gatekeeper, path, "GK-1")
    diff = preview.diff
    assert diff.added == ("A4",) and diff.withdrawn == ("A1",) and diff.unchanged == 1
    assert [(c.entry_ref, c.fields, c.status) for c in diff.changed] == [("A2", ("notes",), EntryStatus.SHIELDED)]
    services.lists.import_list(authority.gatekeeper, path, "GK-1", expected_sha256=preview.sha256)
    after = _entries(authority)
    assert after["A1"].status == EntryStatus.WITHDRAWN
    assert after["A2"].status == EntryStatus.SHIELDED
    page = services.children.search(authority.practitioner, services_criteria("O'Brien"))
    assert page.rows[0].shielded


def services_criteria(surname):
    from shielddesk.domain.search import SearchCriteria

    return SearchCriteria(surname=surname)


def test_gatekeeper_adds_edits_and_withdraws_single_entries(authority):
    lists = authority.services.lists
    entry = authority.entry_for("CP9000000005")
    edited = lists.edit_entry(
        authority.gatekeeper,
        entry.entry_id,
        entry.details.__class__(**{**entry.details.__dict__, "notes": "school changed"}),
        expected_version=entry.version,
    )
    assert edited.version == entry.version + 1 and edited.details.notes == "school changed"
    with pytest.raises(InvalidInput, match="changed this entry"):
        lists.edit_entry(authority.gatekeeper, entry.entry_id, entry.details, expected_version=entry.version)
    with pytest.raises(InvalidInput):
        lists.withdraw_entry(authority.gatekeeper, entry.entry_id, "short")
    withdrawn = lists.withdraw_entry(authority.gatekeeper, entry.entry_id, "Family moved out of the area")
    assert withdrawn.status == EntryStatus.WITHDRAWN


def test_only_the_gatekeeper_changes_lists(authority, tmp_path):
    path = write_list(tmp_path / "l.csv", [list_row("A1")])
    for who in ("operator1", "supervisor", "signoff", "practitioner", "admin"):
        with pytest.raises(PermissionDenied):
            authority.services.lists.preview(getattr(authority, who), path, "GK-1")
    with pytest.raises(PermissionDenied):
        authority.services.lists.entries(authority.practitioner, "TEST-LIST")


def _xlsx(path, rows, header=("entry_ref", "forenames", "surname", "date_of_birth", "notes")):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def test_xlsx_list_reads_dates_and_refuses_formulas(authority, tmp_path):
    path = _xlsx(tmp_path / "l.xlsx", [("X1", "Amara", "Okafor", date(2016, 3, 14), "- see the referral")])
    _preview, diff = _import(authority, path, "GK-X")
    entry = _entries(authority, "GK-X")["X1"]
    assert entry.details.date_of_birth == date(2016, 3, 14) and entry.details.notes == "- see the referral"
    assert diff.added == ("X1",)
    path = _xlsx(tmp_path / "f.xlsx", [("X2", "Amara", "Okafor", date(2016, 3, 14), '=HYPERLINK("evil")')])
    preview = authority.services.lists.preview(authority.gatekeeper, path, "GK-F")
    assert [(p.line, p.column) for p in preview.problems] == [(2, "notes")]
    assert "formula" in preview.problems[0].message


def _with_entities(xml: bytes) -> bytes:
    doctype = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    if xml.startswith(b"<?xml"):
        end = xml.index(b"?>") + 2
        return xml[:end] + doctype + xml[end:]
    return doctype + xml


def _rezip(source, target, extra=None, replace=None):
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if replace and item.filename in replace:
                data = replace[item.filename](data)
            dst.writestr(item, data)
        for name, data in (extra or {}).items():
            dst.writestr(name, data)
    return target


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda src, dst: _rezip(src, dst, extra={"xl/vbaProject.bin": b"\x00" * 100}), "macros"),
        (lambda src, dst: _rezip(src, dst, replace={"xl/worksheets/sheet1.xml": _with_entities}), "DTD"),
        (lambda src, dst: _rezip(src, dst, extra={"xl/bomb.xml": b"0" * 30_000_000}), "zip bomb"),
        (lambda src, dst: dst.write_bytes(b"%PDF-1.4 not a workbook"), "wrong file type"),
        (lambda src, dst: dst.write_bytes(b"PK\x03\x04 broken"), "damaged"),
    ],
    ids=["macro", "dtd", "zip-bomb", "wrong-magic", "damaged"],
)
def test_hostile_workbooks_are_refused_with_a_clear_error(authority, tmp_path, make, message):
    source = _xlsx(tmp_path / "good.xlsx", [("X1", "Amara", "Okafor", date(2016, 3, 14), "")])
    target = tmp_path / "bad.xlsx"
    make(source, target)
    preview = authority.services.lists.preview(authority.gatekeeper, target, "GK-X")
    assert len(preview.problems) == 1 and message in preview.problems[0].message
    assert not preview.entries


def test_xlsm_is_refused(authority, tmp_path):
    path = tmp_path / "l.xlsm"
    path.write_bytes(io.BytesIO(b"").getvalue())
    assert "macro-enabled" in authority.services.lists.preview(authority.gatekeeper, path, "GK-X").problems[0].message


def test_entry_names_resolve(authority):
    entry = authority.entry_for(CANARY_CP_ID, list_ref="TEST-LIST", entry_ref="E-77")
    assert authority.services.lists.entry(authority.operator1, "TEST-LIST/e-77").entry_id == entry.entry_id


def test_entry_locations_are_masked_for_supervisors_and_sign_off_owners(authority):
    authority.entry_for("CP9000000005", entry_ref="E-loc", address="22 Station Road", notes="refuge in Demoford")
    for who, masked in (("supervisor", True), ("signoff", True), ("operator1", False), ("gatekeeper", False)):
        entry = authority.services.lists.entry(getattr(authority, who), "TEST-LIST/E-loc")
        assert (entry.details.postcode.startswith("Shielded")) is masked, who
        assert ("refuge" in entry.details.notes) is not masked, who


def test_a_withdrawn_entry_listed_again_unchanged_is_restored(authority, tmp_path):
    rows = [list_row("R1", "Sophie", "Smith-Jones", "2012-11-02"), list_row("R2", "Zoë", "O'Brien", "2015-01-20")]
    _import(authority, write_list(tmp_path / "v1.csv", rows), "GK-R")
    _import(authority, write_list(tmp_path / "v2.csv", rows[:1]), "GK-R")
    assert _entries(authority, "GK-R")["R2"].status == EntryStatus.WITHDRAWN
    _preview, diff = _import(authority, write_list(tmp_path / "v3.csv", rows), "GK-R")
    assert [(c.entry_ref, c.fields) for c in diff.changed] == [("R2", ("restored",))]
    assert _entries(authority, "GK-R")["R2"].status == EntryStatus.UNMATCHED
