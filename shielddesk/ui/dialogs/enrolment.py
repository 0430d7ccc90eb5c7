"""Shows a new second factor once: the QR code for the user's authenticator app, the same secret as text (for an
app that cannot scan), and the recovery codes to write down. Nothing here can be copied, and nothing is kept:
closing the dialog is the last time anyone sees them. `ask()` returns whether the administrator said it was done."""

from __future__ import annotations

import io

import segno
from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from shielddesk.services.second_factor import Enrolment


def qr_pixmap(text: str, *, scale: int = 6) -> QPixmap:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=4)
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    return pixmap


class EnrolmentDialog(QDialog):
    def __init__(self, enrolment: Enrolment, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Second factor for {enrolment.username} — shown once")
        intro = QLabel(
            f"<b>{enrolment.username}</b> scans this code with their authenticator app (Microsoft Authenticator, "
            "Google Authenticator, FreeOTP…) now, and writes the recovery codes down and keeps them locked away. "
            "ShieldDesk will not show them again: if they are lost, two administrators must reset the second factor."
        )
        intro.setWordWrap(True)
        self.qr = QLabel()
        self.qr.setPixmap(qr_pixmap(enrolment.uri))
        self.qr.setAccessibleName("QR code for the authenticator app")
        self.secret = QLabel(enrolment.grouped_secret)
        self.secret.setObjectName("secretText")
        self.secret.setAccessibleName("The secret as text, for an app that cannot scan")
        self.secret.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        codes = QGridLayout()
        self.recovery_codes = []
        for index, code in enumerate(enrolment.recovery_codes):
            label = QLabel(code)
            label.setObjectName("secretText")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            codes.addWidget(label, index // 2, index % 2)
            self.recovery_codes.append(label)
        self.done_box = QCheckBox("The code is scanned and the recovery codes are written down")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setText("&Done")
        self.close_button.setEnabled(False)
        self.done_box.toggled.connect(self.close_button.setEnabled)
        buttons.rejected.connect(self._finish)

        codes_box = QVBoxLayout()
        codes_box.addWidget(QLabel("Or type this secret into the app:"))
        codes_box.addWidget(self.secret)
        codes_box.addSpacing(12)
        codes_box.addWidget(QLabel("Recovery codes (each works once):"))
        codes_box.addLayout(codes)
        codes_box.addStretch(1)
        middle = QHBoxLayout()
        middle.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignTop)
        middle.addLayout(codes_box, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(middle)
        layout.addWidget(self.done_box)
        layout.addWidget(buttons)
        self.done_box.setFocus()

    def _finish(self) -> None:
        if self.done_box.isChecked():
            self.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Escape would lose the codes before they were written down: only Done closes, once ticked. (The
        # window's lock still closes the dialog, through reject(): a locked screen shows nothing.)
        if event.key() == Qt.Key.Key_Escape and not self.done_box.isChecked():
            event.accept()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.done_box.isChecked():
            event.ignore()
            return
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self.qr.clear()
        self.secret.clear()
        for label in self.recovery_codes:
            label.clear()
        super().done(result)

    def ask(self) -> bool:
        return self.exec() == QDialog.DialogCode.Accepted
