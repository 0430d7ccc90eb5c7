"""The two-operator flow through the real windows: A proposes from the Match dialog, A cannot confirm,
B confirms after checking the side-by-side view, and the child is shielded in a practitioner's search;
rejection with a note; removal; a revised list's difference before it is applied."""

import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton

from shielddesk.domain.credentials import Credentials
from shielddesk.domain.errors import Cancelled
from shielddesk.domain.lists import EntryStatus
from shielddesk.domain.search import SearchCriteria
from shielddesk.imports.demo_list import write_list
from shielddesk.ui.dialogs.import_list import ImportListDialog
from shielddesk.ui.dialogs.match import MatchDialog
from shielddesk.ui.prompts import Prompts
from tests.support.authority import PASSWORD, list_row

SOPHIE = "CP9000000005"


class Answers(Prompts):
    """Prompts that answer like a careful operator, and remember what they were asked."""

    def __init__(self, *, reason="Checked against the entry field by field", password=PASSWORD, pick_cp_id=None):
        super().__init__()
        self.asked: list[str] = []
        self.shown_reports = []
        self.step_up = lambda action, parent, second_factor: self._note(action, Credentials(password))
        self.reason = lambda title, prompt, action, parent: self._note(title, reason)
        self.match = lambda report, parent: self._choose(report, pick_cp_id)

    def _note(self, what, answer):
        self.asked.append(what)
        return answer

    def _choose(self, report, cp_id):
        self.shown_reports.append(report)
        chosen = next((c for c in report.candidates if c.cp_id == cp_id), None)
        return chosen.child_id if chosen else None


def _select_entry(page, entry_ref):
    page.reload()
    for row, entry in enumerate(page.model.rows()):
        if entry.details.entry_ref == entry_ref:
            page.table.selectRow(row)
            return entry
    raise AssertionError(f"{entry_ref} not shown")


def _pending_row(page, request_id):
    page.reload()
    page.select_request(request_id)
    return page._comparison


def test_full_flow_a_proposes_a_cannot_confirm_b_confirms(qtbot, open_window, sqlite_authority):
    services = sqlite_authority.services
    sqlite_authority.entry_for(SOPHIE, list_ref="GK-FLOW", entry_ref="F1")
    answers_a = Answers(pick_cp_id=SOPHIE)
    window_a = open_window("operator1", answers_a)
    window_a.show_page(window_a.lists_page)
    page = window_a.lists_page
    page.list_choice.setCurrentText("GK-FLOW")
    _select_entry(page, "F1")
    page.match_button.click()
    assert answers_a.shown_reports[0].candidates[0].cp_id == SOPHIE
    assert any("Propose a shield" in a for a in answers_a.asked)
    assert "another operator must now check" in page.message.text()
    [request] = [r for r in services.requests.pending(sqlite_authority.operator1) if r.entry_name == "GK-FLOW/F1"]

    # A sees their own proposal but cannot decide it, with the reason shown
    window_a.show_page(window_a.confirm_page)
    comparison = _pending_row(window_a.confirm_page, request.request_id)
    assert comparison.request.maker == "operator1"
    assert not window_a.confirm_page.confirm_button.isEnabled()
    assert "yourself" in window_a.confirm_page.why_not.text()
    window_a.close()

    # B checks the comparison and confirms
    window_b = open_window("operator2", Answers())
    window_b.show_page(window_b.confirm_page)
    comparison = _pending_row(window_b.confirm_page, request.request_id)
    rows = window_b.confirm_page.agreement.model_.rows()
    assert {r.field: r.agreement.value for r in rows}["date_of_birth"] == "agree"
    assert window_b.confirm_page.confirm_button.isEnabled()
    window_b.confirm_page.confirm_button.click()
    assert "confirmed" in window_b.confirm_page.message.text()
    assert services.children.search(sqlite_authority.practitioner, SearchCriteria(cp_id=SOPHIE)).rows[0].shielded
    assert services.lists.entry(sqlite_authority.operator1, "GK-FLOW/F1").status == EntryStatus.SHIELDED


