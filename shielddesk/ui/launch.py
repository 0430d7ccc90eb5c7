"""Starting the desktop application: keyring check, first run, sign-in, main window, sign-out loop."""

from __future__ import annotations

import logging
import os
import sys
from types import TracebackType

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from shielddesk.app import Services, build_services
from shielddesk.config import Config
from shielddesk.domain.clock import Clock, SystemClock
from shielddesk.domain.errors import ShieldDeskError
from shielddesk.logsetup import configure_logging
from shielddesk.ui.collector import GuiThreadCollector
from shielddesk.ui.dialogs.enrolment import EnrolmentDialog
from shielddesk.ui.dialogs.first_run import FirstRunDialog
from shielddesk.ui.dialogs.login import LoginDialog
from shielddesk.ui.main_window import MainWindow
from shielddesk.ui.resources import icon, style_sheet
from shielddesk.ui.tasks import finish_running_tasks

log = logging.getLogger(__name__)


class Shell(QObject):
    """Owns the sign-in / main window cycle so that signing out returns to the sign-in dialog."""

    def __init__(self, services: Services, clock: Clock) -> None:
        super().__init__()
        self.services = services
        self.clock = clock
        self.window: MainWindow | None = None

    def start(self) -> bool:
        if not self.services.setup.is_initialised():
            done = FirstRunDialog(self.services.setup).ask()
            if done is None:
                return False
            if done.admin_enrolment is not None:
                EnrolmentDialog(done.admin_enrolment).ask()
        return self.sign_in()

    def sign_in(self, message: str = "") -> bool:
        authority = self.services.setup.authority()
        dialog = LoginDialog(
            self.services.auth,
            authority.name,
            demo=authority.demo,
            second_factor_required=authority.second_factor_required,
        )
        if message:
            dialog.show_message(message)
        user = dialog.ask()
        if user is None:
            QApplication.quit()
            return False
        self.services.refresh_log_filter()
        self.window = MainWindow(self.services, user, authority, self.clock)
        self.window.signed_out.connect(self._signed_out)
        self.window.quit_requested.connect(QApplication.quit)
        self.window.show()
        return True

    def _signed_out(self, message: str) -> None:
        self.window = None
        self.sign_in(message)


def _report_unexpected(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    """Last resort for an error no handler expected: log it (the log filter still applies) and say so plainly."""
    log.error("unexpected error", exc_info=(kind, error, trace))
    QMessageBox.critical(
        None,
        "ShieldDesk",
        "Something unexpected went wrong and the last action may not have been completed. "
        "Nothing is shown here on purpose; the details are in the log file. If it happens again, "
        "tell your administrator.",
    )


ENV_SMOKE_TEST = "SHIELDDESK_SMOKE_TEST"


def _close_first_window_when_shown() -> None:
    """The packaged application's smoke test: once the sign-in (or first-run) window is on screen, say so and
    cancel it, which ends the application normally."""
    dialog = QApplication.activeModalWidget()
    if isinstance(dialog, LoginDialog | FirstRunDialog) and dialog.isVisible():
        print(f"ShieldDesk smoke test: {type(dialog).__name__} shown", flush=True)
        dialog.reject()
        return
    QTimer.singleShot(50, _close_first_window_when_shown)


def run_gui(config: Config, argv: list[str] | None = None) -> int:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("ShieldDesk")
    app.setOrganizationName("ShieldDesk")
    app.setWindowIcon(icon("app"))
    app.setStyleSheet(style_sheet())
    app.setQuitOnLastWindowClosed(False)  # the Shell decides: signing out returns to the sign-in dialog
    configure_logging(config.log_dir)
    try:
        services = build_services(config)
    except ShieldDeskError as exc:
        QMessageBox.critical(None, "ShieldDesk cannot start", str(exc))
        print(f"shielddesk: {exc}", file=sys.stderr)
        return 1
    sys.excepthook = _report_unexpected
    collector = GuiThreadCollector(app)  # noqa: F841 - lives as long as the application
    if os.environ.get(ENV_SMOKE_TEST):
        QTimer.singleShot(0, _close_first_window_when_shown)
    shell = Shell(services, SystemClock())
    try:
        if not shell.start():
            return 0
        return app.exec()
    finally:
        finish_running_tasks()  # before the services close under them
        services.close()
