from PySide6.QtCore import Qt

from shielddesk.domain.errors import AuthenticationFailed
from shielddesk.security.second_factor import code_at
from shielddesk.ui.dialogs.first_run import FirstRunDialog
from shielddesk.ui.dialogs.login import LoginDialog
from tests.support.authority import PASSWORD


def test_wrong_password_shows_the_common_message_then_right_one_signs_in(qtbot, sqlite_authority):
    dialog = LoginDialog(sqlite_authority.services.auth, "Test Borough Council")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "operator1")
    qtbot.keyClicks(dialog.password, "not it at all")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.error.isVisible() and dialog.error.text() == AuthenticationFailed.MESSAGE
    assert dialog.password.text() == ""
    qtbot.keyClicks(dialog.password, PASSWORD)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.session.username == "operator1"


def test_first_run_creates_the_authority_and_first_admin(qtbot, sqlite_services, clock):
    dialog = FirstRunDialog(sqlite_services.setup)
    qtbot.addWidget(dialog)
    dialog.show()
    for field, value in (
        (dialog.authority, "Northshire"),
        (dialog.team_phone, "01632 960000"),
        (dialog.admin_username, "first.admin"),
        (dialog.admin_name, "First Admin"),
        (dialog.password, PASSWORD),
        (dialog.repeat, "different password"),
    ):
        qtbot.keyClicks(field, value)
    dialog._submit()
    assert "not the same" in dialog.error.text() and not sqlite_services.setup.is_initialised()
    dialog.repeat.clear()
    qtbot.keyClicks(dialog.repeat, PASSWORD)
    with qtbot.waitSignal(dialog.accepted):
        dialog._submit()
    assert sqlite_services.setup.authority().name == "Northshire"
    enrolment = dialog.result_info.admin_enrolment  # shown next, once, by the enrolment dialog
    code = code_at(enrolment.secret, clock.now())
    assert sqlite_services.auth.login("first.admin", PASSWORD, code).username == "first.admin"
