"""Every question a page asks the user, in one replaceable place: each returns a typed answer or None.
The real ones open the modal dialogs; tests hand in their own answers instead of clicking through modals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWidget

from shielddesk.domain.credentials import Credentials
from shielddesk.domain.lists import EntryDetails
from shielddesk.services.matching import MatchReport
from shielddesk.services.second_factor import Enrolment
from shielddesk.services.users import UserInfo

if TYPE_CHECKING:
    from shielddesk.ui.dialogs.user_form import UserForm


@dataclass(frozen=True)
class ListImportChoice:
    path: str
    reference: str
    sha256: str


def _step_up(action: str, parent: QWidget, second_factor: bool) -> Credentials | None:
    from shielddesk.ui.dialogs.step_up import StepUpDialog

    return StepUpDialog(action, parent, second_factor=second_factor).ask()


def _choose(title: str, label: str, options: list[str], parent: QWidget) -> str | None:
    from PySide6.QtWidgets import QInputDialog

    if not options:
        return None
    chosen, ok = QInputDialog.getItem(parent, title, label, options, 0, False)
    return chosen if ok and chosen else None


def _user_form(current: UserInfo | None, parent: QWidget) -> UserForm | None:
    from shielddesk.ui.dialogs.user_form import UserFormDialog

    if current is None:
        return UserFormDialog(parent=parent).ask()
    return UserFormDialog(username=current.username, roles=current.roles, parent=parent).ask()


def _show_enrolment(enrolment: Enrolment, parent: QWidget) -> bool:
    from shielddesk.ui.dialogs.enrolment import EnrolmentDialog

    return EnrolmentDialog(enrolment, parent).ask()


def _reason(title: str, prompt: str, action: str, parent: QWidget) -> str | None:
    from shielddesk.ui.dialogs.reason import ReasonDialog

    return ReasonDialog(title, prompt, action, parent=parent).ask()


def _match(report: MatchReport, parent: QWidget) -> int | None:
    from shielddesk.ui.dialogs.match import MatchDialog

    return MatchDialog(report, parent).ask()


def _entry_form(details: EntryDetails | None, parent: QWidget) -> EntryDetails | None:
    from shielddesk.ui.dialogs.entry_form import EntryFormDialog

    return EntryFormDialog(details, parent).ask()


def _date(title: str, parent: QWidget) -> date | None:
    from PySide6.QtWidgets import QInputDialog

    from shielddesk.domain.validation import ValueProblem, parse_date

    text, ok = QInputDialog.getText(parent, title, "Date (DD/MM/YYYY), or leave empty for none:")
    if not ok:
        return None
    try:
        return parse_date(text) if text.strip() else NO_DATE
    except ValueProblem:
        return None


def _save_path(title: str, filters: str, suggested: str, parent: QWidget) -> str | None:
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    return path or None


def _open_path(title: str, filters: str, parent: QWidget) -> str | None:
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getOpenFileName(parent, title, "", filters)
    return path or None


def _printer(parent: QWidget) -> QPrinter | None:
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    return printer if dialog.exec() == QPrintDialog.DialogCode.Accepted else None


# `ask_date` answers this when the user clears the date on purpose (as opposed to cancelling).
NO_DATE = date.min


@dataclass
class Prompts:
    step_up: Callable[[str, QWidget, bool], Credentials | None] = _step_up
    reason: Callable[[str, str, str, QWidget], str | None] = _reason
    match: Callable[[MatchReport, QWidget], int | None] = _match
    entry_form: Callable[[EntryDetails | None, QWidget], EntryDetails | None] = _entry_form
    # The list import dialog needs the services for its preview; the page passes a preview function.
    import_list: Callable[..., ListImportChoice | None] | None = None
    ask_date: Callable[[str, QWidget], date | None] = _date
    save_path: Callable[[str, str, str, QWidget], str | None] = _save_path
    open_path: Callable[[str, str, QWidget], str | None] = _open_path
    printer: Callable[[QWidget], QPrinter | None] = _printer
    choose: Callable[[str, str, list[str], QWidget], str | None] = _choose
    show_enrolment: Callable[[Enrolment, QWidget], bool] = _show_enrolment
    # None: a new user's form; a user: that user's roles.
    user_form: Callable[[UserInfo | None, QWidget], UserForm | None] = _user_form
