"""The main window: menus, the search desk, the lock screen, idle lock and the population import."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from shielddesk.app import Services
from shielddesk.domain.clock import Clock
from shielddesk.domain.credentials import Credentials
from shielddesk.domain.errors import ImportRejected, SessionEnded, ShieldDeskError
from shielddesk.domain.roles import Permission
from shielddesk.services.change_listener import ChangeListener
from shielddesk.services.changes import EVERYTHING, Changes
from shielddesk.services.population import ImportSummary
from shielddesk.services.session import UserSession
from shielddesk.services.setup import AuthorityInfo
from shielddesk.ui.administration import SecondFactorActions
from shielddesk.ui.clipboard import clear_shielded_clipboard
from shielddesk.ui.dialogs.import_population import ImportPopulationDialog, PopulationFiles
from shielddesk.ui.idle import IdleWatcher
from shielddesk.ui.pages.base import Page
from shielddesk.ui.pages.certificate_page import CertificatePage
from shielddesk.ui.pages.confirm_page import ConfirmPage
from shielddesk.ui.pages.lists_page import ListsPage
from shielddesk.ui.pages.queues_page import QueuesPage
from shielddesk.ui.pages.search_page import SearchPage
from shielddesk.ui.pages.shields_page import ShieldsPage
from shielddesk.ui.pages.users_page import UsersPage
from shielddesk.ui.prompts import Prompts
from shielddesk.ui.resources import icon
from shielddesk.ui.tasks import BackgroundTask, show_progress
from shielddesk.ui.widgets.lock_screen import LockScreen

FilesAsker = Callable[[QWidget], PopulationFiles | None]


def ask_population_files(parent: QWidget) -> PopulationFiles | None:
    return ImportPopulationDialog(parent).ask()


class MainWindow(QMainWindow):
    signed_out = Signal(str)
    quit_requested = Signal()
    heard_change = Signal()  # another workstation committed a change (PostgreSQL LISTEN), picked up on this thread

    def __init__(
        self,
        services: Services,
        user: UserSession,
        authority: AuthorityInfo,
        clock: Clock,
        *,
        ask_files: FilesAsker = ask_population_files,
        prompts: Prompts | None = None,
    ) -> None:
        super().__init__()
        self._services = services
        self.user = user
        self._authority = authority
        self._ask_files = ask_files
        self._task: BackgroundTask | None = None
        self.last_message: QMessageBox | None = None
        self.locked = False
        self._signing_out = False
        self.setWindowTitle(f"ShieldDesk — {authority.name}")
        self.setWindowIcon(icon("app"))
        self.resize(1280, 800)

        self.prompts = prompts or Prompts()
        self.search_page = SearchPage(services.children, user, on_session_ended=self.end_session)
        self.pages: list[Page] = []
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Work areas")
        if user.may(Permission.SEARCH):
            self.tabs.addTab(self.search_page, icon("search"), "&Search")
        page_kwargs = {"notify": self.broadcast, "on_session_ended": self.end_session}
        self.lists_page = (
            ListsPage(services, user, self.prompts, **page_kwargs) if user.may(Permission.VIEW_LISTS) else None
        )
        self.confirm_page = (
            ConfirmPage(services, user, self.prompts, **page_kwargs) if user.may(Permission.CONFIRM_SHIELD) else None
        )
        self.shields_page = (
            ShieldsPage(services, user, self.prompts, **page_kwargs) if user.may(Permission.VIEW_QUEUES) else None
        )
        self.queues_page = (
            QueuesPage(services, user, self.prompts, **page_kwargs) if user.may(Permission.VIEW_QUEUES) else None
        )
        may_certify = user.may(Permission.ISSUE_CERTIFICATE) or (
            user.may(Permission.VIEW_AUDIT) and user.may(Permission.VIEW_QUEUES)
        )
        self.certificate_page = CertificatePage(services, user, self.prompts, **page_kwargs) if may_certify else None
        self.users_page = (
            UsersPage(services, user, self.prompts, **page_kwargs) if user.may(Permission.MANAGE_USERS) else None
        )
        pages = (
            self.queues_page,
            self.lists_page,
            self.confirm_page,
            self.shields_page,
            self.certificate_page,
            self.users_page,
        )
        for page in pages:
            if page is not None:
                self.pages.append(page)
                self.tabs.addTab(page, page.title)
        self.tabs.currentChanged.connect(self._tab_shown)
        self.lock_screen = LockScreen()
        self.lock_screen.unlock_requested.connect(self._unlock)
        self.lock_screen.sign_out_requested.connect(lambda: self.sign_out("Signed out."))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tabs)
        self.stack.addWidget(self.lock_screen)
        self.setCentralWidget(self.stack)
        self._build_menus()

        who = QLabel(f"Signed in as {user.display_name} ({user.username}) — {user.roles_label}")
        who.setAccessibleName("Signed-in user")
        self.statusBar().addWidget(who, 1)
        if user.recovery_codes_left is not None:
            self.recovery_notice = QLabel(
                f"Signed in with a recovery code: {user.recovery_codes_left} left. Account → New recovery codes "
                "once your authenticator works again."
            )
            self.recovery_notice.setObjectName("errorText")
            self.statusBar().addWidget(self.recovery_notice)
        where = QLabel(f"{authority.name}{' — DEMO DATA' if authority.demo else ''} · {services.config.workstation}")
        self.statusBar().addPermanentWidget(where)

        # Another workstation's changes: ask the change feed now and then; reload what changed.
        self._seen = services.changes.head()
        self.poll = QTimer(self)
        self.poll.setInterval(int(services.config.refresh_every.total_seconds() * 1000))
        self.poll.timeout.connect(self.check_for_changes)
        self.poll.start()
        self._listener: ChangeListener | None = None
        self._heard = threading.Event()
        if ChangeListener.available(services.engine):  # PostgreSQL: refresh at once, the poll remains the fallback
            # The listener's thread only sets a flag: Qt objects are touched on the GUI thread alone.
            self._listener = ChangeListener(services.engine, self._heard.set)
            self._listener.start()
            self._hear = QTimer(self)
            self._hear.setInterval(200)
            self._hear.timeout.connect(self._take_heard_change)
            self._hear.start()
        self.idle = IdleWatcher(clock, services.config.idle_lock, self)
        self.idle.idle.connect(lambda: self.lock(idle=True))
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle)
        self._tab_shown(self.tabs.currentIndex())  # the first work area (Lists, Users) is filled like any other
        if self.tabs.currentWidget() is self.search_page:
            self.search_page.surname.setFocus()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.import_action = QAction(icon("import"), "&Import population…", self)
        self.import_action.setEnabled(self.user.may(Permission.IMPORT_POPULATION))
        self.import_action.triggered.connect(self.import_population)
        file_menu.addAction(self.import_action)
        file_menu.addSeparator()
        self.lock_action = QAction(icon("lock"), "&Lock", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(lambda: self.lock(idle=False))
        file_menu.addAction(self.lock_action)
        sign_out = QAction("Sign &out", self)
        sign_out.triggered.connect(lambda: self.sign_out("Signed out."))
        file_menu.addAction(sign_out)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self.second_factor_actions = SecondFactorActions(
            self, self._services, lambda: self.user, self.prompts, self.end_session
        )
        self.second_factor_actions.build()
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About ShieldDesk", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    # ---- pages ----------------------------------------------------------------------------------------
    def _tab_shown(self, index: int) -> None:
        page = self.tabs.widget(index)
        if isinstance(page, Page) and not self.locked:
            page.reload()  # type: ignore[attr-defined]

    def show_page(self, page: QWidget) -> None:
        self.tabs.setCurrentWidget(page)

    def _take_heard_change(self) -> None:
        if self._heard.is_set():
            self._heard.clear()
            self.heard_change.emit()
            self.check_for_changes()

    def check_for_changes(self) -> None:
        try:
            self._services.auth.check_session_age(self.user)
        except SessionEnded as exc:
            self.end_session(str(exc))
            return
        if self.locked:
            return
        try:
            changed, self._seen = self._services.changes.changed_since(self._seen)
        except ShieldDeskError:
            return  # the database is unreachable for a moment; the next tick tries again
        if changed:
            self.broadcast(EVERYTHING, remote=True)

    def broadcast(self, changes: Changes, *, remote: bool = False) -> None:
        """Every page decides for itself whether what changed concerns it. Another workstation's change does not
        re-run the search on screen: that would close a record an operator is reading (and end a reveal)."""
        if (changes.shields or changes.children) and not remote:
            self.search_page.refresh()
        shown = self.tabs.currentWidget()
        for page in self.pages:
            if page is shown:  # the others reload when their tab is shown (_tab_shown)
                page.on_changes(changes)
        if changes.shields or changes.children:
            self._services.refresh_log_filter()
        with contextlib.suppress(ShieldDeskError):
            self._seen = self._services.changes.head()  # what we just reloaded need not be reloaded again

    # ---- lock and session ------------------------------------------------------------------------------
    def lock(self, *, idle: bool) -> None:
        if self.locked:
            return
        self.locked = True
        # An open dialog (a match, a comparison, a file chooser) would stay on top of the lock screen with a
        # child's details in it: cancel every one; the action it belonged to is simply not taken. A progress
        # dialog shows no child and cancelling it would abandon an import: it stays, behind the lock.
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible() and not isinstance(widget, QProgressDialog):
                widget.reject()
        self._clear_pages()  # no child data survives behind the lock screen
        clear_shielded_clipboard()
        self.stack.setCurrentWidget(self.lock_screen)
        self.menuBar().setEnabled(False)
        reason = "Locked after a period of inactivity." if idle else "Locked."
        self.lock_screen.prepare(
            f"{self.user.display_name} ({self.user.username})", reason, second_factor=self.user.second_factor
        )
        try:
            self._services.auth.lock(self.user, idle=idle)
        except SessionEnded as exc:
            self.end_session(str(exc))

    def _unlock(self, credentials: Credentials) -> None:
        try:
            self.user = self._services.auth.unlock(self.user, credentials)
        except SessionEnded as exc:
            self.end_session(str(exc))
            return
        except ShieldDeskError as exc:
            self.lock_screen.show_error(str(exc))
            return
        self.locked = False
        self.menuBar().setEnabled(True)
        self.stack.setCurrentWidget(self.tabs)
        self.idle.rearm()
        self._tab_shown(self.tabs.currentIndex())
        if self.tabs.currentWidget() is self.search_page:
            self.search_page.surname.setFocus()

    def _clear_pages(self) -> None:
        self.search_page.clear()
        for page in self.pages:
            page.clear()

    def end_session(self, message: str) -> None:
        self.sign_out(message)

    def sign_out(self, message: str) -> None:
        self._signing_out = True
        self.close()
        # Let the close finish before the sign-in dialog opens in its place.
        QTimer.singleShot(0, lambda: self.signed_out.emit(message))

    def changeEvent(self, event: QEvent) -> None:
        # Minimised, the window's content would live on in task-bar previews and window switchers: lock it.
        if event.type() == QEvent.Type.WindowStateChange and self.isMinimized() and not self.locked:
            self.lock(idle=False)
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._task is not None and self._task.isRunning():
            self._task.cancel()
            self._task.wait()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.idle)
        self.idle.timer.stop()
        self.poll.stop()
        if self._listener is not None:
            self._hear.stop()
            self._listener.stop()
        self._clear_pages()
        clear_shielded_clipboard()
        with contextlib.suppress(ShieldDeskError):  # the session is ending anyway; sign-out cannot be refused
            self._services.auth.logout(self.user)
        super().closeEvent(event)
        if not self._signing_out:
            self.quit_requested.emit()

    # ---- population import ---------------------------------------------------------------------------
    def import_population(self) -> None:
        files = self._ask_files(self)
        if files is None:
            return
        self.start_import(files)

    def start_import(self, files: PopulationFiles) -> BackgroundTask:
        progress = QProgressDialog("Reading and checking the files…", "Cancel", 0, 0, self)
        progress.setWindowTitle("Importing population")
        progress.setMinimumDuration(0)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        user = self.user

        def work(report: Callable[[int, int, str], None], cancel: object) -> ImportSummary:
            return self._services.population.import_population(
                user,
                files.children,
                files.involvements,
                progress=report,
                cancel=cancel,  # type: ignore[arg-type]
            )

        task = BackgroundTask(work)
        task.progressed.connect(lambda done, total, stage: show_progress(progress, done, total, stage))
        progress.canceled.connect(task.cancel)
        task.succeeded.connect(lambda summary: self._import_done(progress, summary))
        task.failed.connect(lambda error: self._import_failed(progress, error, files.children))
        self._task = task
        task.start()
        progress.show()
        return task

    def _import_done(self, dialog: QProgressDialog, summary: ImportSummary) -> None:
        dialog.close()
        self.broadcast(Changes(children=True, shields=summary.provisional_shields > 0, reviews=True))
        text = (
            f"Imported {summary.children_in_file:,} children: {summary.created:,} new, {summary.updated:,} updated, "
            f"{summary.unchanged:,} unchanged; {summary.involvements:,} involvements."
        )
        if summary.provisional_shields:
            text += (
                f"\n\n{summary.provisional_shields} record(s) look like already shielded children and were shielded "
                "provisionally: two operators must keep or release each (Shielded children)."
            )
        if summary.warnings:
            text += "\n\nWarnings:\n" + "\n".join(summary.warnings)
        self._tell(QMessageBox.Icon.Information, "Import complete", text)

    def _import_failed(self, dialog: QProgressDialog, error: Exception, path: Path) -> None:
        dialog.close()
        if isinstance(error, ImportRejected):
            box = self._tell(
                QMessageBox.Icon.Warning,
                "Import refused",
                f"{path.name} was not imported: {len(error.problems)} problem(s). Nothing was changed.",
            )
            box.setDetailedText("\n".join(str(p) for p in error.problems))
        else:
            self._tell(QMessageBox.Icon.Warning, "Import refused", str(error))

    def _tell(self, kind: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
        """A window-modal message that does not block the event loop (so tests and the idle lock still run)."""
        box = QMessageBox(kind, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.last_message = box
        return box

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About ShieldDesk",
            "ShieldDesk hides the location of children at risk of significant harm in the children's index. "
            f"Every shield needs two operators.\n\nShielding team: {self._authority.team_phone}",
        )
