"""Signing out returns to the sign-in dialog; quitting ends the application."""

from shielddesk.domain.clock import FakeClock
from shielddesk.ui import launch
from shielddesk.ui.dialogs.enrolment import EnrolmentDialog
from shielddesk.ui.dialogs.first_run import FirstRunDialog
from shielddesk.ui.dialogs.login import LoginDialog
from tests.support.authority import PASSWORD


def test_sign_out_returns_to_sign_in_and_cancel_quits(qtbot, sqlite_authority, monkeypatch):
    answers = [sqlite_authority.operator1, None]
    asked = []

    def fake_ask(self):
        asked.append(self.error.text())
        return answers.pop(0)

    quits = []
    monkeypatch.setattr(LoginDialog, "ask", fake_ask)
    monkeypatch.setattr(launch.QApplication, "quit", lambda: quits.append(True))
    shell = launch.Shell(sqlite_authority.services, FakeClock())
    assert shell.start()
    window = shell.window
    qtbot.addWidget(window)
    assert window.isVisible() and window.user.username == "operator1"
    window.sign_out("Signed out.")
    qtbot.waitUntil(lambda: len(asked) == 2)
    assert asked[1] == "Signed out."
    assert not window.isVisible()
    assert quits == [True]


def test_first_run_shows_the_first_administrators_authenticator_before_sign_in(qtbot, sqlite_services, monkeypatch):
    def set_up(self):
        return sqlite_services.setup.initialise(
            authority_name="Northshire",
            team_phone="01632 960000",
            admin_username="first.admin",
            admin_display_name="First Admin",
            admin_password=PASSWORD,
        )

    shown, asked = [], []
    monkeypatch.setattr(FirstRunDialog, "ask", set_up)
    monkeypatch.setattr(EnrolmentDialog, "ask", lambda self: shown.append(self.secret.text()) or True)
    monkeypatch.setattr(LoginDialog, "ask", lambda self: asked.append(not self.code.isHidden()) or None)
    monkeypatch.setattr(launch.QApplication, "quit", lambda: None)
    assert not launch.Shell(sqlite_services, FakeClock()).start()  # the sign-in dialog was cancelled
    assert len(shown) == 1 and len(shown[0].replace(" ", "")) == 32
    assert asked == [True]
