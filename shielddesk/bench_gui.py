"""The GUI half of `shielddesk bench`, run in fresh child processes (`python -m shielddesk.bench_gui MODE`) so
that launch time and peak memory are those of a real desktop process. The parent passes the throwaway
database's address and its keyring entries on stdin (never on disk or in the environment); the child prints
its figures as one JSON line.

Modes: `launch` (shows the sign-in window, then exits), `memory` (searches and scrolls a large result end to
end), `interaction` (keypress→paint for each query kind, and the GUI thread's longest stall while a
population import, a list analysis and certificate signing run).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from shielddesk.app import Services, build_services
from shielddesk.bench import ProcessKeyring
from shielddesk.config import Config
from shielddesk.domain.clock import SystemClock
from shielddesk.domain.credentials import Credentials
from shielddesk.security.passwords import fast_hasher_for_tests
from shielddesk.security.secrets import SecretStore
from shielddesk.services.session import UserSession
from shielddesk.ui.collector import GuiThreadCollector
from shielddesk.ui.dialogs.import_population import PopulationFiles
from shielddesk.ui.dialogs.login import LoginDialog
from shielddesk.ui.main_window import MainWindow
from shielddesk.ui.pages.search_page import SearchPage
from shielddesk.ui.prompts import Prompts
from shielddesk.ui.tasks import finish_running_tasks

TIMEOUT_S = 600


def _services(config: dict[str, Any]) -> Services:
    keyring = ProcessKeyring()
    for service, username, secret in config["keyring"]:
        keyring.set_password(service, username, secret)
    loaded = Config.load(
        database_url=config["database_url"], data_dir=Path(config["data_dir"]), environ=config["environ"]
    )
    return build_services(loaded, secrets=SecretStore(keyring), hashing=fast_hasher_for_tests())


class _PaintSpy(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.painted = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted = True
        return False


class _Heartbeat(QObject):
    """A 5 ms timer on the GUI thread; the longest gap between its ticks is the longest the GUI was stalled."""

    def __init__(self) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.setInterval(5)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self.longest_ms = 0.0

    def start(self) -> None:
        self._last = time.perf_counter()
        self.longest_ms = 0.0
        self._timer.start()

    def stop(self) -> float:
        self._timer.stop()
        return self.longest_ms

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest_ms = max(self.longest_ms, (now - self._last) * 1000)
        self._last = now


def _peak_memory_mb() -> float:
    """This process's own high-water mark. On Linux ru_maxrss would include the parent's size at fork (the kernel
    carries it across exec), so VmHWM is read instead."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _wait_until(done: Callable[[], bool]) -> None:
    deadline = time.perf_counter() + TIMEOUT_S
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError("the GUI did not finish in time")
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def _show(widget: QWidget) -> None:
    widget.resize(1280, 800)
    widget.show()
    QTest.qWaitForWindowExposed(widget)


# ---- modes -----------------------------------------------------------------------------------------------------
def launch(config: dict[str, Any]) -> dict[str, float]:
    services = _services(config)
    authority = services.setup.authority()
    dialog = LoginDialog(services.auth, authority.name, demo=authority.demo)
    dialog.show()
    QTest.qWaitForWindowExposed(dialog)
    QApplication.processEvents()
    print("shown", flush=True)  # the parent stops its clock here
    services.close()
    return {}


def memory(config: dict[str, Any]) -> dict[str, float]:
    services = _services(config)
    user = services.auth.login(config["practitioner"], config["password"])
    page = SearchPage(services.children, user, on_session_ended=lambda _message: None)
    _show(page)
    page.surname.setText(config["prefix"])
    QTest.keyClick(page.surname, Qt.Key.Key_Return)
    started = time.perf_counter()
    while page.model.canFetchMore():
        page.table.scrollToBottom()
        QApplication.processEvents()
        if page.model.canFetchMore():
            page.model.fetchMore()
    page.table.scrollToBottom()
    QApplication.processEvents()
    seconds = time.perf_counter() - started
    rows = page.model.rowCount()
    peak_mb = _peak_memory_mb()
    services.close()
    return {"rows": rows, "scroll_s": seconds, "peak_mb": peak_mb}


