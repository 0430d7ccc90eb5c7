"""Gatekeeper lists: entries with status, a filter and counts; the gatekeeper imports and edits, the
operators match, propose and record 'not found'."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shielddesk.app import Services
from shielddesk.domain.lists import EntryStatus, EntryView
from shielddesk.domain.roles import Permission
from shielddesk.services.changes import Changes
from shielddesk.services.session import UserSession
from shielddesk.ui.models.row_table import Column, RowTableModel, make_table
from shielddesk.ui.pages.base import Page
from shielddesk.ui.prompts import ListImportChoice, Prompts
from shielddesk.ui.tasks import BackgroundTask, show_progress

STATUS_TINT = {
    EntryStatus.SHIELDED: "#d9efd9",
    EntryStatus.PENDING: "#e3ecf7",
    EntryStatus.AMBIGUOUS: "#f6c9cf",
    EntryStatus.UNMATCHED: "#fff0c2",
    EntryStatus.MATCHED: "#fff0c2",
}
ENTRY_COLUMNS: list[Column[EntryView]] = [
    Column("Entry", lambda e: e.details.entry_ref),
    Column(
        "Status",
        lambda e: e.status.value.replace("_", " "),
        tint=lambda e: STATUS_TINT.get(e.status),
        tooltip=lambda e: e.status_note,
    ),
    Column("Surname", lambda e: e.details.surname),
    Column("Forenames", lambda e: e.details.forenames),
    Column("Date of birth", lambda e: e.details.date_of_birth.strftime("%d/%m/%Y") if e.details.date_of_birth else ""),
    Column("Linked child", lambda e: e.child_cp_id),
    Column("Reason", lambda e: e.details.reason.value.replace("_", " ")),
    Column("Review due", lambda e: e.details.review_due.strftime("%d/%m/%Y") if e.details.review_due else ""),
    Column("Note", lambda e: e.status_note),
]


def _ask_import(services: Services, user: UserSession, parent: QWidget) -> ListImportChoice | None:
    from shielddesk.ui.dialogs.import_list import ImportListDialog

    return ImportListDialog(lambda path, ref: services.lists.preview(user, path, ref), parent).ask()


class ListsPage(Page):
    title = "Gatekeeper lists"

    def __init__(self, services: Services, user: UserSession, prompts: Prompts, **hooks: Any) -> None:
        super().__init__(services, user, prompts, **hooks)
        self._ask_import = prompts.import_list or (lambda parent: _ask_import(services, user, parent))
        self.list_choice = QComboBox()
        self.list_choice.setAccessibleName("List")
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName("Show entries with status")
        self.status_filter.addItem("All statuses", None)
        for status in EntryStatus:
            self.status_filter.addItem(status.value.replace("_", " "), status)
        self.counts = QLabel()
        self.counts.setAccessibleName("Counts by status")
        self.task: BackgroundTask | None = None
        self.model = RowTableModel(ENTRY_COLUMNS, self)
        self.table = make_table(self.model, "List entries")
        self.table.doubleClicked.connect(lambda _index: self.match_selected())

        gatekeeper = user.may(Permission.MANAGE_LIST)
        operator = user.may(Permission.PROPOSE_SHIELD)
        self.import_button = self._button("&Import list…", self.import_list, gatekeeper)
        self.add_button = self._button("&Add entry…", self.add_entry, gatekeeper)
        self.edit_button = self._button("&Edit entry…", self.edit_entry, gatekeeper)
        self.withdraw_button = self._button("&Withdraw entry…", self.withdraw_entry, gatekeeper)
        self.analyse_button = self._button("Anal&yse list", self.analyse, operator)
        self.match_button = self._button("&Match…", self.match_selected, operator)
        self.not_found_button = self._button("&Not found…", self.not_found, operator)

        top = QHBoxLayout()
        top.addWidget(QLabel("&List:"))
        top.itemAt(0).widget().setBuddy(self.list_choice)  # type: ignore[union-attr]
        top.addWidget(self.list_choice, 1)
        top.addWidget(self.status_filter)
        actions = QHBoxLayout()
        for button in (
            self.import_button,
            self.add_button,
            self.edit_button,
            self.withdraw_button,
            self.analyse_button,
            self.match_button,
            self.not_found_button,
        ):
            if button.property("allowed"):
                actions.addWidget(button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.counts)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        self.list_choice.currentIndexChanged.connect(lambda _i: self.reload_entries())
        self.status_filter.currentIndexChanged.connect(lambda _i: self.reload_entries())

    def _button(self, text: str, slot: Callable[[], None], allowed: bool) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        button.clicked.connect(slot)
        # Only the buttons a role may use are placed on the page; the services check again regardless.
        button.setProperty("allowed", allowed)
        return button

    # ---- loading -------------------------------------------------------------------------------------
    def reload(self) -> None:
        current = self.list_choice.currentText()
        summaries = self.attempt(lambda: self._services.lists.lists(self.user))
        if summaries is None:
            return
        self.list_choice.blockSignals(True)
        self.list_choice.clear()
        for summary in summaries:
            self.list_choice.addItem(summary.reference, summary)
        if current:
            self.list_choice.setCurrentText(current)
        self.list_choice.blockSignals(False)
        self.reload_entries()

    @property
    def reference(self) -> str:
        return self.list_choice.currentText()

    def reload_entries(self) -> None:
        summary = self.list_choice.currentData()
        if summary is None:
            self.model.set_rows([])
            self.counts.setText("No lists yet." if self.list_choice.count() == 0 else "")
            return
        entries = self.attempt(
            lambda: self._services.lists.entries(self.user, self.reference, self.status_filter.currentData())
        )
        if entries is None:
            return
        self.model.set_rows(entries)
        self.table.resizeColumnsToContents()
        refreshed = {s.reference: s for s in (self.attempt(lambda: self._services.lists.lists(self.user)) or [])}
        counts = refreshed.get(self.reference, summary).counts
        parts = [f"{n} {status.replace('_', ' ')}" for status, n in sorted(counts.items())]
        total = sum(counts.values())
        self.counts.setText(f"{counts.get('shielded', 0)} of {total} shielded — " + ", ".join(parts))

    def selected(self) -> EntryView | None:
        indexes = self.table.selectionModel().selectedRows()
        return self.model.row(indexes[0].row()) if indexes else None

    def _need_selection(self) -> EntryView | None:
        entry = self.selected()
        if entry is None:
            self.say("Select an entry first.", error=True)
        return entry

    def on_changes(self, changes: Changes) -> None:
        if changes.lists or changes.requests or changes.shields:
            self.reload()

    def clear(self) -> None:
        super().clear()
        self.model.set_rows([])
        self.list_choice.clear()
        self.counts.clear()

    # ---- gatekeeper actions ----------------------------------------------------------------------------
    def import_list(self) -> None:
        choice = self._ask_import(self)
        if choice is None:
            return
        diff = self.attempt(
            lambda: self._services.lists.import_list(
                self.user, Path(choice.path), choice.reference, expected_sha256=choice.sha256
            ),
            done=f"List {choice.reference} imported.",
        )
        if diff is not None:
            self.changed(Changes(lists=True))
            self.list_choice.setCurrentText(choice.reference)

    def add_entry(self) -> None:
        details = self.prompts.entry_form(None, self)
        if details is None:
            return
        reference = self.reference or "MANUAL"
        if self.attempt(
            lambda: self._services.lists.add_entry(self.user, reference, details),
            done=f"Entry {details.entry_ref} added to {reference}.",
        ):
            self.changed(Changes(lists=True))

    def edit_entry(self) -> None:
        entry = self._need_selection()
        if entry is None:
            return
        details = self.prompts.entry_form(entry.details, self)
        if details is None:
            return
        if self.attempt(
            lambda: self._services.lists.edit_entry(self.user, entry.entry_id, details, expected_version=entry.version),
            done=f"Entry {entry.details.entry_ref} saved.",
        ):
            self.changed(Changes(lists=True))

    def withdraw_entry(self) -> None:
        entry = self._need_selection()
        if entry is None:
            return
        reason = self.prompts.reason("Withdraw entry", f"Withdraw {entry.name} from the list. Why?", "&Withdraw", self)
        if reason and self.attempt(
            lambda: self._services.lists.withdraw_entry(self.user, entry.entry_id, reason),
            done=f"Entry {entry.details.entry_ref} withdrawn.",
        ):
            self.changed(Changes(lists=True, requests=True))

    # ---- operator actions -----------------------------------------------------------------------------------
    def analyse(self) -> BackgroundTask:
        """Matching a long list takes seconds: it runs off the GUI thread, with progress and Cancel."""
        reference = self.reference
        progress = QProgressDialog("Matching the open entries…", "Cancel", 0, 0, self)
        progress.setWindowTitle("Analysing list")
        progress.setMinimumDuration(300)
        user = self.user

        def work(report: Callable[[int, int, str], None], cancel: threading.Event) -> dict[str, int]:
            return self._services.matching.analyse_list(user, reference, progress=report, cancel=cancel)

        task = BackgroundTask(work)
        task.progressed.connect(lambda done, total, stage: show_progress(progress, done, total, stage))
        task.succeeded.connect(lambda counts: self._analysed(progress, counts))
        task.failed.connect(lambda error: self._analyse_failed(progress, error))
        progress.canceled.connect(task.cancel)
        self.task = task
        self.analyse_button.setEnabled(False)
        task.start()
        return task

    def _analysed(self, progress: QProgressDialog, counts: dict[str, int]) -> None:
        progress.close()
        self.analyse_button.setEnabled(True)
        self.say(
            f"Matched the open entries: {counts['candidates']} with candidates, {counts['ambiguous']} "
            f"ambiguous (twins or close candidates), {counts['no_candidate']} with no plausible candidate."
        )
        self.changed(Changes(lists=True))

    def _analyse_failed(self, progress: QProgressDialog, error: Exception) -> None:
        progress.close()
        self.analyse_button.setEnabled(True)
        self.show_failure(error)

    def match_selected(self) -> None:
        entry = self._need_selection()
        if entry is None or not self.user.may(Permission.PROPOSE_SHIELD):
            return
        report = self.attempt(lambda: self._services.matching.match(self.user, entry.entry_id))
        if report is None:
            return
        child_id = self.prompts.match(report, self)
        if child_id is None:
            return
        self.four_eyes(
            f"Propose a shield for {entry.name}.",
            lambda credentials, _note: self._services.shielding.propose_shield(
                self.user, entry.entry_id, child_id, credentials
            ),
            done="Proposed: another operator must now check and confirm it.",
            changes=Changes(lists=True, requests=True),
        )

    def not_found(self) -> None:
        entry = self._need_selection()
        if entry is None:
            return
        self.four_eyes(
            f"Propose 'not found' for {entry.name}.",
            lambda credentials, reason: self._services.shielding.propose_not_found(
                self.user, entry.entry_id, reason, credentials
            ),
            done="Proposed: another operator must check and confirm it.",
            changes=Changes(lists=True, requests=True),
            reason=(
                "Child not found",
                f"Propose that the child of {entry.name} is not in the index. Say what you searched.",
                "&Propose",
            ),
        )
