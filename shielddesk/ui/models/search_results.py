"""Search results as a lazily fetched table model over plain `ChildSummary` rows.

Rows are fetched a page at a time when the view scrolls (canFetchMore/fetchMore); sorting re-runs the
query on the server side so that masked columns sort by what the viewer sees.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from shielddesk.domain.child import ChildSummary
from shielddesk.domain.search import SearchOrder, SortColumn
from shielddesk.services.children import ResultPage

Index = QModelIndex | QPersistentModelIndex
Fetcher = Callable[[SearchOrder, int, int], ResultPage]

COL_SHIELD, COL_SURNAME, COL_FORENAMES, COL_DOB, COL_GENDER, COL_CP_ID, COL_POSTCODE, COL_TOWN = range(8)
HEADERS = ("Shield", "Surname", "Forenames", "Date of birth", "Gender", "CP ID", "Postcode", "Town")
SORT_COLUMNS = (
    SortColumn.SHIELDED,
    SortColumn.SURNAME,
    SortColumn.FORENAMES,
    SortColumn.DATE_OF_BIRTH,
    SortColumn.GENDER,
    SortColumn.CP_ID,
    SortColumn.POSTCODE,
    SortColumn.TOWN,
)
RowRole = Qt.ItemDataRole.UserRole + 1
MASKED_CELL = "Shielded"
GENDER_TEXT = {"M": "Male", "F": "Female", "U": "Unknown"}


class SearchResultsModel(QAbstractTableModel):
    def __init__(self, page_size: int = 200, parent: Any = None) -> None:
        super().__init__(parent)
        self._page_size = page_size
        self._fetcher: Fetcher | None = None
        self._order = SearchOrder()
        self._rows: list[ChildSummary] = []
        self._total = 0
        self.former_surname_matches = 0  # of the last search started
        self._shield_icon: Any = None

    # ---- loading -------------------------------------------------------------------------------
    def set_shield_icon(self, icon: Any) -> None:
        self._shield_icon = icon

    def start(self, fetcher: Fetcher, order: SearchOrder | None = None) -> int:
        """Run a new search; returns the total number of matches."""
        if order is not None:
            self._order = order
        first = fetcher(self._order, 0, self._page_size)
        self.beginResetModel()
        self._fetcher = fetcher
        self._rows = list(first.rows)
        self._total = first.total
        self.former_surname_matches = first.former_surname_matches
        self.endResetModel()
        return self._total

    def clear(self) -> None:
        self.beginResetModel()
        self._fetcher = None
        self._rows = []
        self._total = 0
        self.former_surname_matches = 0
        self.endResetModel()

    @property
    def total(self) -> int:
        return self._total

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's signature
        return not parent.isValid() and self._fetcher is not None and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent) or self._fetcher is None:
            return
        page = self._fetcher(self._order, len(self._rows), self._page_size)
        if not page.rows:
            self._total = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(page.rows) - 1)
        self._rows.extend(page.rows)
        self.endInsertRows()

    # ---- the table contract ------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def row(self, index: int) -> ChildSummary:
        return self._rows[index]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == RowRole:
            return row
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(row, column)
        if role == Qt.ItemDataRole.DecorationRole and column == COL_SHIELD and row.shielded:
            return self._shield_icon
        if role == Qt.ItemDataRole.ToolTipRole and row.shielded:
            return "Shielded: location details are hidden. Contact the shielding team."
        return None

    @staticmethod
    def _text(row: ChildSummary, column: int) -> str:
        if column == COL_SHIELD:
            return "Shielded" if row.shielded else ""
        if column == COL_SURNAME:
            return row.surname
        if column == COL_FORENAMES:
            return row.forenames
        if column == COL_DOB:
            return row.date_of_birth.strftime("%d/%m/%Y")
        if column == COL_GENDER:
            return GENDER_TEXT.get(row.gender, row.gender)
        if column == COL_CP_ID:
            return row.cp_id
        if column == COL_POSTCODE:
            return MASKED_CELL if row.masked else row.postcode
        if column == COL_TOWN:
            return MASKED_CELL if row.masked else row.town
        return ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._order = SearchOrder(SORT_COLUMNS[column], order == Qt.SortOrder.DescendingOrder)
        if self._fetcher is not None:
            self.start(self._fetcher, self._order)
