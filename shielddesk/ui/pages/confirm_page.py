"""To confirm: the checker's inbox. Others' proposals can be confirmed or rejected; one's own are visible
but cannot be decided, and the reason is shown. The comparison puts the gatekeeper's entry and the child
record side by side with every difference coloured."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from shielddesk.app import Services
from shielddesk.domain.requests import RequestKind, RequestView
from shielddesk.services.changes import Changes
from shielddesk.services.requests_read import RequestComparison
from shielddesk.services.session import UserSession
from shielddesk.ui.models.row_table import Column, RowTableModel, make_table
from shielddesk.ui.pages.base import Page
from shielddesk.ui.prompts import Prompts
from shielddesk.ui.widgets.agreement import AgreementTable, comparison_rows

KIND_TEXT = {RequestKind.APPLY: "Shield", RequestKind.REMOVE: "Remove shield", RequestKind.NOT_FOUND: "Not found"}


def _age(request: RequestView, now: object) -> str:
    hours = int((now - request.made_at).total_seconds() // 3600)  # type: ignore[operator]
    return f"{hours // 24} d {hours % 24} h" if hours >= 24 else f"{hours} h"


class ConfirmPage(Page):
    title = "To confirm"

    def __init__(self, services: Services, user: UserSession, prompts: Prompts, **hooks: Any) -> None:
        super().__init__(services, user, prompts, **hooks)
        self._comparison: RequestComparison | None = None
        now = services.ctx.now
        self.model = RowTableModel(
            [
                Column("No.", lambda r: str(r.request_id)),
                Column("What", lambda r: KIND_TEXT[r.kind] + (" (provisional)" if r.provisional else "")),
                Column("List entry", lambda r: r.entry_name or "—"),
                Column("Child", lambda r: f"{r.child_name} {r.child_cp_id}".strip() or "—"),
                Column("Proposed by", lambda r: r.maker),
                Column("Waiting", lambda r: _age(r, now())),
                Column(
                    "You can decide",
                    lambda r: "yes" if r.can_decide else "no — " + r.cannot_decide_because,
                    tint=lambda r: None if r.can_decide else "#e9ecef",
                ),
            ],
            self,
        )
        self.table = make_table(self.model, "Requests waiting for a checker")
        self.table.selectionModel().selectionChanged.connect(self._selected)

        self.heading = QLabel("Select a request to check it.")
        self.heading.setObjectName("pageTitle")
        self.heading.setWordWrap(True)
        self.warnings = QLabel()
        self.warnings.setObjectName("warningBanner")
        self.warnings.setWordWrap(True)
        self.warnings.setAccessibleName("Warnings about this request")
        self.warnings.hide()
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.agreement = AgreementTable()
        self.why_not = QLabel()
        self.why_not.setObjectName("cautionText")
        self.why_not.setWordWrap(True)
        self.confirm_button = QPushButton("&Confirm…")
        self.confirm_button.setAccessibleName("Confirm this request")
        self.reject_button = QPushButton("&Reject…")
        self.reject_button.setAccessibleName("Reject this request")
        self.withdraw_button = QPushButton("&Withdraw my proposal…")
        self.withdraw_button.setAccessibleName("Withdraw my proposal")
        self.confirm_button.clicked.connect(self.confirm)
        self.reject_button.clicked.connect(self.reject)
        self.withdraw_button.clicked.connect(self.withdraw)
        for button in (self.confirm_button, self.reject_button, self.withdraw_button):
            button.setEnabled(False)

        detail = QWidget()
        column = QVBoxLayout(detail)
        column.addWidget(self.heading)
        column.addWidget(self.warnings)
        column.addWidget(self.reason)
        column.addWidget(self.agreement, 1)
        column.addWidget(self.why_not)
        buttons = QHBoxLayout()
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.reject_button)
        buttons.addStretch(1)
        buttons.addWidget(self.withdraw_button)
        column.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(detail)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)

    def reload(self) -> None:
        requests = self.attempt(lambda: self._services.requests.pending(self.user))
        if requests is not None:
            self.model.set_rows(requests)
            self.table.resizeColumnsToContents()
            self._show(None)

    def on_changes(self, changes: Changes) -> None:
        if changes.requests:
            self.reload()

    def clear(self) -> None:
        super().clear()
        self.model.set_rows([])
        self._show(None)

    def _selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = {i.row() for i in selected.indexes()}
        if not rows:
            self._show(None)
            return
        request = self.model.row(rows.pop())
        self._show(self.attempt(lambda: self._services.requests.compare(self.user, request.request_id)))

    def select_request(self, request_id: int) -> None:
        for row, request in enumerate(self.model.rows()):
            if request.request_id == request_id:
                self.table.selectRow(row)
                return

    def _show(self, comparison: RequestComparison | None) -> None:
        self._comparison = comparison
        if comparison is None:
            self.heading.setText("Select a request to check it.")
            for widget in (self.warnings, self.reason, self.why_not):
                widget.clear()
            self.warnings.hide()
            self.agreement.show_rows([])
            for button in (self.confirm_button, self.reject_button, self.withdraw_button):
                button.setEnabled(False)
            return
        request = comparison.request
        what = KIND_TEXT[request.kind]
        target = request.entry_name or request.child_cp_id
        self.heading.setText(f"{what}: {target} — {request.child_name} {request.child_cp_id}".strip(" —"))
        self.reason.setText(
            f"Proposed by {request.maker}: {request.reason}"
            + (f"   (match score {comparison.score})" if comparison.comparisons else "")
        )
        self.warnings.setText("\n".join(f"⚠ {w}" for w in comparison.warnings))
        self.warnings.setVisible(bool(comparison.warnings))
        self.agreement.show_rows(self._rows(comparison))
        self.why_not.setText("" if request.can_decide else request.cannot_decide_because)
        self.confirm_button.setEnabled(request.can_decide)
        self.reject_button.setEnabled(request.can_decide)
        self.withdraw_button.setEnabled(request.maker == self.user.username)

    @staticmethod
    def _rows(comparison: RequestComparison) -> list:
        entry, child = comparison.entry, comparison.child
        if entry is None or child is None:
            return []
        entry_values = {
            "cp_id": entry.cp_id,
            "surname": entry.surname,
            "forenames": entry.forenames,
            "date_of_birth": entry.date_of_birth.strftime("%d/%m/%Y") if entry.date_of_birth else "",
            "gender": entry.gender,
            "postcode": entry.postcode,
            "address": entry.address,
        }
        child_values = {
            "cp_id": child.cp_id,
            "surname": child.surname + (f" (formerly {child.former_surnames})" if child.former_surnames else ""),
            "forenames": child.forenames,
            "date_of_birth": child.date_of_birth.strftime("%d/%m/%Y"),
            "gender": child.gender,
            "postcode": child.postcode,
            "address": ", ".join(p for p in (child.address_line1, child.address_line2, child.town) if p),
        }
        return comparison_rows(comparison.comparisons, entry_values, child_values)

    # ---- decisions ----------------------------------------------------------------------------------------
    def _decidable(self) -> RequestView | None:
        comparison = self._comparison
        return comparison.request if comparison is not None and comparison.request.can_decide else None

    def confirm(self) -> None:
        request = self._decidable()
        if request is None:
            return
        decision = self.four_eyes(
            f"Confirm request {request.request_id}: {KIND_TEXT[request.kind]} "
            f"{request.entry_name or request.child_cp_id}.",
            lambda credentials, _note: self._services.shielding.confirm(self.user, request.request_id, credentials),
            done=f"Request {request.request_id} confirmed.",
            changes=Changes(shields=True, lists=True, requests=True, reviews=True),
        )
        if decision is not None and decision.related_unshielded:
            names = ", ".join(f"{c.forenames} {c.surname} ({c.cp_id})" for c in decision.related_unshielded)
            self.say(
                f"Request {request.request_id} confirmed. Not shielded at the same address: {names} — listed "
                "under Shielded children for a decision."
            )

    def reject(self) -> None:
        request = self._decidable()
        if request is None:
            return
        self.four_eyes(
            f"Reject request {request.request_id}.",
            lambda credentials, note: self._services.shielding.reject(self.user, request.request_id, note, credentials),
            done=f"Request {request.request_id} rejected.",
            changes=Changes(lists=True, requests=True),
            reason=(
                "Reject request",
                f"Reject request {request.request_id}. The proposer will see your note.",
                "&Reject",
            ),
        )

    def withdraw(self) -> None:
        comparison = self._comparison
        if comparison is None:
            return
        request = comparison.request
        self.four_eyes(
            f"Withdraw your request {request.request_id}.",
            lambda credentials, _note: self._services.shielding.withdraw(self.user, request.request_id, credentials),
            done=f"Request {request.request_id} withdrawn.",
            changes=Changes(lists=True, requests=True),
        )
