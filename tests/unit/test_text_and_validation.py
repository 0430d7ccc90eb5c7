from datetime import date

import pytest

from shielddesk.domain.text import name_key, phonetic_key, postcode_key, words_key
from shielddesk.domain.validation import (
    ValueProblem,
    check_child_birth_date,
    parse_cp_id,
    parse_date,
    parse_gender,
)


def test_name_key_ignores_case_accents_and_punctuation():
    assert name_key("Zoë") == name_key("ZOE") == "zoe"
    assert name_key("O'Brien-Smith") == "obriensmith"


def test_sounds_like_matches_common_spellings():
    assert phonetic_key("Smith") == phonetic_key("Smyth")
    assert phonetic_key("Smith-Jones") == phonetic_key("Smith")
    assert phonetic_key("Smith") != phonetic_key("Jones")


def test_postcode_and_words_keys():
    assert postcode_key(" db1  2ab ") == "DB12AB"
    assert words_key("  4, Mill   Lane ") == "4 mill lane"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2016-03-14", date(2016, 3, 14)), ("14/03/2016", date(2016, 3, 14)), ("1/2/2016", date(2016, 2, 1))],
)
def test_dates_iso_and_uk_order(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2016", "2016-13-01", "13/13/2016", "2016/03/14", "yesterday", ""])
def test_impossible_or_unreadable_dates_are_refused(text):
    with pytest.raises(ValueProblem):
        parse_date(text)


def test_birth_date_rules():
    today = date(2026, 11, 25)
    check_child_birth_date(date(2008, 11, 26), today)  # 17 for one more day
    with pytest.raises(ValueProblem, match="18 or over"):
        check_child_birth_date(date(2008, 11, 25), today)
    with pytest.raises(ValueProblem, match="future"):
        check_child_birth_date(date(2026, 11, 26), today)


def test_cp_id_and_gender():
    assert parse_cp_id(" cp0123456789 ") == "CP0123456789"
    for bad in ("CP123", "XX0123456789", "CP01234567890"):
        with pytest.raises(ValueProblem):
            parse_cp_id(bad)
    assert parse_gender("f") == "F"
    assert parse_gender("") == "U"
    with pytest.raises(ValueProblem):
        parse_gender("X")
