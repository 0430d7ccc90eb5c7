"""Long work off the GUI thread: a task outlives the window that started it, and quitting waits for (and
cancels) whatever is still running instead of destroying a running thread, which aborts the process."""

from __future__ import annotations

import threading

from shielddesk.ui.tasks import _RUNNING, BackgroundTask, finish_running_tasks


def test_quitting_cancels_and_waits_for_running_tasks(qtbot):
    started, outcomes = threading.Event(), []

    def work(_report, cancel: threading.Event) -> str:
        started.set()
        cancel.wait(timeout=30)  # a long verification, checking for Cancel as it goes
        return "cancelled" if cancel.is_set() else "ran out"

    task = BackgroundTask(work)
    task.succeeded.connect(outcomes.append)
    task.start()
    assert started.wait(timeout=10) and task.isRunning()
    finish_running_tasks()
    assert task.isFinished() and not _RUNNING
    qtbot.waitUntil(lambda: outcomes == ["cancelled"])
