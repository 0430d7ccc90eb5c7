"""Asks an operator why they need to see a shielded child's hidden details. The reason is audited."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from shielddesk.services.children import MIN_REVEAL_REASON
from shielddesk.ui.dialogs.reason import ReasonDialog


class RevealReasonDialog(ReasonDialog):
    def __init__(self, child_label: str, parent: QWidget | None = None) -> None:
        super().__init__(
            "Reveal shielded details",
            f"You are about to see where {child_label} is. This is recorded in the audit log with your reason, and "
            "the details are hidden again as soon as you leave this record.\n\nWhy do you need to see them?",
            "&Reveal",
            placeholder="e.g. Checking the match for gatekeeper list entry GK-2026-014",
            min_length=MIN_REVEAL_REASON,
            parent=parent,
        )
