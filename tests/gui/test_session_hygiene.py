"""Session hygiene in the window: minimising locks it (task-bar previews show nothing), the absolute session
limit signs out a window that is in use, and the clipboard loses a copied shielded value when it closes."""

from datetime import timedelta

from PySide6.QtWidgets import QApplication

from tests.gui.conftest import visible_texts
from tests.support.authority import CANARY


def test_minimising_locks_the_window(qtbot, open_window):
    window = open_window("operator1")
    window.showMinimized()
    qtbot.waitUntil(lambda: window.locked)
    assert window.stack.currentWidget() is window.lock_screen
    assert CANARY["address_line1"] not in visible_texts(window)


def test_the_session_limit_signs_out_a_window_in_use(qtbot, open_window, clock):
    window = open_window("practitioner")
    clock.advance(timedelta(hours=12))
    with qtbot.waitSignal(window.signed_out, timeout=2000) as signed_out:
        window.check_for_changes()
    assert "12-hour limit" in signed_out.args[0]


def test_closing_clears_a_copied_shielded_value_from_the_clipboard(qtbot, open_window, sqlite_authority):
    sqlite_authority.services.refresh_log_filter()
    window = open_window("operator1")
    QApplication.clipboard().setText(CANARY["carer1_phone"])
    window.close()
    assert CANARY["carer1_phone"] not in QApplication.clipboard().text()
    QApplication.clipboard().setText("an ordinary note")
    open_window("operator1").close()
    assert QApplication.clipboard().text() == "an ordinary note"  # only shielded values are cleared
