"""Shielded children with their review dates (overdue ones coloured), removal proposals, provisional
shields from the duplicate guard, and the decisions waiting about siblings and possible duplicates."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from shielddesk.app import Services
from shielddesk.domain.roles import Permission
from shielddesk.services.changes import Changes
from shielddesk.services.requests_read import ShieldView
from shielddesk.services.reviews import ReviewKind, ReviewView, SiblingOutcome
from shielddesk.services.session import UserSession
from shielddesk.ui.models.row_table import Column, RowTableModel, make_table
from shielddesk.ui.pages.base import Page
from shielddesk.ui.prompts import Prompts


class ShieldsPage(Page):
    title = "Shielded children"

    def __init__(self, services: Services, user: UserSession, prompts: Prompts, **hooks: Any) -> None:
        super().__init__(services, user, prompts, **hooks)
        today = lambda: services.ctx.now().date()  # noqa: E731 - evaluated at paint time
        self.shields = RowTableModel(
            [
                Column("CP ID", lambda s: s.cp_id),
                Column("Surname", lambda s: s.surname),
                Column("Forenames", lambda s: s.forenames),
                Column("Date of birth", lambda s: s.date_of_birth.strftime("%d/%m/%Y")),
                Column("Shielded on", lambda s: s.applied_at.strftime("%d/%m/%Y")),
                Column(
                    "Review due",
                    lambda s: s.review_due.strftime("%d/%m/%Y") if s.review_due else "—",
                    tint=lambda s: "#f6c9cf" if s.review_due and s.review_due <= today() else None,
                ),
                Column(
                    "Status",
                    lambda s: (
                        "PROVISIONAL (possible duplicate)"
                        if s.provisional
                        else ("removal proposed" if s.removal_pending else "shielded")
                    ),
                    tint=lambda s: "#fff0c2" if s.provisional or s.removal_pending else None,
                ),
                Column("Maker / checker", lambda s: f"{s.maker} / {s.checker}" if s.maker else "—"),
            ],
            self,
        )
        self.shield_table = make_table(self.shields, "Shielded children")
        self.reviews = RowTableModel(
            [
                Column(
                    "Decision",
                    lambda r: "Possible duplicate" if r.kind == ReviewKind.DUPLICATE else "Sibling at address",
                ),
                Column("Child", lambda r: f"{r.name} ({r.cp_id})"),
                Column("Born", lambda r: r.date_of_birth.strftime("%d/%m/%Y")),
                Column("Related shielded child", lambda r: f"{r.related_name} ({r.related_cp_id})"),
                Column("Score", lambda r: str(r.score) if r.kind == ReviewKind.DUPLICATE else ""),
            ],
            self,
        )
        self.review_table = make_table(self.reviews, "Decisions waiting")
        operator = user.may(Permission.PROPOSE_SHIELD)
        self.remove_button = QPushButton("Propose &removal…")
        self.keep_button = QPushButton("&Keep provisional shield…")
        self.decide_button = QPushButton("Record &decision…")
        for button, slot in (
            (self.remove_button, self.propose_removal),
            (self.keep_button, self.keep_provisional),
            (self.decide_button, self.decide_review),
        ):
            button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
            button.clicked.connect(slot)
            button.setEnabled(operator)
        actions = QHBoxLayout()
        actions.addWidget(self.remove_button)
        actions.addWidget(self.keep_button)
        actions.addStretch(1)
        review_actions = QHBoxLayout()
        review_actions.addWidget(self.decide_button)
        review_actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(actions)
        layout.addWidget(self.shield_table, 3)
        layout.addWidget(
            QLabel(
                "Decisions waiting: possible unshielded duplicates of shielded children, and "
                "unshielded children at a shielded child's address"
            )
        )
        layout.addWidget(self.review_table, 2)
        layout.addLayout(review_actions)

    def reload(self) -> None:
        shields = self.attempt(lambda: self._services.requests.shields(self.user))
        reviews = self.attempt(lambda: self._services.reviews.open_items(self.user))
        if shields is not None:
            self.shields.set_rows(shields)
            self.shield_table.resizeColumnsToContents()
        if reviews is not None:
            self.reviews.set_rows(reviews)
            self.review_table.resizeColumnsToContents()

    def on_changes(self, changes: Changes) -> None:
        if changes.shields or changes.reviews or changes.requests or changes.children:
            self.reload()

    def clear(self) -> None:
        super().clear()
        self.shields.set_rows([])
        self.reviews.set_rows([])

    def _selected_shield(self) -> ShieldView | None:
        rows = self.shield_table.selectionModel().selectedRows()
        if not rows:
            self.say("Select a shielded child first.", error=True)
            return None
        return self.shields.row(rows[0].row())

    def _selected_review(self) -> ReviewView | None:
        rows = self.review_table.selectionModel().selectedRows()
        if not rows:
            self.say("Select a decision first.", error=True)
            return None
        return self.reviews.row(rows[0].row())

    def propose_removal(self) -> None:
        shield = self._selected_shield()
        if shield is None:
            return
        self.four_eyes(
            f"Propose removing the shield of {shield.cp_id}.",
            lambda credentials, reason: self._services.shielding.propose_removal(
                self.user, shield.child_id, reason, credentials
            ),
            done="Removal proposed: another operator must check and confirm it.",
            changes=Changes(requests=True, shields=True),
            reason=(
                "Remove shield",
                f"Propose removing the shield of {shield.forenames} {shield.surname} ({shield.cp_id}). Why?",
                "&Propose",
            ),
        )

    def keep_provisional(self) -> None:
        shield = self._selected_shield()
        if shield is None:
            return
        self.four_eyes(
            f"Propose keeping the shield of {shield.cp_id}.",
            lambda credentials, reason: self._services.shielding.propose_keep_provisional(
                self.user, shield.child_id, reason, credentials
            ),
            done="Proposed: another operator must check and confirm it.",
            changes=Changes(requests=True),
            reason=(
                "Keep shield",
                f"Propose keeping the provisional shield of {shield.cp_id} (it is the same child as a shielded "
                "one). Why?",
                "&Propose",
            ),
        )

    def decide_review(self) -> None:
        item = self._selected_review()
        if item is None:
            return
        if item.kind == ReviewKind.DUPLICATE:
            self.say(
                "A possible duplicate is decided by keeping or releasing its provisional shield above (two operators).",
                error=True,
            )
            return
        note = self.prompts.reason(
            "Sibling at the same address",
            f"{item.name} ({item.cp_id}) lives at the address of shielded {item.related_name}. Record what you "
            "decided; it goes to the gatekeeper for a decision on shielding.",
            "&Refer to gatekeeper",
            self,
        )
        if note and self.attempt(
            lambda: self._services.reviews.decide_sibling(
                self.user, item.review_id, SiblingOutcome.REFER_TO_GATEKEEPER, note
            ),
            done="Decision recorded.",
        ):
            self.changed(Changes(reviews=True))
