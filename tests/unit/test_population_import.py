"""Population import: all-or-nothing, every problem named by file line and column, re-import by cp_id."""

import hashlib

import pytest
from sqlalchemy import func, inspect, select, text

from shielddesk.domain.errors import ImportRejected, PermissionDenied
from shielddesk.domain.search import SearchCriteria
from shielddesk.imports.limits import ImportLimits
from shielddesk.services.population import PopulationService
from shielddesk.storage.models import Child
from tests.support.authority import child_row, standard_children, write_children

TABLES = ("child", "carer", "involvement", "shield", "app_user")


def _checksum(services):
    digest = hashlib.sha256()
    with services.engine.connect() as connection:
        for table in TABLES:
            for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY 1")):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def _reject(authority, path, involvements=None, service=None):
    before = _checksum(authority.services)
    with pytest.raises(ImportRejected) as caught:
        (service or authority.services.population).import_population(authority.admin, path, involvements)
    assert _checksum(authority.services) == before, "a refused import changed the database"
    return caught.value.problems


def test_import_creates_children_with_carers_and_involvements(authority):
    page = authority.services.children.search(authority.operator1, SearchCriteria(surname="walsh"))
    assert page.total == 2
    with authority.services.ctx.transaction() as session:
        assert session.scalar(select(func.count(Child.id))) == 30


def test_reimport_updates_by_cp_id_and_leaves_unchanged_rows_alone(authority, tmp_path):
    rows = standard_children()
    rows[4]["address_line1"] = "23 Station Road"
    summary = authority.services.population.import_population(authority.admin, write_children(tmp_path / "b.csv", rows))
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 29)
    with authority.services.ctx.transaction() as session:
        child = session.scalars(select(Child).where(Child.cp_id == rows[4]["cp_id"])).one()
        assert child.address_line1 == "23 Station Road" and child.version == 2


def test_impossible_date_names_line_and_column(authority, tmp_path):
    rows = [
        child_row("CP8000000001", "Ann", "Lee", "2015-01-01"),
        child_row("CP8000000002", "Bo", "Lee", "31/02/2016"),
    ]
    problems = _reject(authority, write_children(tmp_path / "x.csv", rows))
    assert [(p.line, p.column) for p in problems] == [(3, "date_of_birth")]
    assert "not a real calendar date" in problems[0].message


@pytest.mark.parametrize(
    ("born", "message"),
    [("2030-01-01", "future"), ("2000-01-01", "18 or over"), ("2016-13-01", "month"), ("soon", "not a date")],
)
def test_bad_birth_dates_are_refused(authority, tmp_path, born, message):
    problems = _reject(authority, write_children(tmp_path / "x.csv", [child_row("CP8000000001", "A", "B", born)]))
    assert message in problems[0].message and problems[0].column == "date_of_birth"


def test_missing_required_values_and_duplicate_cp_ids(authority, tmp_path):
    rows = [
        child_row("CP8000000001", "", "Lee", "2015-01-01"),
        child_row("CP8000000002", "Bo", "Lee", "2015-01-01"),
        child_row("CP8000000002", "Cy", "Lee", "2015-01-01"),
        child_row("CP12", "Di", "Lee", "2015-01-01"),
    ]
    problems = _reject(authority, write_children(tmp_path / "x.csv", rows))
    described = {(p.line, p.column) for p in problems}
    assert described == {(2, "forenames"), (4, "cp_id"), (5, "cp_id")}
    assert any("already used on line 3" in p.message for p in problems)


def test_missing_required_column_in_header(authority, tmp_path):
    path = write_children(
        tmp_path / "x.csv",
        [child_row("CP8000000001", "A", "B", "2015-01-01")],
        columns=("cp_id", "forenames", "surname"),
    )
    problems = _reject(authority, path)
    assert [(p.line, p.column) for p in problems] == [(1, "date_of_birth")]


