"""The real main window: search, open a shielded child, reveal, idle lock, lock screen."""

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from shielddesk.domain.credentials import Credentials
from shielddesk.ui.dialogs.reveal_reason import RevealReasonDialog
from shielddesk.ui.models.search_results import COL_SHIELD, RowRole
from tests.gui.conftest import visible_texts
from tests.support.authority import CANARY, CANARY_CP_ID, CANARY_VALUES, PASSWORD, child_row, write_children


def _search_surname(qtbot, window, surname):
    page = window.search_page
    page.surname.clear()
    qtbot.keyClicks(page.surname, surname)
    qtbot.keyClick(page.surname, Qt.Key.Key_Return)  # search runs on Enter
    return page


def _select_cp_id(page, cp_id):
    for row in range(page.model.rowCount()):
        if page.model.row(row).cp_id == cp_id:
            page.table.selectRow(row)
            return
    raise AssertionError(f"{cp_id} not in results")


def test_search_on_enter_fills_the_table_with_shield_status(qtbot, open_window):
    window = open_window("practitioner")
    page = _search_surname(qtbot, window, "walsh")
    assert page.model.rowCount() == 2 and page.message.text() == "2 matches."
    shields = {page.model.index(r, COL_SHIELD).data() for r in range(2)}
    assert shields == {"Shielded", ""}
    shielded_row = next(r for r in range(2) if page.model.index(r, COL_SHIELD).data())
    assert page.model.index(shielded_row, COL_SHIELD).data(Qt.ItemDataRole.DecorationRole) is not None
    assert page.table.hasFocus()


def test_practitioner_sees_no_location_value_anywhere_in_the_window(qtbot, open_window):
    window = open_window("practitioner")
    page = _search_surname(qtbot, window, "okafor")
    _select_cp_id(page, CANARY_CP_ID)
    detail_text = visible_texts(page.detail)
    assert "SHIELDED" in detail_text and "Amara" in detail_text
    assert "Shielded — contact the local authority shielding team" in detail_text
    assert not page.detail.findChildren(QPushButton, "revealButton"), "a practitioner must not be offered reveal"
    texts = visible_texts(window)
    assert CANARY_CP_ID in texts
    assert not [value for value in CANARY_VALUES if value in texts]
    # searching a hidden value finds nothing, exactly like a search for a postcode nobody has
    page.postcode.setText(CANARY["postcode"])
    page.surname.clear()
    page.run_search()
    assert page.model.rowCount() == 0 and page.message.text() == "No children match."


def test_operator_reveals_with_a_reason_and_it_ends_on_leaving_the_record(qtbot, open_window, monkeypatch):
    window = open_window("operator1")
    page = _search_surname(qtbot, window, "okafor")
    _select_cp_id(page, CANARY_CP_ID)
    assert not [v for v in CANARY_VALUES if v in visible_texts(window)]
    monkeypatch.setattr(RevealReasonDialog, "ask", lambda self: "Checking the match for list entry GK-14")
    [reveal] = page.detail.findChildren(QPushButton, "revealButton")
    reveal.click()
    revealed = visible_texts(page.detail)
    assert CANARY["address_line1"] in revealed and "REVEALED" in revealed
    _search_surname(qtbot, window, "walsh")  # leaving the record ends the reveal
    assert not [v for v in CANARY_VALUES if v in visible_texts(window)]


def test_reveal_cancelled_reveals_nothing(qtbot, open_window, monkeypatch):
    window = open_window("operator1")
    page = _search_surname(qtbot, window, "okafor")
    _select_cp_id(page, CANARY_CP_ID)
    monkeypatch.setattr(RevealReasonDialog, "ask", lambda self: None)
    page.detail.findChildren(QPushButton, "revealButton")[0].click()
    assert not [v for v in CANARY_VALUES if v in visible_texts(window)]


def test_reveal_reason_dialog_needs_ten_characters(qtbot):
    dialog = RevealReasonDialog("Amara Okafor")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.reason, "because")
    assert not dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.reason, " I must check")
    assert dialog.ok.isEnabled()


def test_idle_lock_after_the_timeout_hides_every_child(qtbot, open_window, clock):
    window = open_window("operator1")
    page = _search_surname(qtbot, window, "okafor")
    _select_cp_id(page, CANARY_CP_ID)
    clock.advance(timedelta(minutes=4, seconds=59))
    window.idle.check()
    assert not window.locked
    clock.advance(timedelta(seconds=2))
    qtbot.waitUntil(lambda: window.locked, timeout=3000)  # the watcher's own timer notices
    assert window.stack.currentWidget() is window.lock_screen
    texts = visible_texts(window)
    assert "Okafor" not in texts and "Walsh" not in texts and CANARY_CP_ID not in texts
    assert not window.menuBar().isEnabled()


