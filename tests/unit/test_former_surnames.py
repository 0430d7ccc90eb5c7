"""A child known by an earlier surname — adopted, or a name changed — is still found and matched by it: a list
that carries the birth name must not end in "not found" while the child is in the index."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from shielddesk.domain.matching import MatchSubject
from shielddesk.domain.search import SearchCriteria
from shielddesk.domain.text import former_surname_keys
from shielddesk.services import matching
from shielddesk.storage.models import FormerSurname
from tests.support.authority import child_row, write_children

BORN = "2016-04-09"


def _import(authority, tmp_path, rows, name="former.csv"):
    return authority.services.population.import_population(authority.admin, write_children(tmp_path / name, rows))


def test_former_surnames_are_keyed_as_recorded_and_word_by_word():
    assert former_surname_keys("Smith-Jones; O'Neill") == ("smithjones", "smith", "jones", "oneill")
    assert former_surname_keys("") == ()


def test_search_says_how_many_had_the_surname_before_and_lists_them_on_request(authority, tmp_path):
    _import(
        authority,
        tmp_path,
        [
            child_row("CP8100000001", "Lena", "Hartley", BORN, former_surnames="Quennell"),
            child_row("CP8100000002", "Mo", "Quennell", BORN),
        ],
    )
    search = authority.services.children.search
    page = search(authority.practitioner, SearchCriteria(surname="quennell"))
    assert [r.cp_id for r in page.rows] == ["CP8100000002"] and page.former_surname_matches == 1
    former = search(authority.practitioner, SearchCriteria(surname="Quen", former_surname=True))
    assert [r.cp_id for r in former.rows] == ["CP8100000001"] and former.former_surname_matches == 0
    sounds = search(authority.operator1, SearchCriteria(surname="Quenel", sounds_like=True, former_surname=True))
    assert [r.cp_id for r in sounds.rows] == ["CP8100000001"]
    # Other criteria still apply to the children found by a former surname.
    assert (
        search(authority.practitioner, SearchCriteria(surname="quennell", forenames="zz")).former_surname_matches == 0
    )


def test_matching_finds_an_adopted_child_by_her_birth_surname_in_a_crowded_block(authority, tmp_path, monkeypatch):
    monkeypatch.setattr(matching, "BLOCK_LIMIT", 10)
    matching._candidate_query.cache_clear()
    matching._former_surname_ids.cache_clear()
    born = date(2016, 4, 9)
    crowd = [child_row(f"CP82{n:08d}", f"Child{n}", f"Crowd{n}", BORN) for n in range(40)]
    crowd.append(child_row("CP8299999999", "Lena", "Hartley", BORN, former_surnames="Quennell"))
    _import(authority, tmp_path, crowd)
    try:
        with authority.services.ctx.transaction(read_only=True) as session:
            outcome = matching.find_candidates(session, MatchSubject("Lena", "Quennell", born))
    finally:
        matching._candidate_query.cache_clear()
        matching._former_surname_ids.cache_clear()
    assert outcome.best is not None and outcome.best.facts.cp_id == "CP8299999999"
    assert outcome.best.comparison("surname").note == "matches a former surname"


def test_a_changed_extract_replaces_the_former_surnames(authority, tmp_path):
    _import(authority, tmp_path, [child_row("CP8300000001", "Ava", "Moss", BORN, former_surnames="Quill")])
    _import(authority, tmp_path, [child_row("CP8300000001", "Ava", "Moss", BORN, former_surnames="Brandt")], "2.csv")
    child_id = authority.child_id("CP8300000001")
    with authority.services.ctx.transaction(read_only=True) as session:
        keys = session.scalars(select(FormerSurname.name_key).where(FormerSurname.child_id == child_id)).all()
    assert keys == ["brandt"]
    search = authority.services.children.search
    assert search(authority.practitioner, SearchCriteria(surname="quill", former_surname=True)).total == 0


def test_the_command_line_says_so_too(authority, tmp_path, run_cli):
    _import(authority, tmp_path, [child_row("CP8400000001", "Lena", "Hartley", BORN, former_surnames="Quennell")])
    plain = run_cli(authority, "search", "--surname", "quennell", user="practitioner")
    assert plain.code == 0 and "1 more had this surname before (--former-surname lists them)." in plain.out
    former = run_cli(authority, "search", "--surname", "quennell", "--former-surname", user="practitioner")
    assert former.code == 0 and "CP8400000001" in former.out


def test_the_hint_counts_no_further_than_the_cap(authority, tmp_path, monkeypatch):
    from shielddesk.services import children

    monkeypatch.setattr(children, "FORMER_SURNAME_COUNT_CAP", 3)
    rows = [child_row(f"CP8500000{n:03d}", f"Kid{n}", "Hartley", BORN, former_surnames="Quennell") for n in range(6)]
    _import(authority, tmp_path, rows)
    page = authority.services.children.search(authority.practitioner, SearchCriteria(surname="quennell"))
    assert page.former_surname_matches == 4 and children.how_many(page.former_surname_matches) == "over 3"