def test_rejection_with_a_note(qtbot, open_window, sqlite_authority):
    services = sqlite_authority.services
    entry = sqlite_authority.entry_for(SOPHIE, list_ref="GK-FLOW", entry_ref="R1")
    request = services.shielding.propose_shield(
        sqlite_authority.operator1, entry.entry_id, sqlite_authority.child_id(SOPHIE), PASSWORD
    )
    window = open_window("operator2", Answers(reason="Wrong child: the DOB is for her sister"))
    window.show_page(window.confirm_page)
    _pending_row(window.confirm_page, request.request_id)
    window.confirm_page.reject_button.click()
    after = services.lists.entry(sqlite_authority.operator1, "GK-FLOW/R1")
    assert after.status == EntryStatus.MATCHED and after.status_note == "Wrong child: the DOB is for her sister"
    assert not services.children.search(sqlite_authority.practitioner, SearchCriteria(cp_id=SOPHIE)).rows[0].shielded


def test_removal_proposed_on_the_shields_page_and_confirmed_by_another(qtbot, open_window, sqlite_authority):
    services = sqlite_authority.services
    window = open_window("operator1", Answers(reason="Gatekeeper ended the shield at review"))
    window.show_page(window.shields_page)
    page = window.shields_page
    row = next(i for i, s in enumerate(page.shields.rows()) if s.cp_id == "CP9000000002")
    page.shield_table.selectRow(row)
    page.remove_button.click()
    assert "Removal proposed" in page.message.text()
    [request] = [r for r in services.requests.pending(sqlite_authority.operator2) if r.kind.value == "remove"]
    services.shielding.confirm(sqlite_authority.operator2, request.request_id, PASSWORD)
    assert (
        not services.children.search(sqlite_authority.practitioner, SearchCriteria(cp_id="CP9000000002"))
        .rows[0]
        .shielded
    )


def test_revised_list_difference_is_shown_and_applied_only_after_confirmation(qtbot, sqlite_authority, tmp_path: Path):
    services, gatekeeper = sqlite_authority.services, sqlite_authority.gatekeeper
    first = write_list(
        tmp_path / "v1.csv",
        [list_row("A1", "Zoë", "O'Brien", "2015-01-20"), list_row("A2", "Sophie", "Smith-Jones", "2012-11-02")],
    )
    preview = services.lists.preview(gatekeeper, first, "GK-REV")
    services.lists.import_list(gatekeeper, first, "GK-REV", expected_sha256=preview.sha256)
    revised = write_list(
        tmp_path / "v2.csv",
        [
            list_row("A2", "Sophie", "Smith-Jones", "2012-11-02", notes="moved"),
            list_row("A3", "Amara", "Okafor", "2016-03-14"),
        ],
    )
    dialog = ImportListDialog(lambda path, ref: services.lists.preview(gatekeeper, path, ref))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.path.setText(str(revised))
    dialog.reference.setText("GK-REV")
    dialog.run_preview()
    assert "1 added, 1 changed, 1 withdrawn" in dialog.summary.text()
    shown = dialog.problems.toPlainText()
    assert "added      A3" in shown and "changed    A2: notes" in shown and "withdrawn  A1" in shown
    assert not dialog.import_button.isEnabled()  # not before the difference is acknowledged
    dialog.confirm_diff.setChecked(True)
    assert dialog.import_button.isEnabled()
    assert {e.details.entry_ref for e in services.lists.entries(gatekeeper, "GK-REV")} == {"A1", "A2"}


