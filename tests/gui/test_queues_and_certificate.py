"""Supervisors' queues refresh themselves from another session's changes; the certificate page blocks while
anything is pending, then issues, previews, prints and verifies."""

from datetime import timedelta
from pathlib import Path

import pypdfium2
from PySide6.QtPrintSupport import QPrinter

from shielddesk.domain.credentials import Credentials
from shielddesk.services.changes import EVERYTHING
from shielddesk.ui.prompts import Prompts
from tests.support.authority import CANARY_VALUES, PASSWORD

SOPHIE = "CP9000000005"


def test_supervisor_queue_shows_another_sessions_proposal_without_a_manual_refresh(
    qtbot, open_window, sqlite_authority
):
    services = sqlite_authority.services
    window = open_window("supervisor")
    window.poll.setInterval(100)
    window.show_page(window.queues_page)
    page = window.queues_page
    assert page.pending.rowCount() == 0
    # another workstation: its own service call, its own session
    entry = sqlite_authority.entry_for(SOPHIE, list_ref="GK-LIVE")
    request = services.shielding.propose_shield(
        sqlite_authority.operator1, entry.entry_id, sqlite_authority.child_id(SOPHIE), PASSWORD
    )
    qtbot.waitUntil(lambda: page.pending.rowCount() == 1, timeout=5000)
    assert page.pending.row(0).request.request_id == request.request_id
    assert page.pending.row(0).request.maker == "operator1"


def test_old_proposals_are_highlighted_as_overdue(qtbot, open_window, sqlite_authority, clock):
    services = sqlite_authority.services
    entry = sqlite_authority.entry_for(SOPHIE, list_ref="GK-OLD")
    services.shielding.propose_shield(
        sqlite_authority.operator1, entry.entry_id, sqlite_authority.child_id(SOPHIE), PASSWORD
    )
    clock.advance(timedelta(hours=49))
    # two days later the supervisor signs in afresh (a session lasts twelve hours at most)
    sqlite_authority.sessions["supervisor"] = services.auth.login("supervisor", PASSWORD)
    window = open_window("supervisor")
    window.show_page(window.queues_page)
    item = window.queues_page.pending.row(0)
    assert item.overdue and "OVERDUE" in window.queues_page.pending.index(0, 5).data()


class CertificatePrompts(Prompts):
    def __init__(self, tmp_path: Path):
        super().__init__()
        self.step_up = lambda action, parent, second_factor: Credentials(PASSWORD)
        self.save_path = lambda title, filters, suggested, parent: str(tmp_path / suggested)
        self.open_path = lambda title, filters, parent: str(tmp_path / "SD-2026-0001.pdf")

        def printer(parent):
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(tmp_path / "printed.pdf"))
            return printer

        self.printer = printer


def test_certificate_page_blocks_while_pending_then_issues_prints_and_verifies(
    qtbot, open_window, sqlite_authority, tmp_path
):
    services = sqlite_authority.services
    services.certificates.create_key(sqlite_authority.signoff)
    entry = sqlite_authority.entry_for(SOPHIE)  # a new entry on TEST-LIST, proposed but not confirmed
    request = services.shielding.propose_shield(
        sqlite_authority.operator1, entry.entry_id, sqlite_authority.child_id(SOPHIE), PASSWORD
    )
    window = open_window("signoff", CertificatePrompts(tmp_path))
    window.show_page(window.certificate_page)
    page = window.certificate_page
    page.list_choice.setCurrentText("TEST-LIST")
    with qtbot.waitSignal(page.checked, timeout=20_000):
        page.check()
    assert not page.readiness.ready and not page.issue_button.isEnabled()
    assert {c.key for c in page.readiness.blocking} == {"entries", "pending"}
    assert "not ready" in page.verdict.text()

    services.shielding.confirm(sqlite_authority.operator2, request.request_id, PASSWORD)
    with qtbot.waitSignal(page.checked, timeout=20_000):
        window.broadcast(EVERYTHING)
    assert page.readiness.ready and page.issue_button.isEnabled()
    task = page.issue()
    qtbot.waitUntil(lambda: page.issued is not None, timeout=30000)
    assert task is not None and task.wait(5000)
    assert page.preview.pixmap() is not None and not page.preview.pixmap().isNull()
    page.save_button.click()
    saved = tmp_path / f"{page.issued.number}.pdf"
    assert saved.read_bytes() == page.issued.pdf
    page.print_button.click()
    printed = pypdfium2.PdfDocument(str(tmp_path / "printed.pdf"))
    assert len(printed) == 1
    page.verify_button.click()
    assert page.verification.isVisible() and page.verification.toPlainText().startswith("VALID")
    text = pypdfium2.PdfDocument(page.issued.pdf)[0].get_textpage().get_text_range()
    assert not [v for v in CANARY_VALUES if v in text]


def test_supervisor_sees_readiness_but_cannot_issue(qtbot, open_window):
    window = open_window("supervisor")
    window.show_page(window.certificate_page)
    assert not window.certificate_page.issue_button.isVisibleTo(window)
    qtbot.waitUntil(lambda: window.certificate_page.readiness is not None, timeout=20_000)


def test_another_workstations_change_does_not_close_the_record_an_operator_is_reading(
    qtbot, open_window, sqlite_authority, monkeypatch
):
    from shielddesk.ui.dialogs.reveal_reason import RevealReasonDialog
    from tests.support.authority import CANARY, CANARY_CP_ID

    window = open_window("operator1")
    window.poll.setInterval(100)
    page = window.search_page
    page.surname.setText("okafor")
    page.run_search()
    monkeypatch.setattr(RevealReasonDialog, "ask", lambda self: "Checking the match for entry GK-14")
    page.detail.reveal_requested.emit(sqlite_authority.child_id(CANARY_CP_ID))
    assert page.detail.current.revealed
    seen = window._seen
    sqlite_authority.entry_for("CP9000000005", list_ref="GK-ELSEWHERE")  # another workstation's change
    qtbot.waitUntil(lambda: window._seen > seen, timeout=5000)
    assert page.detail.current is not None and page.detail.current.revealed
    assert page.detail.current.record.address_line1 == CANARY["address_line1"]