def interaction(config: dict[str, Any]) -> dict[str, Any]:
    services = _services(config)
    password = config["password"]
    figures: dict[str, Any] = {"keypress_ms": _keypress_to_paint(services, config)}
    heartbeat = _Heartbeat()
    prompts = Prompts()
    prompts.step_up = lambda _action, _parent, _second_factor: Credentials(password)
    clock = SystemClock()
    authority = services.setup.authority()

    def window(username: str) -> MainWindow:
        user = services.auth.login(username, password)
        main = MainWindow(services, user, authority, clock, prompts=prompts)
        _show(main)
        return main

    admin_window = window(config["admin"])
    heartbeat.start()
    task = admin_window.start_import(PopulationFiles(Path(config["import_children"]), None))
    _wait_until(task.isFinished)
    QApplication.processEvents()
    figures["stall_import_ms"] = heartbeat.stop()
    admin_window.close()

    operator_window = window(config["operator"])
    operator_window.show_page(operator_window.lists_page)
    operator_window.lists_page.list_choice.setCurrentText(config["analyse_list"])
    heartbeat.start()
    task = operator_window.lists_page.analyse()
    _wait_until(task.isFinished)
    QApplication.processEvents()
    figures["stall_analyse_ms"] = heartbeat.stop()
    operator_window.close()

    signoff_window = window(config["signoff"])
    page = signoff_window.certificate_page
    signoff_window.show_page(page)
    page.list_choice.setCurrentText(config["certificate_list"])
    checking = page.check()
    _wait_until(lambda: checking is None or checking.isFinished())
    QApplication.processEvents()
    heartbeat.start()
    started = time.perf_counter()
    task = page.issue()
    if task is None:
        raise RuntimeError(f"the certificate could not be issued: {page.message.text()}")
    _wait_until(task.isFinished)
    for _ in range(5):  # deliver the task's queued result: the preview is drawn on the GUI thread
        QApplication.processEvents()
    figures["stall_signing_ms"] = heartbeat.stop()
    figures["signing_s"] = time.perf_counter() - started
    figures["signed"] = page.issued is not None
    figures["signing_message"] = page.message.text()
    signoff_window.close()
    finish_running_tasks()
    services.close()
    return figures


def _keypress_to_paint(services: Services, config: dict[str, Any]) -> list[float]:
    user: UserSession = services.auth.login(config["practitioner"], config["password"])
    page = SearchPage(services.children, user, on_session_ended=lambda _message: None)
    _show(page)
    spy = _PaintSpy()
    page.table.viewport().installEventFilter(spy)
    timings: list[float] = []
    for sample in config["keypress_samples"]:
        page.clear()
        for field_name, text in sample.items():
            if field_name == "sounds_like":
                page.sounds_like.setChecked(bool(text))
            else:
                getattr(page, field_name).setText(text)
        QApplication.processEvents()
        spy.painted = False
        target = getattr(page, next(name for name in sample if name != "sounds_like"))
        started = time.perf_counter()
        QTest.keyClick(target, Qt.Key.Key_Return)
        _wait_until(lambda: spy.painted)
        timings.append((time.perf_counter() - started) * 1000)
    page.close()
    return timings


MODES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "launch": launch,
    "memory": memory,
    "interaction": interaction,
}


def main(argv: list[str]) -> int:
    config = json.loads(sys.stdin.readline())
    app = QApplication(sys.argv[:1])  # every mode runs in this application
    GuiThreadCollector(app)  # as the application runs it (see ui.collector)
    result = MODES[argv[1]](config)
    finish_running_tasks()  # a readiness check started by the last window may still be verifying the chain
    print(json.dumps(result, default=lambda value: value.isoformat() if isinstance(value, date) else str(value)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