def test_bad_list_preview_lists_every_problem_and_cannot_be_imported(qtbot, sqlite_authority, tmp_path: Path):
    services, gatekeeper = sqlite_authority.services, sqlite_authority.gatekeeper
    bad = write_list(
        tmp_path / "bad.csv",
        [list_row("B1", "Ann", "Lee", "31/02/2016"), list_row("B2", "Bo", "Lee", "2016-01-01", gender="Q")],
    )
    dialog = ImportListDialog(lambda path, ref: services.lists.preview(gatekeeper, path, ref))
    qtbot.addWidget(dialog)
    dialog.path.setText(str(bad))
    dialog.reference.setText("GK-BAD")
    dialog.run_preview()
    text = dialog.problems.toPlainText()
    assert "line 2, column date_of_birth" in text and "line 3, column gender" in text
    assert not dialog.import_button.isEnabled()


def test_match_dialog_warns_about_twins_and_chooses_nothing_by_itself(qtbot, sqlite_authority):
    services = sqlite_authority.services
    entry = sqlite_authority.entry_for("CP9000000003", list_ref="GK-TWIN", entry_ref="T1")
    report = services.matching.match(sqlite_authority.operator1, entry.entry_id)
    dialog = MatchDialog(report)
    qtbot.addWidget(dialog)
    dialog.show()
    assert report.ambiguous and "TWIN" in dialog.warnings.text() and dialog.warnings.isVisible()
    assert dialog.chosen() is None and not dialog.propose.isEnabled()
    dialog.table.selectRow(0)
    assert dialog.propose.isEnabled()
    verdicts = {r.field: r.agreement.value for r in dialog.agreement.model_.rows()}
    assert verdicts["date_of_birth"] == "agree"


def test_non_operators_get_no_decision_buttons(qtbot, open_window):
    window = open_window("supervisor")
    assert window.confirm_page is None
    assert not window.shields_page.remove_button.isEnabled()
    gatekeeper = open_window("gatekeeper")
    assert gatekeeper.lists_page.import_button.property("allowed")
    assert not gatekeeper.lists_page.match_button.property("allowed")
    assert not [b for b in gatekeeper.findChildren(QPushButton) if b.text().startswith("&Confirm")]


def test_entry_form_validates_and_returns_the_details(qtbot):
    from shielddesk.ui.dialogs.entry_form import EntryFormDialog

    dialog = EntryFormDialog(None)
    qtbot.addWidget(dialog)
    dialog.entry_ref.setText("M1")
    dialog.forenames.setText("Amara")
    dialog.surname.setText("Okafor")
    dialog.date_of_birth.setText("31/02/2016")
    dialog._submit()
    assert "Date of birth" in dialog.error.text() and dialog.result_details is None
    dialog.date_of_birth.setText("14/03/2016")
    dialog.reason.setCurrentText("witness_protection")
    dialog._submit()
    details = dialog.result_details
    assert details.entry_ref == "M1" and details.date_of_birth.isoformat() == "2016-03-14"
    assert details.reason.value == "witness_protection"


def test_analysing_a_list_runs_off_the_gui_thread_and_reports_the_counts(qtbot, open_window, sqlite_authority):
    sqlite_authority.entry_for(SOPHIE, list_ref="GK-AN", entry_ref="A1")
    window = open_window("operator1", Answers())
    window.show_page(window.lists_page)
    page = window.lists_page
    page.list_choice.setCurrentText("GK-AN")
    task = page.analyse()
    assert not page.analyse_button.isEnabled()  # no second run while one is working
    with qtbot.waitSignal(task.finished, timeout=20_000):
        pass
    qtbot.waitUntil(lambda: "Matched the open entries: 1 with candidates" in page.message.text())
    assert page.analyse_button.isEnabled()


def test_cancelling_an_analysis_changes_no_entry(sqlite_authority):
    entry = sqlite_authority.entry_for(SOPHIE, list_ref="GK-CX", entry_ref="C1")
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        sqlite_authority.services.matching.analyse_list(sqlite_authority.operator1, "GK-CX", cancel=cancel)
    after = sqlite_authority.services.lists.entry(sqlite_authority.operator1, "GK-CX/C1")
    assert after.status == entry.status
