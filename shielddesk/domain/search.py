"""What a search asks for, independent of how it is stored or shown."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from enum import StrEnum

from shielddesk.domain.masking import HIDDEN_SEARCH_CRITERIA


class SortColumn(StrEnum):
    SURNAME = "surname"
    FORENAMES = "forenames"
    DATE_OF_BIRTH = "date_of_birth"
    GENDER = "gender"
    CP_ID = "cp_id"
    POSTCODE = "postcode"
    TOWN = "town"
    SHIELDED = "shielded"


_FLAGS = frozenset({"sounds_like", "former_surname"})


@dataclass(frozen=True)
class SearchCriteria:
    surname: str = ""
    forenames: str = ""
    sounds_like: bool = False
    date_of_birth: date | None = None
    cp_id: str = ""
    postcode: str = ""
    address: str = ""
    school: str = ""
    gp_practice: str = ""
    carer_name: str = ""
    # The surname is looked for among former surnames (an adopted child, a name changed) instead of the current.
    former_surname: bool = False

    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self) if f.name not in _FLAGS)

    def uses_hidden_field(self) -> bool:
        return any(getattr(self, name).strip() for name in HIDDEN_SEARCH_CRITERIA)

    def described(self) -> dict[str, object]:
        """Which criteria were used, for the audit log: the names, never the values typed."""
        used = [f.name for f in fields(self) if f.name not in _FLAGS and getattr(self, f.name)]
        return {"criteria": used, "sounds_like": self.sounds_like, "former_surname": self.former_surname}


@dataclass(frozen=True)
class SearchOrder:
    column: SortColumn = SortColumn.SURNAME
    descending: bool = False
