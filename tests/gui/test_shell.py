"""Signing out returns to the sign-in dialog; quitting ends the application."""

from shielddesk.domain.clock import FakeClock
from shielddesk.ui import launch
from shielddesk.ui.dialogs.login import LoginDialog


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
