"""Value rules shared by every import and form: identifiers, dates, genders."""

from __future__ import annotations

import re
from datetime import date

CP_ID_PATTERN = re.compile(r"^CP\d{10}$")
GENDERS = ("M", "F", "U")
MAX_AGE_YEARS = 18
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class ValueProblem(ValueError):
    """A value that breaks a rule; the message names the rule, never the value."""


def parse_cp_id(text: str) -> str:
    value = text.strip().upper()
    if not CP_ID_PATTERN.match(value):
        raise ValueProblem("must be CP followed by 10 digits")
    return value


def parse_gender(text: str) -> str:
    value = text.strip().upper() or "U"
    if value not in GENDERS:
        raise ValueProblem("must be M, F or U")
    return value


def parse_date(text: str) -> date:
    """ISO YYYY-MM-DD, or DD/MM/YYYY in UK order."""
    value = text.strip()
    if match := _ISO.match(value):
        year, month, day = (int(g) for g in match.groups())
    elif match := _UK.match(value):
        day, month, year = (int(g) for g in match.groups())
    else:
        raise ValueProblem("is not a date (use YYYY-MM-DD or DD/MM/YYYY)")
    if not 1 <= month <= 12:
        raise ValueProblem("has a month outside 1-12")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueProblem("is not a real calendar date") from None


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def check_child_birth_date(born: date, today: date) -> None:
    if born > today:
        raise ValueProblem("is in the future")
    if age_on(born, today) >= MAX_AGE_YEARS:
        raise ValueProblem(f"belongs to someone aged {MAX_AGE_YEARS} or over")
