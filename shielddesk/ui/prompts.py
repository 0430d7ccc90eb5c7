"""Every question a page asks the user, in one replaceable place: each returns a typed answer or None.
The real ones open the modal dialogs; tests hand in their own answers instead of clicking through modals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from shielddesk.domain.lists import EntryDetails
from shielddesk.services.matching import MatchReport


@dataclass(frozen=True)
class ListImportChoice:
    path: str
    reference: str
    sha256: str


def _step_up(action: str, parent: QWidget) -> str | None:
    from shielddesk.ui.dialogs.step_up import StepUpDialog

    return StepUpDialog(action, parent).ask()


def _reason(title: str, prompt: str, action: str, parent: QWidget) -> str | None:
    from shielddesk.ui.dialogs.reason import ReasonDialog

    return ReasonDialog(title, prompt, action, parent=parent).ask()


def _match(report: MatchReport, parent: QWidget) -> int | None:
    from shielddesk.ui.dialogs.match import MatchDialog

    return MatchDialog(report, parent).ask()


def _entry_form(details: EntryDetails | None, parent: QWidget) -> EntryDetails | None:
    from shielddesk.ui.dialogs.entry_form import EntryFormDialog

    return EntryFormDialog(details, parent).ask()


@dataclass
class Prompts:
    step_up: Callable[[str, QWidget], str | None] = _step_up
    reason: Callable[[str, str, str, QWidget], str | None] = _reason
    match: Callable[[MatchReport, QWidget], int | None] = _match
    entry_form: Callable[[EntryDetails | None, QWidget], EntryDetails | None] = _entry_form
    # The list import dialog needs the services for its preview; the page passes a preview function.
    import_list: Callable[..., ListImportChoice | None] | None = None
