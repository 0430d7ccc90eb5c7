"""Watches keyboard and mouse input application-wide and says when the idle timeout has passed."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

from shielddesk.domain.clock import Clock
from shielddesk.security.idle import IdleTracker

_INPUT_EVENTS = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class IdleWatcher(QObject):
    idle = Signal()

    def __init__(self, clock: Clock, timeout: timedelta, parent: QObject | None = None, poll_ms: int = 1000) -> None:
        super().__init__(parent)
        self.tracker = IdleTracker(clock, timeout)
        self._armed = True
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            self.tracker.touch()
        return False

    def rearm(self) -> None:
        self.tracker.touch()
        self._armed = True

    def check(self) -> None:
        if self._armed and self.tracker.is_due():
            self._armed = False
            self.idle.emit()
