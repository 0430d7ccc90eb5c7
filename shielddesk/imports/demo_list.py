"""A synthetic gatekeeper list with the kinds of mess real lists have: typos, day and month swapped, a
mistyped digit, forename and surname swapped, a former surname, missing postcodes, a child who is not in
the index. Used by the demo and by the matching accuracy tests and benchmark."""

from __future__ import annotations

import csv
import random
import string
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from shielddesk.domain.validation import MAX_AGE_YEARS, age_on
from shielddesk.imports.gatekeeper import LIST_COLUMNS


@dataclass(frozen=True)
class TrueChild:
    child_id: int
    cp_id: str
    forenames: str
    surname: str
    former_surnames: str
    date_of_birth: date
    gender: str
    postcode: str
    address: str


# Documented noise rates (each applied independently; an entry may carry several).
NOISE_RATES = {
    "surname_typo": 0.10,
    "forename_typo": 0.10,
    "day_month_swapped": 0.04,
    "birth_digit_wrong": 0.04,
    "names_swapped": 0.02,
    "former_surname_used": 0.02,
    "postcode_missing": 0.20,
    "postcode_moved": 0.08,
    "cp_id_given": 0.25,
}


def typo(rng: random.Random, word: str) -> str:
    """One keyboard slip: a letter dropped, doubled, replaced or two letters swapped."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("drop", "double", "replace", "swap"))
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "replace":
        return word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1 :]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def _wrong_digit(rng: random.Random, born: date, today: date) -> date:
    for _ in range(20):
        text = born.strftime("%d%m%Y")
        i = rng.choice((0, 1, 6, 7))  # day digits or the last two of the year: the common slips
        candidate = text[:i] + rng.choice("0123456789".replace(text[i], "")) + text[i + 1 :]
        try:
            moved = date(int(candidate[4:]), int(candidate[2:4]), int(candidate[:2]))
        except ValueError:
            continue
        if moved <= today and moved != born and age_on(moved, today) < MAX_AGE_YEARS:
            return moved
    return born


def noisy_row(rng: random.Random, child: TrueChild, entry_ref: str, today: date) -> tuple[dict[str, str], list[str]]:
    """A list row describing `child`, with documented noise. Returns the row and the noise applied."""
    applied: list[str] = []
    forenames, surname, born = child.forenames, child.surname, child.date_of_birth
    postcode = child.postcode
    if child.former_surnames and rng.random() < NOISE_RATES["former_surname_used"] * 10:
        surname = child.former_surnames.split()[0]
        applied.append("former_surname_used")
    elif rng.random() < NOISE_RATES["surname_typo"]:
        surname = typo(rng, surname)
        applied.append("surname_typo")
    if rng.random() < NOISE_RATES["forename_typo"]:
        forenames = typo(rng, forenames.split()[0])
        applied.append("forename_typo")
    if rng.random() < NOISE_RATES["day_month_swapped"] and born.day <= 12 and born.day != born.month:
        swapped = date(born.year, born.day, born.month)
        if swapped <= today:
            born = swapped
            applied.append("day_month_swapped")
    elif rng.random() < NOISE_RATES["birth_digit_wrong"]:
        born = _wrong_digit(rng, born, today)
        applied.append("birth_digit_wrong")
    if rng.random() < NOISE_RATES["names_swapped"]:
        forenames, surname = surname, forenames.split()[0]
        applied.append("names_swapped")
    if rng.random() < NOISE_RATES["postcode_missing"]:
        postcode = ""
        applied.append("postcode_missing")
    elif rng.random() < NOISE_RATES["postcode_moved"]:
        postcode = f"DB{rng.randint(1, 19)} {rng.randint(0, 9)}QQ"
        applied.append("postcode_moved")
    approved = today - timedelta(days=rng.randint(1, 40))
    row = {
        "entry_ref": entry_ref,
        "cp_id": child.cp_id if rng.random() < NOISE_RATES["cp_id_given"] else "",
        "forenames": forenames,
        "surname": surname,
        "date_of_birth": born.strftime("%d/%m/%Y") if rng.random() < 0.5 else born.isoformat(),
        "gender": child.gender,
        "postcode": postcode,
        "address": child.address if postcode and rng.random() < 0.5 else "",
        "reason": rng.choice(
            ("domestic_abuse", "domestic_abuse", "witness_protection", "adoption_placement", "forced_marriage", "other")
        ),
        "requesting_agency": rng.choice(("local_authority", "police", "health", "other")),
        "approved_by": rng.choice(("J. Okoro, Head of Specialist Services", "M. Fielding, Service Manager")),
        "approved_on": approved.isoformat(),
        "review_due": (approved + timedelta(days=rng.choice((91, 182, 365)))).isoformat(),
        "shield_carers": rng.choice(("Y", "Y", "Y", "N")),
        "notes": "",
    }
    return row, applied


def write_list(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(LIST_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    return path
