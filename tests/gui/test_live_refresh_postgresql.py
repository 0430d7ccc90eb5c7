"""Live refresh on a shared PostgreSQL database: a window hears another workstation's change at once (LISTEN /
NOTIFY), not at its next poll; reading (a search) notifies no one."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from shielddesk.app import build_services
from shielddesk.config import Config
from shielddesk.domain.clock import SystemClock
from shielddesk.domain.search import SearchCriteria
from shielddesk.security.passwords import fast_hasher_for_tests
from shielddesk.ui.main_window import MainWindow
from tests.support.authority import PASSWORD, make_authority
from tests.support.figures import report


def test_a_window_hears_another_workstations_change_at_once(qtbot, pg_database_url, tmp_path, secrets):
    config = Config.load(database_url=pg_database_url, data_dir=tmp_path, environ={})
    config = replace(config, refresh_every=timedelta(minutes=10))  # the poll would take ten minutes
    here = build_services(config, secrets=secrets, hashing=fast_hasher_for_tests(), auto_upgrade=False)
    authority = make_authority(here, tmp_path)
    there = build_services(config, secrets=secrets, hashing=fast_hasher_for_tests(), auto_upgrade=False)
    window = MainWindow(here, here.auth.login("operator2", PASSWORD), here.setup.authority(), SystemClock())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window._listener is not None and window._listener.listening.is_set(), timeout=5000)
    maker = there.auth.login("operator1", PASSWORD)
    with qtbot.assertNotEmitted(window.heard_change, wait=1000):
        there.children.search(maker, SearchCriteria(surname="Walsh"))
    entry = authority.entry_for("CP9000000005")
    with qtbot.waitSignal(window.heard_change, timeout=3000):
        there.shielding.propose_shield(maker, entry.entry_id, authority.child_id("CP9000000005"), PASSWORD)
    window.close()
    there.close()
    here.close()
    report(
        "deployment",
        "postgresql live refresh: another workstation's proposal reached an open window via "
        "LISTEN/NOTIFY within 3 s (poll set to 10 minutes); a search notified no one",
    )
