"""Long work off the GUI thread, with progress and a Cancel that the service honours."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThread, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog

from shielddesk.domain.errors import ShieldDeskError

Work = Callable[[Callable[[int, int, str], None], threading.Event], Any]


_RUNNING: set[BackgroundTask] = set()


class BackgroundTask(QThread):
    """Runs `work(progress, cancel)` in a thread. Exactly one of `succeeded` / `failed` is emitted. A started
    task keeps itself alive until it finishes, so closing the window that started it cannot destroy a
    running thread."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, work: Work) -> None:
        super().__init__()
        self._work = work
        self.cancel_event = threading.Event()

    def start(self, priority: QThread.Priority = QThread.Priority.InheritPriority) -> None:
        _RUNNING.add(self)
        # Released on the next turn of the event loop: dropping the last reference while `finished` is still
        # being delivered would delete the thread object under Qt's feet.
        self.finished.connect(lambda: QTimer.singleShot(0, lambda: _RUNNING.discard(self)))
        super().start(priority)

    def cancel(self) -> None:
        self.cancel_event.set()

    def run(self) -> None:
        try:
            result = self._work(self.progressed.emit, self.cancel_event)
        except ShieldDeskError as exc:
            self.failed.emit(exc)
        except Exception as exc:
            import logging

            logging.getLogger(__name__).exception("background task failed")
            self.failed.emit(RuntimeError(f"The task failed unexpectedly ({type(exc).__name__}); nothing was saved."))
        else:
            self.succeeded.emit(result)


def finish_running_tasks() -> None:
    """At exit: cancel every task still running and wait for it. A thread object destroyed while its thread runs
    aborts the whole process ("QThread: Destroyed while thread is still running") — seen when the application
    quit while a readiness check it had started after signing was still verifying a large audit chain."""
    for task in list(_RUNNING):
        task.cancel()
        task.wait()
    _RUNNING.clear()


def show_progress(dialog: QProgressDialog, done: int, total: int, stage: str) -> None:
    """A task's `progressed` signal shown on its progress dialog (total 0: a busy indicator)."""
    dialog.setLabelText(stage)
    dialog.setMaximum(max(total, 0))
    dialog.setValue(min(done, total) if total else 0)
