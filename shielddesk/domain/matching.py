"""Match scoring: how well one child record fits what a gatekeeper's list entry says.

Pure and explainable: every candidate carries, field by field, whether it agrees, partly agrees (and why:
sounds alike, day and month swapped, former surname, …) or disagrees. Nothing here links anything: an
operator chooses. Scores run 0-100; a matching `cp_id` makes a candidate certain.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache

from rapidfuzz.distance import JaroWinkler, Levenshtein
from rapidfuzz.fuzz import token_set_ratio

from shielddesk.domain.text import former_surname_keys, name_key, phonetic_key, postcode_key, words_key

PLAUSIBLE = 50
STRONG = 80
CLOSE_GAP = 10
MAX_SHOWN = 12


class Agreement(StrEnum):
    AGREE = "agree"
    PARTIAL = "partial"
    DISAGREE = "disagree"
    MISSING = "missing"


@dataclass(frozen=True)
class MatchSubject:
    """Who is being looked for, as the list entry describes them."""

    forenames: str
    surname: str
    date_of_birth: date | None = None
    cp_id: str = ""
    gender: str = "U"
    postcode: str = ""
    address: str = ""


@dataclass(frozen=True)
class CandidateFacts:
    child_id: int
    cp_id: str
    forenames: str
    surname: str
    former_surnames: str
    date_of_birth: date
    gender: str
    postcode: str
    address: str
    shielded: bool = False


@dataclass(frozen=True)
class FieldComparison:
    field: str
    agreement: Agreement
    note: str = ""


@lru_cache(maxsize=256)
def _compared(field: str, agreement: Agreement, note: str = "") -> FieldComparison:
    """Comparisons are immutable and few: one instance of each, not one per candidate scored (a fifth of the
    scoring time went to building them)."""
    return FieldComparison(field, agreement, note)


@dataclass(frozen=True)
class ScoredCandidate:
    facts: CandidateFacts
    score: int
    certain: bool
    comparisons: tuple[FieldComparison, ...]

    def comparison(self, field: str) -> FieldComparison:
        return next(c for c in self.comparisons if c.field == field)


@dataclass(frozen=True)
class MatchOutcome:
    candidates: tuple[ScoredCandidate, ...]
    ambiguous: bool
    weak: bool
    warnings: tuple[str, ...]

    @property
    def best(self) -> ScoredCandidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def plausible(self) -> bool:
        return self.best is not None and self.best.score >= PLAUSIBLE


@dataclass(frozen=True)
class _Wanted:
    """The entry's keys, worked out once and compared against every candidate."""

    subject: MatchSubject
    surname: str
    surname_phonetic: str
    surname_parts: frozenset[str]
    forename_parts: tuple[str, ...]
    first_phonetic: str
    forenames: str
    postcode: str
    address: str


@lru_cache(maxsize=256)
def _wanted(subject: MatchSubject) -> _Wanted:
    forename_parts = _parts(subject.forenames)
    return _Wanted(
        subject,
        name_key(subject.surname),
        phonetic_key(subject.surname),
        frozenset(_parts(subject.surname)),
        forename_parts,
        phonetic_key(forename_parts[0]) if forename_parts else "",
        name_key(subject.forenames),
        postcode_key(subject.postcode),
        words_key(subject.address),
    )


# ---- date of birth ----------------------------------------------------------------------------------


@lru_cache(maxsize=1 << 15)
def _digits(day: date) -> str:
    return day.strftime("%d%m%Y")


def birth_date_variants(day: date) -> set[date]:
    """The dates a clerical slip could have turned `day` into: day/month swapped, one digit changed,
    two adjacent digits transposed. Used to find candidates whose recorded date was mistyped."""
    variants = {day}
    if day.day <= 12:  # the month becomes the day: always a valid day (1-12)
        variants.add(date(day.year, day.day, day.month))
    text = _digits(day)
    edits = []
    for i in range(8):
        edits.extend(text[:i] + d + text[i + 1 :] for d in "0123456789" if d != text[i])
        if i < 7:
            edits.append(text[:i] + text[i + 1] + text[i] + text[i + 2 :])
    for edit in edits:
        try:
            variants.add(date(int(edit[4:]), int(edit[2:4]), int(edit[:2])))
        except ValueError:
            continue
    return variants


