"""Two-factor sign-in in the window: the code field at sign-in, on the lock screen and in every step-up; the
enrolment shown once with its QR code; the Administration menu's enrolment and four-eyes reset."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from shielddesk.domain.credentials import Credentials
from shielddesk.domain.errors import AuthenticationFailed
from shielddesk.domain.roles import Role
from shielddesk.ui.dialogs.enrolment import EnrolmentDialog
from shielddesk.ui.dialogs.login import LoginDialog
from shielddesk.ui.dialogs.step_up import StepUpDialog
from shielddesk.ui.prompts import Prompts
from tests.support.authority import PASSWORD
from tests.support.two_factor import Phones, enrol_everyone


@pytest.fixture
def phones(sqlite_authority) -> Phones:
    return enrol_everyone(sqlite_authority)


def test_sign_in_takes_the_code_and_refuses_without_it(qtbot, sqlite_authority, phones):
    dialog = LoginDialog(sqlite_authority.services.auth, "Test Borough Council", second_factor_required=True)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "operator1")
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.error.text() == AuthenticationFailed.MESSAGE and dialog.session is None
    assert dialog.password.text() == "" and dialog.code.text() == ""
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClicks(dialog.code, phones.code("operator1"))
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    assert dialog.session.second_factor and dialog.code.text() == ""


def test_the_enrolment_is_shown_once_with_a_qr_code_and_closes_only_when_ticked(qtbot, sqlite_authority, tmp_path):
    services = sqlite_authority.services
    enrolment = services.second_factor.enrol(sqlite_authority.admin, "operator1", PASSWORD)
    dialog = EnrolmentDialog(enrolment)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.qr.pixmap().isNull() and dialog.qr.pixmap().width() >= 200
    assert dialog.secret.text().replace(" ", "") == enrolment.secret
    assert [label.text() for label in dialog.recovery_codes] == list(enrolment.recovery_codes)
    dialog.grab().save(str(tmp_path / "enrolment.png"))
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and not dialog.close_button.isEnabled()  # not before the codes are written down
    dialog.done_box.setChecked(True)
    with qtbot.waitSignal(dialog.accepted):
        dialog.close_button.click()
    assert dialog.secret.text() == "" and dialog.qr.pixmap().isNull()  # nothing kept once it is closed


def test_step_up_asks_for_a_code_only_of_an_enrolled_user(qtbot):
    with_code = StepUpDialog("Confirm request 7.", second_factor=True)
    without = StepUpDialog("Confirm request 7.", second_factor=False)
    for dialog in (with_code, without):
        qtbot.addWidget(dialog)

    def answer() -> None:
        qtbot.keyClicks(with_code.password, PASSWORD)
        qtbot.keyClicks(with_code.code, "123456")
        assert with_code.code.isVisible()
        with_code.accept()

    QTimer.singleShot(0, answer)
    assert with_code.ask() == Credentials(PASSWORD, "123456")
    assert with_code.password.text() == with_code.code.text() == ""  # not left in the dialog
    without.show()
    assert not without.code.isVisible()


def test_lock_screen_needs_the_code_of_an_enrolled_user(qtbot, open_window, sqlite_authority, phones):
    window = open_window("operator1")
    window.user = phones.sign_in("operator1")
    window.lock(idle=False)
    assert window.lock_screen.code.isVisible()
    window.lock_screen.unlock_requested.emit(Credentials(PASSWORD))
    assert window.locked and "authenticator code is wrong" in window.lock_screen.error.text()
    qtbot.keyClicks(window.lock_screen.password, PASSWORD)
    qtbot.keyClicks(window.lock_screen.code, phones.fresh("operator1").code)
    qtbot.keyClick(window.lock_screen.code, Qt.Key.Key_Return)
    assert not window.locked


def test_administrators_enrol_and_reset_from_the_administration_menu(qtbot, open_window, sqlite_authority, phones):
    services = sqlite_authority.services
    services.users.add_user(sqlite_authority.admin, "newcomer", "New Comer", [Role.OPERATOR], PASSWORD)
    services.users.add_user(sqlite_authority.admin, "admin2", "Second Admin", [Role.ADMIN], PASSWORD)
    phones.secrets["admin2"] = services.second_factor.enrol(
        sqlite_authority.admin, "admin2", phones.fresh("admin")
    ).secret
    shown, offered = [], []

    def choose(title, label, options, parent):
        offered.append(options)
        return options[0]

    prompts = Prompts(
        step_up=lambda action, parent, second_factor: phones.fresh("admin"),
        choose=choose,
        show_enrolment=lambda enrolment, parent: shown.append(enrolment) or True,
        reason=lambda title, prompt, action, parent: "phone replaced",
    )
    phones.sign_in("admin")
    window = open_window("admin", prompts)
    menus = [action.text() for action in window.menuBar().actions()]
    assert "&Administration" in menus and "&Account" in menus

    window.second_factor_actions.enrol_action.trigger()
    assert offered[-1] == ["newcomer"] and [e.username for e in shown] == ["newcomer"]
    assert "newcomer's authenticator is set up" in window.second_factor_actions.last_message

    window.second_factor_actions.reset_action.trigger()  # asks for a reset of the first enrolled user offered
    assert "Another administrator must now carry it out" in window.second_factor_actions.last_message
    window.second_factor_actions.confirm_action.trigger()
    assert "Another administrator must carry out" in window.second_factor_actions.last_message

    admin2 = phones.sign_in("admin2")
    pending = services.second_factor.pending_resets(admin2)
    assert len(pending) == 1
    services.second_factor.confirm_reset(admin2, pending[0].reset_id, phones.fresh("admin2"))
    assert pending[0].username not in {u.username for u in services.users.list_users(admin2) if u.second_factor}
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            widget.done(0)


def test_an_unenrolled_user_sees_no_administration_menu_and_no_recovery_codes(open_window, sqlite_authority):
    window = open_window("operator1")
    menus = [action.text() for action in window.menuBar().actions()]
    assert "&Administration" not in menus
    assert not window.second_factor_actions.recovery_action.isEnabled()


def test_signing_in_with_a_recovery_code_says_how_many_are_left(open_window, sqlite_authority, phones):
    recovery = phones.recovery_codes["operator1"][0]
    sqlite_authority.sessions["operator1"] = sqlite_authority.services.auth.login("operator1", PASSWORD, recovery)
    window = open_window("operator1")
    assert "recovery code: 9 left" in window.recovery_notice.text() and window.recovery_notice.isVisible()
    assert window.second_factor_actions.recovery_action.isEnabled()


def test_an_administrator_who_enrols_themself_signs_in_again_with_the_code(qtbot, open_window, sqlite_authority):
    shown = []
    prompts = Prompts(
        step_up=lambda action, parent, second_factor: Credentials(PASSWORD),
        choose=lambda title, label, options, parent: "admin" if "admin" in options else None,
        show_enrolment=lambda enrolment, parent: shown.append(enrolment) or True,
    )
    window = open_window("admin", prompts)
    with qtbot.waitSignal(window.signed_out) as signed_out:
        window.second_factor_actions.enrol_action.trigger()
    assert [e.username for e in shown] == ["admin"]
    assert signed_out.args == ["Your authenticator is set up. Sign in again with its code."]
