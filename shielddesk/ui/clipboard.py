"""Keeping shielded values off the system clipboard."""

from __future__ import annotations

from PySide6.QtGui import QClipboard
from PySide6.QtWidgets import QApplication

from shielddesk.logsetup import SHIELDED_VALUE_FILTER


def clear_shielded_clipboard() -> None:
    """A revealed address copied by an operator must not stay on the clipboard behind the lock screen or after
    the window closes, where any program (or the next user) can paste it."""
    clipboard = QApplication.clipboard()
    for mode in (QClipboard.Mode.Clipboard, QClipboard.Mode.Selection):
        text = clipboard.text(mode)
        if text and SHIELDED_VALUE_FILTER.holds_shielded_value(text):
            clipboard.clear(mode)
