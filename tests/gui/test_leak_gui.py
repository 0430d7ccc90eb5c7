"""Leak suite (the window): a scripted session for every role — every work area opened, the shielded canary
child searched for and opened, an operator revealing it and copying its address — then the lock. Before the
reveal no canary value shows beyond the role's entitlement; after the lock nothing shows and the clipboard no
longer holds the copied address; the log file, and every file the session left in the data folder, hold no
canary value."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QClipboard
from PySide6.QtWidgets import QApplication, QPushButton

from shielddesk.logsetup import configure_logging
from shielddesk.ui.dialogs.reveal_reason import RevealReasonDialog
from tests.gui.conftest import visible_texts
from tests.support.authority import CANARY, CANARY_CP_ID, CANARY_VALUES
from tests.support.figures import report

ROLES = ["operator1", "supervisor", "signoff", "gatekeeper", "practitioner", "admin"]
ENTITLED = {"operator1": {CANARY["postcode"]}, "gatekeeper": {CANARY["postcode"]}}  # on the list entry they see


def _leaks(text: str, user: str) -> set[str]:
    return {v for v in CANARY_VALUES if v.casefold() in text.casefold()} - ENTITLED.get(user, set())


def _open_canary(qtbot, window) -> bool:
    page = window.search_page
    if page is None or window.tabs.indexOf(page) < 0:
        return False
    window.tabs.setCurrentWidget(page)
    page.surname.clear()
    qtbot.keyClicks(page.surname, "okafor")
    qtbot.keyClick(page.surname, Qt.Key.Key_Return)
    rows = [r for r in range(page.model.rowCount()) if page.model.row(r).cp_id == CANARY_CP_ID]
    assert rows, "the canary child is found by name"
    page.table.selectRow(rows[0])
    return True


def test_a_scripted_session_per_role_shows_nothing_beyond_entitlement(
    qtbot, open_window, sqlite_authority, monkeypatch, tmp_path
):
    log_dir = tmp_path / "session-logs"
    configure_logging(log_dir, level=logging.DEBUG)
    sqlite_authority.services.refresh_log_filter()
    monkeypatch.setattr(RevealReasonDialog, "ask", lambda self: "Checking the match for list entry GK-14")
    clipboard = QApplication.clipboard()
    screens = 0
    try:
        for user in ROLES:
            window = open_window(user)
            for index in range(window.tabs.count()):
                window.tabs.setCurrentIndex(index)
                qtbot.wait(150)  # pages load in the background (the certificate check, lists)
                screens += 1
                assert not _leaks(visible_texts(window), user), f"{user}: tab {window.tabs.tabText(index)}"
            if _open_canary(qtbot, window):
                screens += 1
                assert not _leaks(visible_texts(window), user), f"{user}: the opened record"
                reveal = window.search_page.detail.findChildren(QPushButton, "revealButton")
                assert bool(reveal) == (user == "operator1"), f"{user}: reveal offered wrongly"
                if reveal:
                    reveal[0].click()
                    assert CANARY["address_line1"] in visible_texts(window)
                    clipboard.setText(f"{CANARY['address_line1']}, {CANARY['town']}")  # the operator copies it
            window.lock(idle=False)
            locked = visible_texts(window)
            assert not {v for v in CANARY_VALUES if v in locked}, f"{user}: visible behind the lock"
            for mode in (QClipboard.Mode.Clipboard, QClipboard.Mode.Selection):
                assert not {v for v in CANARY_VALUES if v in clipboard.text(mode)}, f"{user}: clipboard after lock"
            window.close()
    finally:
        configure_logging(None)
    folders = [log_dir, sqlite_authority.services.config.data_dir]
    data_files = [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]
    assert any(p.name == "shielddesk.log" for p in data_files)
    for path in data_files:
        content = path.read_bytes().decode("utf-8", "replace")
        assert not {v for v in CANARY_VALUES if v in content}, path
    report(
        "leak",
        f"window: {len(ROLES)} roles, {screens} screens (every work area, the opened record), the reveal and a copy: "
        f"nothing beyond entitlement; nothing visible and nothing on the clipboard after the lock; "
        f"{len(data_files)} files in the data and log folders free of canary values",
    )