def _compare_birth(wanted: date | None, recorded: date) -> tuple[float, FieldComparison]:
    if wanted is None:
        return 0.0, _compared("date_of_birth", Agreement.MISSING)
    if wanted == recorded:
        return 30.0, _compared("date_of_birth", Agreement.AGREE)
    if wanted.year == recorded.year and wanted.day == recorded.month and wanted.month == recorded.day:
        return 22.0, _compared("date_of_birth", Agreement.PARTIAL, "day and month swapped")
    a, b = _digits(wanted), _digits(recorded)
    differing = [i for i in range(8) if a[i] != b[i]]
    if len(differing) == 1:
        return 20.0, _compared("date_of_birth", Agreement.PARTIAL, "one digit differs")
    if (
        len(differing) == 2
        and differing[1] == differing[0] + 1
        and a[differing[0]] == b[differing[1]]
        and (a[differing[1]] == b[differing[0]])
    ):
        return 18.0, _compared("date_of_birth", Agreement.PARTIAL, "two digits transposed")
    if (wanted.year, wanted.month) == (recorded.year, recorded.month):
        return 6.0, _compared("date_of_birth", Agreement.PARTIAL, "same month and year only")
    return 0.0, _compared("date_of_birth", Agreement.DISAGREE)


# ---- names --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1 << 16)
def _parts(text: str) -> tuple[str, ...]:
    return tuple(p for p in words_key(text.replace("-", " ").replace("'", "")).split(" ") if p)


def _surname(wanted: _Wanted, facts: CandidateFacts) -> tuple[float, FieldComparison]:
    recorded = name_key(facts.surname)
    if not wanted.surname:
        return 0.0, _compared("surname", Agreement.MISSING)
    if wanted.surname == recorded:
        return 30.0, _compared("surname", Agreement.AGREE)
    if facts.former_surnames and wanted.surname in former_surname_keys(facts.former_surnames):
        return 27.0, _compared("surname", Agreement.PARTIAL, "matches a former surname")
    recorded_parts = set(_parts(facts.surname))
    if len(wanted.surname_parts | recorded_parts) > 1 and wanted.surname_parts & recorded_parts:
        return 24.0, _compared("surname", Agreement.PARTIAL, "one part of a double-barrelled name")
    if wanted.surname_phonetic and wanted.surname_phonetic == phonetic_key(facts.surname):
        return 22.0, _compared("surname", Agreement.PARTIAL, "sounds alike")
    similarity = JaroWinkler.similarity(wanted.surname, recorded)
    if similarity >= 0.9 or Levenshtein.distance(wanted.surname, recorded) == 1:
        return 20.0, _compared("surname", Agreement.PARTIAL, "close spelling")
    if similarity >= 0.8:
        return 10.0, _compared("surname", Agreement.PARTIAL, "similar spelling")
    return 0.0, _compared("surname", Agreement.DISAGREE)


def _forenames(wanted: _Wanted, facts: CandidateFacts) -> tuple[float, FieldComparison]:
    wanted_parts, recorded_parts = wanted.forename_parts, _parts(facts.forenames)
    if not wanted_parts:
        return 0.0, _compared("forenames", Agreement.MISSING)
    if not recorded_parts:
        return 0.0, _compared("forenames", Agreement.DISAGREE)
    first, recorded_first = wanted_parts[0], recorded_parts[0]
    if wanted_parts == recorded_parts or (first == recorded_first and len(recorded_parts) > 1 >= len(wanted_parts)):
        # All the forenames, or the first when the entry gives only that one ("Amara" for "Amara Grace").
        return 20.0, _compared("forenames", Agreement.AGREE)
    if first == recorded_first:
        # "Isla" against "Isla-Rose", "Theo Jr" against "Theo": close, but not the same child for certain.
        return 17.0, _compared("forenames", Agreement.PARTIAL, "the first forename agrees")
    if set(wanted_parts) & set(recorded_parts):
        return 16.0, _compared("forenames", Agreement.PARTIAL, "another of the forenames agrees")
    if wanted.first_phonetic == phonetic_key(recorded_first):
        return 14.0, _compared("forenames", Agreement.PARTIAL, "sounds alike")
    if JaroWinkler.similarity(first, recorded_first) >= 0.9 or Levenshtein.distance(first, recorded_first) == 1:
        return 13.0, _compared("forenames", Agreement.PARTIAL, "close spelling")
    if len(first) == 1 and first == recorded_first[0]:
        return 4.0, _compared("forenames", Agreement.PARTIAL, "initial only")
    return 0.0, _compared("forenames", Agreement.DISAGREE)


