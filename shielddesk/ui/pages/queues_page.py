"""Queues: where the shielding work stands. Progress per list towards its deadline with a chart, what waits for
a checker and for how long, entries that are stuck, shields due for review, work per operator. Refreshes
itself when anything changes, here or on another workstation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
)

from shielddesk.app import Services
from shielddesk.services.changes import Changes
from shielddesk.services.queues import ListProgress, QueueSnapshot
from shielddesk.services.reports import ReportFormat
from shielddesk.services.session import UserSession
from shielddesk.ui.models.row_table import Column, RowTableModel, make_table
from shielddesk.ui.pages.base import Page
from shielddesk.ui.pages.confirm_page import KIND_TEXT
from shielddesk.ui.prompts import NO_DATE, Prompts
from shielddesk.ui.widgets.progress_chart import ProgressChart


class QueuesPage(Page):
    title = "Queues"

    def __init__(self, services: Services, user: UserSession, prompts: Prompts, **hooks: Any) -> None:
        super().__init__(services, user, prompts, **hooks)
        self.snapshot: QueueSnapshot | None = None
        self.list_choice = QComboBox()
        self.list_choice.setAccessibleName("List")
        self.progress_text = QLabel()
        self.progress_text.setObjectName("pageTitle")
        self.progress_text.setAccessibleName("Progress towards the deadline")
        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName("Share shielded")
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        self.chart = ProgressChart()
        self.deadline_button = QPushButton("Set &deadline…")
        self.report_button = QPushButton("E&xport report…")
        for button in (self.deadline_button, self.report_button):
            button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
        self.deadline_button.clicked.connect(self.set_deadline)
        self.report_button.clicked.connect(self.export_report)

        self.pending = RowTableModel(
            [
                Column("No.", lambda i: str(i.request.request_id)),
                Column("What", lambda i: KIND_TEXT[i.request.kind]),
                Column("List entry", lambda i: i.request.entry_name or "—"),
                Column("Child", lambda i: i.request.child_cp_id or "—"),
                Column("Proposed by", lambda i: i.request.maker),
                Column(
                    "Waiting",
                    lambda i: f"{i.age_hours:.0f} h" + ("  OVERDUE" if i.overdue else ""),
                    tint=lambda i: "#f6c9cf" if i.overdue else None,
                ),
            ],
            self,
        )
        self.stuck = RowTableModel(
            [
                Column("List entry", lambda e: e.name),
                Column("Status", lambda e: e.status.value.replace("_", " ")),
                Column("Surname", lambda e: e.details.surname),
                Column("Forenames", lambda e: e.details.forenames),
                Column("Linked child", lambda e: e.child_cp_id),
            ],
            self,
        )
        self.reviews = RowTableModel(
            [
                Column("CP ID", lambda s: s.cp_id),
                Column("Name", lambda s: f"{s.forenames} {s.surname}"),
                Column(
                    "Review due",
                    lambda s: s.review_due.strftime("%d/%m/%Y") if s.review_due else "",
                    tint=lambda s: (
                        "#f6c9cf"
                        if s.review_due and self.snapshot and s.review_due <= self.snapshot.taken_at.date()
                        else "#fff0c2"
                    ),
                ),
            ],
            self,
        )
        self.operators = RowTableModel(
            [
                Column("Operator", lambda o: f"{o.display_name} ({o.username})"),
                Column("Proposed", lambda o: str(o.proposed)),
                Column("Confirmed as checker", lambda o: str(o.confirmed_as_checker)),
                Column("Rejected as checker", lambda o: str(o.rejected_as_checker)),
                Column("Own proposals waiting", lambda o: str(o.pending_as_maker)),
            ],
            self,
        )
        self.pending_table = make_table(self.pending, "Waiting for a checker")
        self.stuck_table = make_table(self.stuck, "Entries needing attention")
        self.return_operators = QPushButton("Return to &operators…")
        self.return_gatekeeper = QPushButton("Return to &gatekeeper…")
        for button, to_gatekeeper in ((self.return_operators, False), (self.return_gatekeeper, True)):
            button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
            button.clicked.connect(lambda _=False, g=to_gatekeeper: self.return_selected(g))
        stuck_box = QVBoxLayout()
        stuck_box.addWidget(self.stuck_table)
        stuck_buttons = QHBoxLayout()
        stuck_buttons.addWidget(self.return_operators)
        stuck_buttons.addWidget(self.return_gatekeeper)
        stuck_buttons.addStretch(1)
        stuck_box.addLayout(stuck_buttons)
        stuck_widget = QGroupBox()
        stuck_widget.setLayout(stuck_box)
        self.sections = QTabWidget()
        self.sections.addTab(self.pending_table, "Waiting for a checker")
        self.sections.addTab(stuck_widget, "Needing attention")
        self.sections.addTab(make_table(self.reviews, "Shields due for review"), "Reviews due")
        self.sections.addTab(make_table(self.operators, "Work per operator"), "Work per operator")

        header = QHBoxLayout()
        header.addWidget(QLabel("List:"))
        header.addWidget(self.list_choice, 1)
        header.addWidget(self.deadline_button)
        header.addWidget(self.report_button)
        progress = QGroupBox("Progress")
        progress_layout = QHBoxLayout(progress)
        left = QVBoxLayout()
        left.addWidget(self.progress_text)
        left.addWidget(self.progress_bar)
        left.addWidget(self.counts)
        progress_layout.addLayout(left, 2)
        progress_layout.addWidget(self.chart, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.message)
        layout.addWidget(progress)
        layout.addWidget(self.sections, 1)
        self.list_choice.currentIndexChanged.connect(lambda _i: self._show_list())

    # ---- loading ---------------------------------------------------------------------------------------
    def reload(self) -> None:
        snapshot = self.attempt(lambda: self._services.queues.snapshot(self.user))
        if snapshot is None:
            return
        self.snapshot = snapshot
        current = self.list_choice.currentText()
        self.list_choice.blockSignals(True)
        self.list_choice.clear()
        for progress in snapshot.lists:
            self.list_choice.addItem(progress.reference, progress)
        if current:
            self.list_choice.setCurrentText(current)
        self.list_choice.blockSignals(False)
        self.pending.set_rows(snapshot.pending)
        self.stuck.set_rows(snapshot.stuck)
        self.reviews.set_rows(snapshot.reviews_due)
        self.operators.set_rows(snapshot.operators)
        self.sections.setTabText(0, f"Waiting for a checker ({len(snapshot.pending)})")
        self.sections.setTabText(1, f"Needing attention ({len(snapshot.stuck)})")
        self.sections.setTabText(2, f"Reviews due ({len(snapshot.reviews_due)})")
        for table in self.findChildren(QTableView):
            table.resizeColumnsToContents()
        self._show_list()

    def _show_list(self) -> None:
        progress: ListProgress | None = self.list_choice.currentData()
        if progress is None or self.snapshot is None:
            self.progress_text.setText("No lists yet.")
            self.progress_bar.setValue(0)
            self.counts.clear()
            return
        self.progress_text.setText(progress.summary)
        self.progress_bar.setMaximum(max(progress.total, 1))
        self.progress_bar.setValue(progress.shielded)
        self.counts.setText(
            ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in sorted(progress.counts.items()))
        )
        self.chart.show_progress(progress.history, progress.total, progress.deadline, self.snapshot.taken_at.date())

    def on_changes(self, changes: Changes) -> None:
        if changes.lists or changes.requests or changes.shields or changes.reviews:
            self.reload()

    def clear(self) -> None:
        super().clear()
        self.snapshot = None
        for model in (self.pending, self.stuck, self.reviews, self.operators):
            model.set_rows([])
        self.list_choice.clear()
        self._show_list()

    # ---- actions ---------------------------------------------------------------------------------------------
    def return_selected(self, to_gatekeeper: bool) -> None:
        rows = self.stuck_table.selectionModel().selectedRows()
        if not rows:
            self.say("Select an entry first.", error=True)
            return
        entry = self.stuck.row(rows[0].row())
        who = "the gatekeeper" if to_gatekeeper else "the operators"
        note = self.prompts.reason(
            f"Return to {who}", f"Return {entry.name} to {who}. They will see your note.", "&Return", self
        )
        if note and self.attempt(
            lambda: self._services.queues.return_entry(self.user, entry.entry_id, to_gatekeeper, note),
            done=f"{entry.name} returned to {who}.",
        ):
            self.changed(Changes(lists=True))

    def set_deadline(self) -> None:
        reference = self.list_choice.currentText()
        if not reference:
            return
        chosen = self.prompts.ask_date(f"Deadline for {reference}", self)
        if chosen is None:
            return
        deadline = None if chosen == NO_DATE else chosen
        if self.attempt(
            lambda: self._services.queues.set_deadline(self.user, reference, deadline) or True,
            done=f"Deadline for {reference} set.",
        ):
            self.changed(Changes(lists=True))

    def export_report(self) -> None:
        path = self.prompts.save_path(
            "Export progress report", "PDF (*.pdf);;CSV for a spreadsheet (*.csv)", "shielding-progress.pdf", self
        )
        if not path:
            return
        fmt = ReportFormat.CSV if path.lower().endswith(".csv") else ReportFormat.PDF
        data = self.attempt(lambda: self._services.reports.progress(self.user, fmt))
        if data is not None:
            Path(path).write_bytes(data)
            self.say(f"Progress report saved: {path}")
