"""The administrator's Users work area: accounts with their roles, state and authenticator; adding a user,
changing roles, deactivating, and setting up an authenticator — each through the services, each shown at once."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer

from shielddesk.domain.credentials import Credentials
from shielddesk.domain.roles import Role
from shielddesk.ui.dialogs.user_form import UserForm, UserFormDialog
from shielddesk.ui.prompts import Prompts
from tests.support.authority import PASSWORD


@pytest.fixture
def answers():
    class Answers(Prompts):
        def __init__(self) -> None:
            super().__init__()
            self.forms: list[UserForm | None] = []
            self.enrolments = []
            self.step_up = lambda action, parent, second_factor: Credentials(PASSWORD)
            self.user_form = lambda current, parent: self.forms.pop(0)
            self.show_enrolment = lambda enrolment, parent: self.enrolments.append(enrolment) or True

    return Answers()


def _users_page(open_window, answers):
    window = open_window("admin", answers)
    page = window.users_page
    window.show_page(page)
    return window, page


def _select(page, username):
    for row, info in enumerate(page.users.rows()):
        if info.username == username:
            page.table.selectRow(row)
            return info
    raise AssertionError(f"{username} not listed")


def _row(page, username):
    return next(info for info in page.users.rows() if info.username == username)


def test_only_administrators_have_the_users_work_area(open_window, answers):
    window, page = _users_page(open_window, answers)
    assert window.tabs.tabText(window.tabs.indexOf(page)) == "Users"
    assert {info.username for info in page.users.rows()} >= {"admin", "operator1", "practitioner"}
    assert open_window("operator1").users_page is None


def test_add_a_user_change_roles_and_deactivate(open_window, answers):
    _window, page = _users_page(open_window, answers)
    answers.forms.append(UserForm("new.operator", "New Operator", (Role.OPERATOR,), "a long enough password"))
    page.add_button.click()
    assert "Added new.operator" in page.message.text()
    assert _row(page, "new.operator").roles == (Role.OPERATOR,)

    _select(page, "new.operator")
    answers.forms.append(UserForm("new.operator", "", (Role.OPERATOR, Role.SUPERVISOR)))
    page.roles_button.click()
    assert set(_row(page, "new.operator").roles) == {Role.OPERATOR, Role.SUPERVISOR}

    _select(page, "new.operator")
    assert page.active_button.text() == "&Deactivate"
    page.active_button.click()
    assert not _row(page, "new.operator").active and "deactivated" in page.message.text()
    _select(page, "new.operator")
    assert page.active_button.text() == "Re&activate"

    _select(page, "admin")
    assert not page.active_button.isEnabled()  # nobody deactivates themself


def test_a_refused_user_is_explained_and_nothing_is_added(open_window, answers):
    _window, page = _users_page(open_window, answers)
    before = len(page.users.rows())
    answers.forms.append(UserForm("short", "Short Password", (Role.PRACTITIONER,), "short"))
    page.add_button.click()
    assert page.message.objectName() == "errorText" and "12" in page.message.text()
    assert len(page.users.rows()) == before


def test_set_up_an_authenticator_from_the_users_list(open_window, answers):
    _window, page = _users_page(open_window, answers)
    info = _select(page, "operator2")
    assert not info.second_factor and page.enrol_button.isEnabled()
    page.enrol_button.click()
    assert [e.username for e in answers.enrolments] == ["operator2"]
    assert _row(page, "operator2").second_factor
    _select(page, "operator2")
    assert not page.enrol_button.isEnabled()  # replacing it is a reset, which needs two administrators


def test_the_form_catches_a_missing_role_and_different_passwords(qtbot):
    dialog = UserFormDialog()
    qtbot.addWidget(dialog)

    def fill() -> None:
        dialog.username.setText("someone")
        dialog.password.setText("a long enough password")
        dialog.repeat.setText("a different password!")
        dialog._submit()
        assert dialog.error.text() == "Choose at least one role."
        dialog.role_boxes[Role.PRACTITIONER].setChecked(True)
        dialog._submit()
        assert dialog.error.text() == "The two passwords are not the same."
        dialog.repeat.setText("a long enough password")
        dialog._submit()

    QTimer.singleShot(0, fill)
    answer = dialog.ask()
    assert answer == UserForm("someone", "", (Role.PRACTITIONER,), "a long enough password")
    assert dialog.password.text() == "" and "long enough" not in repr(answer)