def _alike(a: str, b: str) -> bool:
    return bool(a) and bool(b) and (a == b or Levenshtein.distance(a, b) <= 1 or phonetic_key(a) == phonetic_key(b))


def _swapped(wanted: _Wanted, facts: CandidateFacts) -> bool:
    """The entry's surname is the child's forename and its forename the child's surname (a typo allowed)."""
    recorded_first = (_parts(facts.forenames) or ("",))[0]
    return _alike(wanted.surname, recorded_first) and _alike(wanted.forenames, name_key(facts.surname))


# ---- identifier, gender, place ----------------------------------------------------------------------------


def _cp_id(subject: MatchSubject, facts: CandidateFacts) -> tuple[float, FieldComparison, bool]:
    if not subject.cp_id:
        return 0.0, _compared("cp_id", Agreement.MISSING), False
    if subject.cp_id == facts.cp_id:
        return 0.0, _compared("cp_id", Agreement.AGREE), True
    if Levenshtein.distance(subject.cp_id, facts.cp_id) == 1:
        return 0.0, _compared("cp_id", Agreement.PARTIAL, "one character differs"), False
    return -40.0, _compared("cp_id", Agreement.DISAGREE), False


def _gender(subject: MatchSubject, facts: CandidateFacts) -> tuple[float, float, FieldComparison]:
    if subject.gender in ("", "U") or facts.gender in ("", "U"):
        return 0.0, 0.0, _compared("gender", Agreement.MISSING)
    if subject.gender == facts.gender:
        return 5.0, 5.0, _compared("gender", Agreement.AGREE)
    return -10.0, 5.0, _compared("gender", Agreement.DISAGREE)


def _postcode(entry: _Wanted, facts: CandidateFacts) -> tuple[float, float, FieldComparison]:
    wanted, recorded = entry.postcode, postcode_key(facts.postcode)
    if not wanted or not recorded:
        return 0.0, 0.0, _compared("postcode", Agreement.MISSING)
    if wanted == recorded:
        return 15.0, 15.0, _compared("postcode", Agreement.AGREE)
    if len(wanted) > 3 and len(recorded) > 3 and wanted[:-3] == recorded[:-3]:
        return 6.0, 15.0, _compared("postcode", Agreement.PARTIAL, "same outward code")
    return 0.0, 15.0, _compared("postcode", Agreement.DISAGREE)


def _address(entry: _Wanted, facts: CandidateFacts) -> tuple[float, float, FieldComparison]:
    wanted = entry.address
    if not wanted or not facts.address:
        return 0.0, 0.0, _compared("address", Agreement.MISSING)
    recorded = words_key(facts.address)
    if not recorded:
        return 0.0, 0.0, _compared("address", Agreement.MISSING)
    ratio = token_set_ratio(wanted, recorded)
    if ratio >= 90:
        return 5.0, 5.0, _compared("address", Agreement.AGREE)
    if ratio >= 70:
        return 2.0, 5.0, _compared("address", Agreement.PARTIAL, "partly the same")
    return 0.0, 5.0, _compared("address", Agreement.DISAGREE)


def score_candidate(subject: MatchSubject, facts: CandidateFacts) -> ScoredCandidate:
    return _score(_wanted(subject), facts)


