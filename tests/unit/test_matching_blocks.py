"""Blocking at national scale: when more children share a block than are scored, the likeliest are kept."""

from __future__ import annotations

from datetime import date

import pytest

from shielddesk.domain.matching import MatchSubject, birth_date_variants
from shielddesk.services import matching
from tests.support.authority import child_row, write_children


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(matching, "BLOCK_LIMIT", 20)
    matching._candidate_query.cache_clear()
    yield
    matching._candidate_query.cache_clear()


def test_a_block_larger_than_the_limit_keeps_the_same_name_and_birth_date(authority, tmp_path, small_blocks):
    born = date(2015, 6, 14)
    others = sorted(d for d in birth_date_variants(born) if d != born and 2009 <= d.year <= 2020)[:60]
    rows = [child_row(f"CP84{n:08d}", f"Sibling{n}", "Smith", d.isoformat()) for n, d in enumerate(others)]
    rows += [child_row(f"CP85{n:08d}", f"Other{n}", f"Surname{n}", born.isoformat()) for n in range(30)]
    rows.append(child_row("CP8699999999", "Olivia", "Smith", born.isoformat()))  # stored last
    authority.services.population.import_population(authority.admin, write_children(tmp_path / "p.csv", rows))
    with authority.services.ctx.transaction(read_only=True) as session:
        outcome = matching.find_candidates(session, MatchSubject("Olivia", "Smith", born))
    assert len(rows) > 2 * matching.BLOCK_LIMIT
    assert outcome.best is not None and outcome.best.facts.cp_id == "CP8699999999"


def test_a_mistyped_birth_date_still_keeps_the_same_name_ahead_of_a_crowded_block(authority, tmp_path, small_blocks):
    typed, true_birth = date(2015, 6, 14), date(2015, 6, 15)  # one digit slipped on the list
    others = sorted(d for d in birth_date_variants(typed) if d not in (typed, true_birth) and 2009 <= d.year <= 2020)
    rows = [child_row(f"CP84{n:08d}", f"Sibling{n}", "Smith", d.isoformat()) for n, d in enumerate(others)]
    rows += [child_row(f"CP85{n:08d}", f"Other{n}", f"Surname{n}", typed.isoformat()) for n in range(30)]
    rows.append(child_row("CP8699999999", "Olivia", "Smith", true_birth.isoformat()))  # stored last
    authority.services.population.import_population(authority.admin, write_children(tmp_path / "p.csv", rows))
    with authority.services.ctx.transaction(read_only=True) as session:
        outcome = matching.find_candidates(session, MatchSubject("Olivia", "Smith", typed))
    assert len(rows) > 2 * matching.BLOCK_LIMIT
    assert outcome.best is not None and outcome.best.facts.cp_id == "CP8699999999"
