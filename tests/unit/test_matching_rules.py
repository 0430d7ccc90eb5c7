"""Match scoring, pure: per-field agreement with reasons, twins flagged, weak and certain candidates."""

from datetime import date

from shielddesk.domain.matching import (
    STRONG,
    Agreement,
    CandidateFacts,
    MatchSubject,
    birth_date_variants,
    rank,
    score_candidate,
)

BORN = date(2018, 7, 1)


def child(
    child_id=1, forenames="Aiden", surname="Walsh", born=BORN, postcode="DB1 2AB", former="", cp_id=None, gender="M"
):
    return CandidateFacts(
        child_id,
        cp_id or f"CP{child_id:010d}",
        forenames,
        surname,
        former,
        born,
        gender,
        postcode,
        "4 Mill Lane, Demoford",
    )


def subject(**overrides):
    values = {"forenames": "Aiden", "surname": "Walsh", "date_of_birth": BORN, "gender": "M", "postcode": "DB1 2AB"}
    return MatchSubject(**(values | overrides))


def test_exact_match_agrees_on_every_field():
    scored = score_candidate(subject(), child())
    assert scored.score >= 95
    for field in ("surname", "forenames", "date_of_birth", "gender", "postcode"):
        assert scored.comparison(field).agreement == Agreement.AGREE


def test_matching_cp_id_is_certain_and_a_different_one_counts_against():
    assert score_candidate(subject(cp_id="CP0000000001"), child()).certain
    assert score_candidate(subject(cp_id="CP0000000001"), child()).score == 100
    # Everything else agrees: still shown (identifiers get mistyped), but never as a strong candidate.
    wrong = score_candidate(subject(cp_id="CP0000009999"), child())
    assert wrong.comparison("cp_id").agreement == Agreement.DISAGREE
    assert not wrong.certain and wrong.score < STRONG


def test_day_and_month_swapped_is_partial_with_the_reason():
    scored = score_candidate(subject(date_of_birth=date(2018, 1, 7)), child())
    assert scored.comparison("date_of_birth").note == "day and month swapped"
    assert scored.score >= 80


def test_one_digit_and_transposed_digits():
    assert score_candidate(subject(date_of_birth=date(2018, 7, 2)), child()).comparison("date_of_birth").note == (
        "one digit differs"
    )
    assert score_candidate(subject(date_of_birth=date(2018, 7, 10)), child(born=date(2018, 7, 1))).comparison(
        "date_of_birth"
    ).agreement in (Agreement.PARTIAL, Agreement.DISAGREE)


def test_former_surname_hyphenated_and_sounds_like():
    assert score_candidate(subject(surname="Mensah"), child(former="Mensah")).comparison("surname").note == (
        "matches a former surname"
    )
    assert score_candidate(subject(surname="Smith"), child(surname="Smith-Jones")).comparison("surname").note == (
        "one part of a double-barrelled name"
    )
    assert score_candidate(subject(surname="Smyth"), child(surname="Smith")).comparison("surname").note == (
        "sounds alike"
    )


def test_forename_and_surname_swapped():
    scored = score_candidate(subject(forenames="Walsh", surname="Aiden"), child())
    assert scored.comparison("surname").note == "forename and surname swapped"
    assert scored.score >= 80


def test_twins_are_always_flagged_ambiguous():
    outcome = rank(subject(), [child(1, "Aiden"), child(2, "Grace", gender="F")])
    assert outcome.best.facts.child_id == 1
    assert outcome.ambiguous
    assert any("TWIN" in w for w in outcome.warnings)


def test_certain_identifier_settles_twins_but_still_warns():
    outcome = rank(subject(cp_id="CP0000000001"), [child(1, "Aiden"), child(2, "Aidan")])
    assert not outcome.ambiguous and outcome.best.certain
    assert any("TWIN" in w for w in outcome.warnings)


def test_weak_best_candidate_is_flagged():
    outcome = rank(subject(forenames="Zed", postcode=""), [child(1, "Aiden", born=date(2018, 7, 9))])
    assert outcome.weak


def test_no_plausible_candidate():
    outcome = rank(subject(), [child(1, "Maria", "Lopez", date(2012, 3, 3), "DB9 9ZZ", gender="F")])
    assert not outcome.plausible and outcome.weak and "not be in the index" in outcome.warnings[0]


def test_birth_date_variants_cover_the_usual_slips():
    variants = birth_date_variants(date(2018, 7, 1))
    assert {date(2018, 1, 7), date(2018, 7, 2), date(2019, 7, 1), date(2018, 7, 10)} <= variants