def test_windows_1252_file_is_refused_with_the_line(authority, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(
        "cp_id,forenames,surname,date_of_birth\nCP8000000001,Ann,Lee,2015-01-01\n"
        "CP8000000002,Zoë,Lee,2015-01-01\n".encode("cp1252")
    )
    problems = _reject(authority, path)
    assert problems[0].line == 3 and "UTF-8" in problems[0].message


def test_utf16_is_refused_and_utf8_with_bom_is_accepted(authority, tmp_path):
    body = "cp_id,forenames,surname,date_of_birth\nCP8000000001,Zoë,Lee,2015-01-01\n"
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes(body.encode("utf-16"))
    assert "UTF-16" in _reject(authority, utf16)[0].message
    bom = tmp_path / "bom.csv"
    bom.write_bytes(body.encode("utf-8-sig"))
    summary = authority.services.population.import_population(authority.admin, bom)
    assert summary.created == 1


def test_ragged_row_is_refused(authority, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("cp_id,forenames,surname,date_of_birth\nCP8000000001,Ann,Lee,2015-01-01,extra\n", encoding="utf-8")
    problems = _reject(authority, path)
    assert problems[0].line == 2 and "5 fields" in problems[0].message


def test_involvement_for_unknown_child_is_refused(authority, tmp_path):
    children = write_children(tmp_path / "c.csv", [child_row("CP8000000001", "A", "B", "2015-01-01")])
    involvements = tmp_path / "i.csv"
    involvements.write_text("cp_id,service\nCP8000000001,CSC\nCP7777777777,CSC\n", encoding="utf-8")
    problems = _reject(authority, children, involvements)
    assert [(p.file, p.line, p.column) for p in problems] == [("i.csv", 3, "cp_id")]


def test_file_over_the_size_limit_is_refused(authority, tmp_path):
    small = PopulationService(authority.services.ctx, ImportLimits(max_file_bytes=100))
    path = write_children(tmp_path / "x.csv", standard_children())
    assert "limit" in _reject(authority, path, service=small)[0].message


def test_over_long_field_is_refused(authority, tmp_path):
    rows = [child_row("CP8000000001", "A" * 1001, "B", "2015-01-01")]
    problems = _reject(authority, write_children(tmp_path / "x.csv", rows))
    assert problems[0].column == "forenames" and "1000" in problems[0].message


def test_problem_messages_never_repeat_a_value_from_the_file(authority, tmp_path):
    rows = [child_row("CP8000000001", "Ann", "Lee", "31/02/2016", postcode="ZZ99 Secret", address_line1="x" * 1200)]
    problems = _reject(authority, write_children(tmp_path / "x.csv", rows))
    assert all("31/02" not in str(p) and "Secret" not in str(p) for p in problems)


def test_formula_like_text_is_refused_but_phone_numbers_and_hyphens_pass(authority, tmp_path):
    rows = [child_row("CP8000000001", '=HYPERLINK("x")', "Lee", "2015-01-01")]
    with pytest.raises(ImportRejected) as refused:
        authority.services.population.import_population(authority.admin, write_children(tmp_path / "x.csv", rows))
    assert [(p.line, p.column) for p in refused.value.problems] == [(2, "forenames")]
    assert "formula" in str(refused.value)
    rows = [child_row("CP8000000002", "Anne-Marie", "Lee-Smith", "2015-01-01", carer1_phone="+44 113 496 0000")]
    authority.services.population.import_population(authority.admin, write_children(tmp_path / "y.csv", rows))
    page = authority.services.children.search(authority.operator1, SearchCriteria(cp_id="CP8000000002"))
    assert page.rows[0].forenames == "Anne-Marie"


def test_only_an_administrator_may_import(authority, tmp_path):
    path = write_children(tmp_path / "x.csv", standard_children())
    for name in ("operator1", "supervisor", "signoff", "gatekeeper", "practitioner"):
        with pytest.raises(PermissionDenied):
            authority.services.population.import_population(getattr(authority, name), path)


def _indexes(services):
    inspector = inspect(services.engine)
    return {table: sorted(i["name"] for i in inspector.get_indexes(table)) for table in ("child", "carer")}


def test_a_large_load_refused_late_leaves_every_search_index_in_place(authority, tmp_path):
    """A file larger than the table is loaded with its search indexes dropped and rebuilt in the same
    transaction (SQLite); a problem on the last line must roll the drop back too."""
    before = _indexes(authority.services)
    rows = [child_row(f"CP7{n:09d}", "Ann", f"Lee{n}", "2015-01-01") for n in range(60)]
    rows[-1]["date_of_birth"] = "31/02/2016"
    problems = _reject(authority, write_children(tmp_path / "large.csv", rows))
    assert [(p.line, p.column) for p in problems] == [(61, "date_of_birth")]
    assert _indexes(authority.services) == before


def test_a_large_load_that_succeeds_keeps_every_search_index(authority, tmp_path):
    before = _indexes(authority.services)
    rows = [child_row(f"CP7{n:09d}", "Ann", f"Lee{n}", "2015-01-01") for n in range(60)]
    summary = authority.services.population.import_population(authority.admin, write_children(tmp_path / "l.csv", rows))
    assert summary.created == 60
    assert _indexes(authority.services) == before
    page = authority.services.children.search(authority.operator1, SearchCriteria(surname="lee5"))
    assert page.total == 11  # Lee5, Lee50..Lee59, found through the rebuilt surname index
