"""Population import from the window (off the GUI thread, with progress and Cancel), and start-up refusal."""

import threading

from keyring.backends import fail
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from shielddesk.config import Config
from shielddesk.domain.errors import Cancelled
from shielddesk.domain.search import SearchCriteria
from shielddesk.storage.models import Child
from shielddesk.ui import launch
from shielddesk.ui.dialogs.import_population import ImportPopulationDialog, PopulationFiles
from tests.support.authority import child_row, write_children


def _count(services):
    with services.ctx.transaction() as session:
        return session.scalar(select(func.count(Child.id)))


def test_import_runs_off_the_gui_thread_and_reports(qtbot, open_window, tmp_path, monkeypatch):
    window = open_window("admin")
    assert window.import_action.isEnabled()
    rows = [child_row(f"CP80000{n:05d}", "New", f"Arrival{n}", "2019-05-05") for n in range(2500)]
    path = write_children(tmp_path / "new.csv", rows)
    threads = []
    original = window._services.population.import_population

    def spy(*args, **kwargs):
        threads.append(threading.current_thread())
        return original(*args, **kwargs)

    monkeypatch.setattr(window._services.population, "import_population", spy)
    monkeypatch.setattr(ImportPopulationDialog, "ask", lambda self: PopulationFiles(path, None))
    window.import_action.trigger()
    qtbot.waitUntil(lambda: window.last_message is not None, timeout=30000)
    assert threads and threads[0] is not threading.main_thread()
    assert _count(window._services) == 2530
    assert "2,500 new" in window.last_message.text()


def test_bad_file_shows_every_problem_and_changes_nothing(qtbot, open_window, tmp_path):
    window = open_window("admin")
    before = _count(window._services)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "cp_id,forenames,surname,date_of_birth\nCP8000000001,Ann,Lee,31/02/2016\nCP12,Bo,Lee,2015-01-01\n",
        encoding="utf-8",
    )
    window.start_import(PopulationFiles(bad, None))
    qtbot.waitUntil(lambda: window.last_message is not None, timeout=10000)
    box = window.last_message
    assert "2 problem(s)" in box.text() and "Nothing was changed" in box.text()
    assert "line 2, column date_of_birth" in box.detailedText() and "line 3, column cp_id" in box.detailedText()
    assert _count(window._services) == before


def test_cancel_rolls_the_import_back(sqlite_authority, tmp_path):
    rows = [child_row(f"CP81000{n:05d}", "New", "Cancel", "2019-05-05") for n in range(3000)]
    path = write_children(tmp_path / "c.csv", rows)
    cancel = threading.Event()

    def progress(done, total, stage):
        if done >= 1000:
            cancel.set()

    services = sqlite_authority.services
    try:
        services.population.import_population(sqlite_authority.admin, path, progress=progress, cancel=cancel)
    except Cancelled:
        pass
    else:
        raise AssertionError("the import was not cancelled")
    assert services.children.search(sqlite_authority.operator1, SearchCriteria(surname="cancel")).total == 0


def test_app_refuses_to_start_without_a_usable_keyring(qtbot, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr("keyring.get_keyring", lambda: fail.Keyring())
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append((title, text)))
    code = launch.run_gui(Config.load(data_dir=tmp_path, environ={}))
    assert code == 1
    [(title, text)] = shown
    assert title == "ShieldDesk cannot start" and "keyring" in text
    assert not (tmp_path / "shielddesk.db").exists()
