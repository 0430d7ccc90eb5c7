"""Large synthetic populations for accuracy tests and benchmarks, built through the real import path."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from shielddesk.app import Services
from shielddesk.imports.csvfile import CsvRow
from shielddesk.imports.demo_list import TrueChild, noisy_row
from shielddesk.imports.demo_population import write_demo_population
from shielddesk.imports.gatekeeper import parse_entry
from shielddesk.services.demo import true_child_of
from shielddesk.services.session import UserSession
from shielddesk.storage.models import Child


def import_demo_population(services: Services, admin: UserSession, folder: Path, children: int) -> None:
    files = write_demo_population(folder, children, today=services.ctx.now().date())
    services.population.import_population(admin, files.children_csv, files.involvements_csv)


def true_children(services: Services, count: int, seed: int = 3) -> list[TrueChild]:
    with services.ctx.transaction() as session:
        ids = list(session.scalars(select(Child.id)))
        chosen = random.Random(seed).sample(ids, count)
        rows = session.scalars(select(Child).where(Child.id.in_(chosen))).all()
        return [true_child_of(c) for c in rows]


def twin_pairs(services: Services, limit: int) -> list[tuple[TrueChild, TrueChild]]:
    with services.ctx.transaction() as session:
        groups = session.execute(
            select(Child.surname_key, Child.date_of_birth, Child.postcode_key)
            .group_by(Child.surname_key, Child.date_of_birth, Child.postcode_key)
            .having(func.count() == 2)
            .limit(limit)
        ).all()
        pairs = []
        for surname_key, born, postcode in groups:
            a, b = session.scalars(
                select(Child)
                .where(Child.surname_key == surname_key, Child.date_of_birth == born, Child.postcode_key == postcode)
                .order_by(Child.id)
            ).all()
            pairs.append((true_child_of(a), true_child_of(b)))
        return pairs


def noisy_subjects(children: list[TrueChild], today: date, seed: int = 9):
    """(MatchSubject, true child id, noise) for each child, through the real list-row parser."""
    from shielddesk.services.matching import subject_of

    rng = random.Random(seed)
    out = []
    for number, child in enumerate(children):
        row, noise = noisy_row(rng, child, f"E{number}", today)
        details = parse_entry(CsvRow(number + 2, row), "generated.csv", today, problems := [])
        assert details is not None, problems
        out.append((subject_of(details), child.child_id, noise))
    return out