def _score(wanted: _Wanted, facts: CandidateFacts) -> ScoredCandidate:
    subject = wanted.subject
    id_points, id_cmp, certain = _cp_id(subject, facts)
    if _swapped(wanted, facts):
        sur_points, sur_cmp = 26.0, _compared("surname", Agreement.PARTIAL, "forename and surname swapped")
        fore_points, fore_cmp = 18.0, _compared("forenames", Agreement.PARTIAL, "forename and surname swapped")
    else:
        sur_points, sur_cmp = _surname(wanted, facts)
        fore_points, fore_cmp = _forenames(wanted, facts)
    dob_points, dob_cmp = _compare_birth(subject.date_of_birth, facts.date_of_birth)
    gender_points, gender_max, gender_cmp = _gender(subject, facts)
    post_points, post_max, post_cmp = _postcode(wanted, facts)
    addr_points, addr_max, addr_cmp = _address(wanted, facts)
    possible = (
        (30.0 if sur_cmp.agreement != Agreement.MISSING else 0.0)
        + (20.0 if fore_cmp.agreement != Agreement.MISSING else 0.0)
        + (30.0 if dob_cmp.agreement != Agreement.MISSING else 0.0)
        + gender_max
        + post_max
        + addr_max
    )
    points = id_points + sur_points + fore_points + dob_points + gender_points + post_points + addr_points
    score = 100 if certain else max(0, min(99, round(100 * points / possible))) if possible else 0
    comparisons = (id_cmp, sur_cmp, fore_cmp, dob_cmp, gender_cmp, post_cmp, addr_cmp)
    return ScoredCandidate(facts, score, certain, comparisons)


def _same_birth_family(a: CandidateFacts, b: CandidateFacts) -> bool:
    """Two children born the same day who could be taken for each other: twins or siblings at one address, or
    namesakes (same surname, forenames alike). Two children who merely share a common surname and a birthday,
    with other forenames and other addresses, are not confusable."""
    if a.child_id == b.child_id or a.date_of_birth != b.date_of_birth:
        return False
    same_surname = name_key(a.surname) == name_key(b.surname)
    same_home = bool(a.postcode) and postcode_key(a.postcode) == postcode_key(b.postcode)
    if same_home and (same_surname or words_key(a.address) == words_key(b.address)):
        return True
    if not same_surname:
        return False
    first_a, first_b = (_parts(a.forenames) or ("",))[0], (_parts(b.forenames) or ("",))[0]
    return (
        first_a == first_b
        or phonetic_key(first_a) == phonetic_key(first_b)
        or (JaroWinkler.similarity(first_a, first_b) >= 0.9)
    )


def rank(subject: MatchSubject, candidates: Iterable[CandidateFacts]) -> MatchOutcome:
    wanted = _wanted(subject)
    scored = sorted(
        (_score(wanted, facts) for facts in candidates),
        key=lambda c: (-c.score, c.facts.surname, c.facts.forenames, c.facts.child_id),
    )
    shown = tuple(c for c in scored if c.score >= PLAUSIBLE // 2)[:MAX_SHOWN]
    return MatchOutcome(shown, *_assess(shown))


def _assess(candidates: Sequence[ScoredCandidate]) -> tuple[bool, bool, tuple[str, ...]]:
    warnings: list[str] = []
    if not candidates or candidates[0].score < PLAUSIBLE:
        return False, True, ("No plausible candidate: the child may not be in the index, or the entry is wrong.",)
    best = candidates[0]
    ambiguous = False
    twins = [c for c in candidates[1:] if c.score >= PLAUSIBLE and _same_birth_family(best.facts, c.facts)]
    for twin in twins:
        warnings.append(
            f"TWIN OR SIBLING BORN THE SAME DAY: {twin.facts.forenames} {twin.facts.surname} ({twin.facts.cp_id}) "
            "is also a candidate. Shielding the wrong twin leaves the right child exposed: check every field."
        )
    if twins and not best.certain:
        ambiguous = True
    close = [c for c in candidates[1:] if c.score >= PLAUSIBLE and best.score - c.score < CLOSE_GAP]
    if close and not best.certain:
        ambiguous = True
        if not twins:
            warnings.append(f"{len(close) + 1} candidates score within {CLOSE_GAP} points of each other.")
    weak = best.score < STRONG and not best.certain
    if weak:
        warnings.append(f"The best candidate scores only {best.score}: check the details before proposing.")
    return ambiguous, weak, tuple(warnings)
