"""Matching accuracy on a 100,000-child synthetic population with realistic typos (documented noise rates
in shielddesk/imports/demo_list.py): the right child is the top candidate for at least 95% of 1,000
entries, and every twin pair is flagged ambiguous."""

import time
from collections import Counter

import pytest

from shielddesk.domain.matching import MatchSubject
from shielddesk.services.matching import find_candidates
from tests.support.authority import make_authority
from tests.support.population import import_demo_population, noisy_subjects, true_children, twin_pairs

pytestmark = pytest.mark.slow
POPULATION = 100_000


@pytest.fixture(scope="module")
def big_authority(tmp_path_factory, sqlite_template):
    import shutil

    from shielddesk.app import build_services
    from shielddesk.config import Config
    from shielddesk.domain.clock import FakeClock
    from shielddesk.security.passwords import fast_hasher_for_tests
    from shielddesk.security.secrets import SecretStore
    from tests.support.memory_keyring import MemoryKeyring

    folder = tmp_path_factory.mktemp("big")
    shutil.copyfile(sqlite_template, folder / "shielddesk.db")
    config = Config.load(database_url=f"sqlite:///{folder / 'shielddesk.db'}", data_dir=folder, environ={})
    services = build_services(
        config,
        secrets=SecretStore(MemoryKeyring()),
        clock=FakeClock(),
        hashing=fast_hasher_for_tests(),
        auto_upgrade=False,
    )
    authority = make_authority(services, folder, population=False)
    started = time.perf_counter()
    import_demo_population(services, authority.admin, folder, POPULATION)
    print(f"\n[matching] imported {POPULATION:,} children in {time.perf_counter() - started:.1f} s")
    yield authority
    services.close()


def test_top_candidate_is_right_for_at_least_95_percent(big_authority):
    services = big_authority.services
    today = services.ctx.now().date()
    subjects = noisy_subjects(true_children(services, 1000), today)
    right, misses = 0, Counter()
    started = time.perf_counter()
    with services.ctx.transaction() as session:
        for subject, truth, noise in subjects:
            outcome = find_candidates(session, subject)
            if outcome.best is not None and outcome.best.facts.child_id == truth:
                right += 1
            else:
                misses.update(noise or ["no noise"])
    elapsed = time.perf_counter() - started
    rate = right / len(subjects)
    print(
        f"\n[matching] top-1 correct {right}/{len(subjects)} = {rate:.1%}; {len(subjects) / elapsed:.0f} entries/s; "
        f"noise among misses: {dict(misses)}"
    )
    assert rate >= 0.95


def test_every_twin_pair_is_flagged_ambiguous(big_authority):
    services = big_authority.services
    pairs = twin_pairs(services, 200)
    assert len(pairs) >= 50
    flagged = 0
    with services.ctx.transaction() as session:
        for first, second in pairs:
            for twin in (first, second):
                subject = MatchSubject(
                    forenames=twin.forenames,
                    surname=twin.surname,
                    date_of_birth=twin.date_of_birth,
                    gender=twin.gender,
                    postcode=twin.postcode,
                )
                outcome = find_candidates(session, subject)
                assert outcome.ambiguous, f"twin {twin.cp_id} not flagged"
                assert {c.facts.child_id for c in outcome.candidates} >= {first.child_id, second.child_id}
                flagged += 1
    print(f"\n[matching] {flagged} twin entries ({len(pairs)} pairs), every one flagged ambiguous")
