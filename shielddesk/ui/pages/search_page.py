"""The search desk: criteria, a lazily fetched result table and the detail pane. Search runs on Enter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shielddesk.domain.errors import SessionEnded, ShieldDeskError
from shielddesk.domain.roles import Permission
from shielddesk.domain.search import SearchCriteria, SearchOrder
from shielddesk.domain.validation import ValueProblem, parse_date
from shielddesk.services.children import FORMER_SURNAME_COUNT_CAP, ChildrenService, ResultPage, how_many
from shielddesk.services.session import UserSession
from shielddesk.ui.dialogs.reveal_reason import RevealReasonDialog
from shielddesk.ui.models.row_table import RESIZE_PRECISION_ROWS
from shielddesk.ui.models.search_results import COL_SURNAME, RowRole, SearchResultsModel
from shielddesk.ui.resources import icon
from shielddesk.ui.widgets.child_detail import ChildDetailPane

ReasonAsker = Callable[[str, QWidget], str | None]


def ask_reveal_reason(child_label: str, parent: QWidget) -> str | None:
    return RevealReasonDialog(child_label, parent).ask()


class SearchPage(QWidget):
    def __init__(
        self,
        children: ChildrenService,
        user: UserSession,
        *,
        on_session_ended: Callable[[str], None],
        ask_reason: ReasonAsker = ask_reveal_reason,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._children = children
        self._user = user
        self._on_session_ended = on_session_ended
        self._ask_reason = ask_reason
        self._criteria: SearchCriteria | None = None

        self.surname = self._field("Surname", "e.g. Smith or Smi")
        self.forenames = self._field("Forenames", "")
        self.sounds_like = QCheckBox("Sounds &like")
        self.sounds_like.setAccessibleName("Match surname by sound")
        self.dob = self._field("Date of birth", "DD/MM/YYYY or YYYY-MM-DD")
        self.cp_id = self._field("CP ID", "CP0123456789")
        self.postcode = self._field("Postcode", "")
        self.address = self._field("Address", "")
        self.school = self._field("School", "school name")
        self.gp_practice = self._field("GP practice", "practice name")
        self.carer = self._field("Carer's name", "")
        self._text_fields = (
            self.surname,
            self.forenames,
            self.dob,
            self.cp_id,
            self.postcode,
            self.address,
            self.school,
            self.gp_practice,
            self.carer,
        )
        self.search_button = QPushButton(icon("search"), "&Search")
        self.search_button.setDefault(True)
        self.search_button.setAccessibleName("Search")
        self.search_button.setMinimumWidth(110)
        self.clear_button = QPushButton("C&lear")
        self.clear_button.setAccessibleName("Clear search")
        self.message = QLabel()
        self.message.setAccessibleName("Search result summary")
        self.message.setWordWrap(True)
        # A child adopted or renamed is not "not found": the search says who had the surname before.
        self.former_button = QPushButton()
        self.former_button.setAccessibleName("Show children who had this surname before")
        self.former_button.hide()
        self.former_button.clicked.connect(self._show_former_surnames)

        criteria = QGroupBox("Find a child")
        grid = QGridLayout(criteria)
        rows = [
            ("Sur&name", self.surname),
            ("&Forenames", self.forenames),
            ("Date of &birth", self.dob),
            ("C&P ID", self.cp_id),
            ("Post&code", self.postcode),
            ("&Address", self.address),
            ("Sc&hool", self.school),
            ("&GP practice", self.gp_practice),
            ("Ca&rer's name", self.carer),
        ]
        for position, (label_text, field) in enumerate(rows):
            label = QLabel(label_text)
            label.setBuddy(field)
            grid.addWidget(label, position // 3 * 2, position % 3)
            grid.addWidget(field, position // 3 * 2 + 1, position % 3)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sounds_like)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.search_button)
        grid.addLayout(buttons, len(rows) // 3 * 2, 0, 1, 3)

        self.model = SearchResultsModel(parent=self)
        self.model.set_shield_icon(icon("shield"))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Search results")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_SURNAME, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setResizeContentsPrecision(RESIZE_PRECISION_ROWS)
        self.table.setTabKeyNavigation(False)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        self.detail = ChildDetailPane()
        self.detail.set_can_reveal(user.may(Permission.VIEW_SHIELDED))
        self.detail.reveal_requested.connect(self._reveal)
        self.detail.hide_requested.connect(self._show_child)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(criteria)
        summary = QHBoxLayout()
        summary.addWidget(self.message, 1)
        summary.addWidget(self.former_button)
        left_layout.addLayout(summary)
        left_layout.addWidget(self.table, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.search_button.clicked.connect(self.run_search)
        self.clear_button.clicked.connect(self.clear)
        for field in self._text_fields:
            field.returnPressed.connect(self.run_search)
        self.setTabOrder(self._text_fields[-1], self.sounds_like)
        self.setTabOrder(self.sounds_like, self.clear_button)
        self.setTabOrder(self.clear_button, self.search_button)
        self.setTabOrder(self.search_button, self.table)
        self.setTabOrder(self.table, self.detail)

    def _field(self, accessible: str, placeholder: str) -> QLineEdit:
        field = QLineEdit()
        field.setAccessibleName(accessible)
        field.setPlaceholderText(placeholder)
        field.setClearButtonEnabled(True)
        return field

    # ---- actions ---------------------------------------------------------------------------------------
    def criteria(self) -> SearchCriteria:
        born = parse_date(self.dob.text()) if self.dob.text().strip() else None
        return SearchCriteria(
            surname=self.surname.text(),
            forenames=self.forenames.text(),
            sounds_like=self.sounds_like.isChecked(),
            date_of_birth=born,
            cp_id=self.cp_id.text(),
            postcode=self.postcode.text(),
            address=self.address.text(),
            school=self.school.text(),
            gp_practice=self.gp_practice.text(),
            carer_name=self.carer.text(),
        )

    def run_search(self) -> None:
        try:
            criteria = self.criteria()
        except ValueProblem as exc:
            self.message.setText(f"The date of birth {exc}.")
            self.dob.setFocus()
            return
        self._search(criteria)

    def _search(self, criteria: SearchCriteria) -> None:
        self.detail.clear()
        self._criteria = criteria

        def fetch(order: SearchOrder, offset: int, limit: int) -> ResultPage:
            return self._children.search(self._user, criteria, order, offset=offset, limit=limit)

        try:
            total = self.model.start(fetch)
        except SessionEnded as exc:
            self._on_session_ended(str(exc))
            return
        except ShieldDeskError as exc:
            self.model.clear()
            self.former_button.hide()
            self.message.setText(str(exc))
            return
        matches = "No children match." if total == 0 else f"{total:,} match{'es' if total != 1 else ''}."
        if criteria.former_surname:
            matches = f"{total:,} {'child' if total == 1 else 'children'} had this surname before."
        self.message.setText(matches)
        before = self.model.former_surname_matches
        self.former_button.setText(
            f"Show the {before:,} who had this surname &before"
            if before <= FORMER_SURNAME_COUNT_CAP
            else f"Show those who had this surname &before ({how_many(before)})"
        )
        self.former_button.setVisible(before > 0)
        if total:
            self.table.resizeColumnsToContents()
            self.table.selectRow(0)
            self.table.setFocus()

    def _show_former_surnames(self) -> None:
        if self._criteria is not None:
            self._search(replace(self._criteria, former_surname=True))

    def refresh(self) -> None:
        """Run the shown search again (a shield was applied or removed somewhere)."""
        if self._criteria is not None:
            self._search(self._criteria)

    def clear(self) -> None:
        """Forget the search, its results and the open record (used on lock and sign-out)."""
        for field in self._text_fields:
            field.clear()
        self.sounds_like.setChecked(False)
        self.model.clear()
        self.detail.clear()
        self.message.clear()
        self.former_button.hide()
        self._criteria = None
        self.surname.setFocus()

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            self.detail.clear()
            return
        self._show_child(indexes[0].data(RowRole).child_id)

    def _show_child(self, child_id: int) -> None:
        try:
            self.detail.show_child(self._children.view(self._user, child_id))
        except SessionEnded as exc:
            self._on_session_ended(str(exc))
        except ShieldDeskError as exc:
            self.detail.clear()
            self.message.setText(str(exc))

    def _reveal(self, child_id: int) -> None:
        current = self.detail.current
        label = f"{current.record.forenames} {current.record.surname}" if current else "this child"
        reason = self._ask_reason(label, self)
        if reason is None:
            return
        try:
            self.detail.show_child(self._children.reveal(self._user, child_id, reason))
        except SessionEnded as exc:
            self._on_session_ended(str(exc))
        except ShieldDeskError as exc:
            QMessageBox.warning(self, "Not revealed", str(exc))