def test_activity_postpones_the_idle_lock(qtbot, open_window, clock):
    window = open_window("practitioner")
    clock.advance(timedelta(minutes=4))
    qtbot.keyClick(window.search_page.surname, Qt.Key.Key_A)
    clock.advance(timedelta(minutes=4))
    window.idle.check()
    assert not window.locked


def test_wrong_password_on_the_lock_screen_then_unlock(qtbot, open_window):
    window = open_window("operator2")
    window.lock(idle=False)
    screen = window.lock_screen
    qtbot.keyClicks(screen.password, "wrong password!!")
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    assert window.locked and "Sign-in refused" in screen.error.text() and screen.password.text() == ""
    qtbot.keyClicks(screen.password, PASSWORD)
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    assert not window.locked and window.stack.currentWidget() is window.tabs


def test_repeated_wrong_passwords_on_the_lock_screen_sign_out(qtbot, open_window):
    window = open_window("supervisor")
    window.lock(idle=True)
    with qtbot.waitSignal(window.signed_out, timeout=3000) as blocker:
        for _ in range(5):
            window.lock_screen.unlock_requested.emit(Credentials("wrong password!!"))
    assert "Sign-in refused" in blocker.args[0]


def test_every_control_is_keyboard_reachable_with_an_accessible_name(qtbot, open_window):
    window = open_window("operator1")
    page = window.search_page
    expected = [
        page.surname,
        page.forenames,
        page.dob,
        page.cp_id,
        page.postcode,
        page.address,
        page.school,
        page.gp_practice,
        page.carer,
        page.sounds_like,
        page.clear_button,
        page.search_button,
        page.table,
    ]
    page.surname.setFocus()
    QApplication.processEvents()
    reached = []
    for _ in range(len(expected)):
        reached.append(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert reached == expected
    for widget in page.findChildren(QWidget):
        if widget.isVisible() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isEnabled():
            assert widget.accessibleName() or widget.parent().accessibleName(), type(widget).__name__


def test_selected_row_carries_a_plain_row_object(qtbot, open_window):
    window = open_window("practitioner")
    page = _search_surname(qtbot, window, "walsh")
    row = page.table.currentIndex().data(RowRole)
    assert row.cp_id.startswith("CP9") and not hasattr(row, "_sa_instance_state")


def test_lock_closes_any_open_dialog_so_nothing_shows_over_the_lock_screen(qtbot, open_window, sqlite_authority):
    from PySide6.QtCore import QTimer

    from shielddesk.ui.dialogs.match import MatchDialog

    window = open_window("operator1")
    entry = sqlite_authority.entry_for("CP9000000003", list_ref="GK-LOCK")
    dialog = MatchDialog(sqlite_authority.services.matching.match(sqlite_authority.operator1, entry.entry_id), window)
    results = []
    QTimer.singleShot(50, lambda: window.lock(idle=True))
    results.append(dialog.ask())  # runs its own modal loop until the lock cancels it
    assert results == [None] and not dialog.isVisible() and window.locked


def test_school_gp_and_carer_find_a_child_only_for_those_who_may_see_them(qtbot, open_window):
    for role, expected in (("operator1", [CANARY_CP_ID]), ("practitioner", [])):
        window = open_window(role)
        page = window.search_page
        for field, value in (
            (page.school, CANARY["school_name"]),
            (page.gp_practice, CANARY["gp_practice_name"]),
            (page.carer, CANARY["carer1_name"]),
        ):
            page.clear()
            qtbot.keyClicks(field, value)
            qtbot.keyClick(field, Qt.Key.Key_Return)
            found = [page.model.row(r).cp_id for r in range(page.model.rowCount())]
            assert found == expected, (role, field.accessibleName())
        page.clear()
        assert not page.school.text() and not page.carer.text()
        window.close()


def test_a_child_known_by_a_former_surname_is_offered_not_missed(qtbot, open_window, sqlite_authority, tmp_path):
    rows = [child_row("CP8100000001", "Lena", "Hartley", "2016-04-09", former_surnames="Quennell")]
    services = sqlite_authority.services
    services.population.import_population(sqlite_authority.admin, write_children(tmp_path / "f.csv", rows))
    window = open_window("operator1")
    page = _search_surname(qtbot, window, "quennell")
    assert page.message.text() == "No children match."
    assert page.former_button.isVisible() and "Show the 1 who had this surname" in page.former_button.text()
    page.former_button.click()
    assert [page.model.row(r).cp_id for r in range(page.model.rowCount())] == ["CP8100000001"]
    assert page.message.text() == "1 child had this surname before." and not page.former_button.isVisible()
    page.clear()
    assert not page.former_button.isVisible()
