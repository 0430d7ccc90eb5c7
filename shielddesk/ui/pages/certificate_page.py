"""Certificate: the readiness checklist for a list, then issuing and signing the completion certificate (off
the GUI thread), its preview, saving and printing; and verifying any certificate file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shielddesk.app import Services
from shielddesk.domain.certificate import Readiness, ReadinessCheck
from shielddesk.domain.errors import SessionEnded
from shielddesk.domain.roles import Permission
from shielddesk.services.certificates import IssuedCertificate
from shielddesk.services.changes import Changes
from shielddesk.services.session import UserSession
from shielddesk.ui.models.row_table import Column, RowTableModel
from shielddesk.ui.pages.base import Page
from shielddesk.ui.pdf_view import print_pdf, render_pages
from shielddesk.ui.prompts import Prompts
from shielddesk.ui.tasks import BackgroundTask

CHECK_COLUMNS: list[Column[ReadinessCheck]] = [
    Column("", lambda c: "✓" if c.ok else "✗", tint=lambda c: "#d9efd9" if c.ok else "#f6c9cf"),
    Column("Condition", lambda c: c.label),
    Column("Detail", lambda c: c.detail),
]


class CertificatePage(Page):
    title = "Certificate"
    checked = Signal()  # a readiness result (or its failure) is shown

    def __init__(self, services: Services, user: UserSession, prompts: Prompts, **hooks: Any) -> None:
        super().__init__(services, user, prompts, **hooks)
        self.readiness: Readiness | None = None
        self.issued: IssuedCertificate | None = None
        self.task: BackgroundTask | None = None
        self._check_generation = 0
        self.may_issue = user.may(Permission.ISSUE_CERTIFICATE)
        self.list_choice = QComboBox()
        self.list_choice.setAccessibleName("List the certificate covers")
        self.verdict = QLabel()
        self.verdict.setObjectName("pageTitle")
        self.verdict.setAccessibleName("Readiness")
        self.checks = RowTableModel(CHECK_COLUMNS, self)
        self.check_table = QTableView()
        self.check_table.setModel(self.checks)
        self.check_table.setAccessibleName("Readiness checklist")
        self.check_table.verticalHeader().setVisible(False)
        self.check_table.setWordWrap(True)
        header = self.check_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        # Condition and detail share the width and wrap: sized to its text, the condition column pushed the
        # detail (the counts that explain a verdict) out of sight.
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.check_button = self._button("&Check again", self.check)
        self.key_button = self._button("Create &signing key…", self.create_key)
        self.issue_button = self._button("&Issue and sign…", self.issue)
        self.save_button = self._button("&Save PDF…", self.save)
        self.print_button = self._button("&Print…", self.print_certificate)
        self.verify_button = self._button("&Verify a certificate…", self.verify)
        for button in (self.issue_button, self.save_button, self.print_button):
            button.setEnabled(False)
        self.key_button.setVisible(self.may_issue)
        self.issue_button.setVisible(self.may_issue)
        self.key_status = QLabel()
        self.key_status.setWordWrap(True)
        self.preview = QLabel("The issued certificate is shown here.")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setAccessibleName("Certificate preview")
        preview_area = QScrollArea()
        preview_area.setWidget(self.preview)
        preview_area.setWidgetResizable(True)
        self.verification = QPlainTextEdit()
        self.verification.setReadOnly(True)
        self.verification.setAccessibleName("Verification result")
        self.verification.setMaximumHeight(120)
        self.verification.hide()

        top = QHBoxLayout()
        top.addWidget(QLabel("List:"))
        top.addWidget(self.list_choice, 1)
        top.addWidget(self.check_button)
        actions = QHBoxLayout()
        for button in (self.key_button, self.issue_button, self.save_button, self.print_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.verify_button)
        left = QWidget()
        column = QVBoxLayout(left)
        column.addWidget(self.verdict)
        column.addWidget(self.check_table, 1)
        column.addWidget(self.key_status)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(preview_area)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addLayout(actions)
        layout.addWidget(self.verification)
        layout.addWidget(splitter, 1)
        self.list_choice.currentIndexChanged.connect(lambda _i: self.check())

    def _button(self, text: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        button.clicked.connect(slot)
        return button

    # ---- readiness ------------------------------------------------------------------------------------
    def reload(self) -> None:
        lists = self.attempt(lambda: self._services.lists.lists(self.user))
        if lists is None:
            return
        current = self.list_choice.currentText()
        self.list_choice.blockSignals(True)
        self.list_choice.clear()
        self.list_choice.addItems([summary.reference for summary in lists])
        if current:
            self.list_choice.setCurrentText(current)
        self.list_choice.blockSignals(False)
        self._show_key()
        self.check()

    def _show_key(self) -> None:
        if not self.may_issue:
            self.key_status.setText("Only the sign-off owner can issue the certificate.")
            return
        key = self._services.certificates.my_key(self.user)
        self.key_button.setVisible(key is None)
        self.key_status.setText(
            f"Signing key: {key.subject}, valid until {key.not_after:%d/%m/%Y}"
            + (" (self-signed)" if key.self_signed else " (issued by your authority's CA)")
            if key
            else "You have no signing key yet: create one here, or import your CA's with `shielddesk keys import`."
        )

    def check(self) -> BackgroundTask | None:
        """Readiness runs off the GUI thread: it verifies the whole audit chain and runs the leak check, which
        take seconds at a large authority. `checked` is emitted when the result is shown; a newer check
        supersedes an older one still running."""
        reference = self.list_choice.currentText()
        self._check_generation += 1
        generation = self._check_generation
        self.issue_button.setEnabled(False)
        if not reference:
            self.verdict.setText("No lists yet.")
            self.checks.set_rows([])
            return None
        self.verdict.setText(f"{reference}: checking…")
        user = self.user
        task = BackgroundTask(lambda _report, _cancel: self._services.certificates.readiness(user, [reference]))
        task.succeeded.connect(lambda readiness: self._checked(generation, reference, readiness))
        task.failed.connect(lambda error: self._check_failed(generation, error))
        task.start()
        return task

    def _checked(self, generation: int, reference: str, readiness: Readiness) -> None:
        if generation != self._check_generation or not shiboken6.isValid(self):
            return
        self.readiness = readiness
        self.checks.set_rows(readiness.checks)
        self.check_table.resizeRowsToContents()
        self.verdict.setText(
            f"{reference}: ready to issue"
            if readiness.ready
            else f"{reference}: not ready — {len(readiness.blocking)} condition(s) not met"
        )
        self.issue_button.setEnabled(self.may_issue and readiness.ready)
        self.checked.emit()

    def _check_failed(self, generation: int, error: Exception) -> None:
        if generation != self._check_generation or not shiboken6.isValid(self):
            return
        self.readiness = None
        if isinstance(error, SessionEnded):
            self._on_session_ended(str(error))
            return
        self.verdict.setText("Readiness could not be checked.")
        self.say(str(error), error=True)
        self.checked.emit()

    def on_changes(self, changes: Changes) -> None:
        if changes.lists or changes.requests or changes.shields or changes.reviews:
            self.check()

    def clear(self) -> None:
        super().clear()
        self._check_generation += 1  # a check still running is not shown behind the lock screen
        self.checks.set_rows([])
        self.issued = None
        self.preview.clear()
        self.preview.setText("The issued certificate is shown here.")
        self.verification.clear()
        self.verification.hide()
        for button in (self.issue_button, self.save_button, self.print_button):
            button.setEnabled(False)

    # ---- issuing -----------------------------------------------------------------------------------------------
    def create_key(self) -> None:
        credentials = self.prompts.step_up(
            "Create your signing key and self-signed signing certificate.", self, self.user.second_factor
        )
        if credentials is None:
            return
        if self.attempt(
            lambda: (
                self._services.auth.reauthenticate(self.user, credentials),
                self._services.certificates.create_key(self.user),
            ),
            done="Signing key created; its passphrase is kept in the OS keyring.",
        ):
            self._show_key()

    def issue(self) -> BackgroundTask | None:
        reference = self.list_choice.currentText()
        credentials = self.prompts.step_up(
            f"Issue and sign the completion certificate for {reference}.", self, self.user.second_factor
        )
        if credentials is None:
            return None
        if self.attempt(lambda: self._services.auth.reauthenticate(self.user, credentials)) is None:
            return None
        progress = QProgressDialog("Checking readiness, then signing the certificate…", "Cancel", 0, 0, self)
        progress.setWindowTitle("Issuing certificate")
        progress.setMinimumDuration(300)

        def work(_report: object, _cancel: object) -> tuple[IssuedCertificate, list[QImage]]:
            issued = self._services.certificates.issue(self.user, [reference])
            return issued, render_pages(issued.pdf, dpi=90)[:1]  # drawn here, not on the GUI thread

        task = BackgroundTask(work)
        task.succeeded.connect(lambda result: self._issued(progress, *result))
        task.failed.connect(lambda error: (progress.close(), self.say(str(error), error=True)))
        progress.canceled.connect(task.cancel)  # signing cannot stop half way; the result is simply not shown
        self.task = task
        self.issue_button.setEnabled(False)
        task.start()
        return task

    def _issued(self, progress: QProgressDialog, issued: IssuedCertificate, pages: list[QImage]) -> None:
        progress.close()
        self.issued = issued
        if pages:
            self.preview.setPixmap(QPixmap.fromImage(pages[0]))
        self.save_button.setEnabled(True)
        self.print_button.setEnabled(True)
        self.say(f"Certificate {issued.number} issued and signed. Save it and print it for the authority's file.")
        self.changed(Changes(lists=True))

    def save(self) -> None:
        if self.issued is None:
            return
        path = self.prompts.save_path("Save the certificate", "PDF (*.pdf)", f"{self.issued.number}.pdf", self)
        if path:
            Path(path).write_bytes(self.issued.pdf)
            self.say(f"Saved {path}.")

    def print_certificate(self) -> None:
        if self.issued is None:
            return
        printer = self.prompts.printer(self)
        if printer is not None:
            pages = print_pdf(self.issued.pdf, printer)
            self.say(
                f"Sent {pages} page(s) to the printer." if pages else "The printer could not be started.",
                error=not pages,
            )

    def verify(self) -> None:
        path = self.prompts.open_path("Verify a certificate", "PDF (*.pdf)", self)
        if not path:
            return
        try:
            pdf = Path(path).read_bytes()
        except OSError as exc:
            self.say(f"The file cannot be read ({exc.strerror}).", error=True)
            return
        result = self.attempt(lambda: self._services.certificates.verify(self.user, pdf))
        if result is not None:
            self.verification.setPlainText(result.describe())
            self.verification.show()
            self.say(
                "The certificate is valid and matches the database."
                if result.ok
                else "The certificate did NOT verify: see the details.",
                error=not result.ok,
            )
