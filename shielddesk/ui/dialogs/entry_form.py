"""Add or edit one gatekeeper list entry. `ask()` returns the entry's details, or None."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from shielddesk.domain.lists import EntryDetails, ReasonCategory, RequestingAgency
from shielddesk.domain.validation import ValueProblem, parse_cp_id, parse_date, parse_gender


class EntryFormDialog(QDialog):
    def __init__(self, details: EntryDetails | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit list entry" if details else "Add list entry")
        self.setMinimumWidth(520)
        self.result_details: EntryDetails | None = None
        d = details or EntryDetails(entry_ref="", forenames="", surname="")
        self.entry_ref = self._line("Entry reference", d.entry_ref)
        self.entry_ref.setReadOnly(details is not None)
        self.cp_id = self._line("CP ID", d.cp_id)
        self.forenames = self._line("Forenames", d.forenames)
        self.surname = self._line("Surname", d.surname)
        self.date_of_birth = self._line(
            "Date of birth", d.date_of_birth.strftime("%d/%m/%Y") if d.date_of_birth else ""
        )
        self.gender = self._line("Gender (M, F or U)", d.gender)
        self.postcode = self._line("Postcode", d.postcode)
        self.address = self._line("Address", d.address)
        self.reason = QComboBox()
        self.reason.addItems([r.value for r in ReasonCategory])
        self.reason.setCurrentText(d.reason.value)
        self.reason.setAccessibleName("Reason")
        self.agency = QComboBox()
        self.agency.addItems([a.value for a in RequestingAgency])
        self.agency.setCurrentText(d.requesting_agency.value)
        self.agency.setAccessibleName("Requesting agency")
        self.approved_by = self._line("Approved by", d.approved_by)
        self.approved_on = self._line("Approved on", d.approved_on.strftime("%d/%m/%Y") if d.approved_on else "")
        self.review_due = self._line("Review due", d.review_due.strftime("%d/%m/%Y") if d.review_due else "")
        self.shield_carers = QCheckBox("Shield the carers' details too")
        self.shield_carers.setChecked(d.shield_carers)
        self.notes = QPlainTextEdit(d.notes)
        self.notes.setAccessibleName("Notes")
        self.notes.setTabChangesFocus(True)
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        form = QFormLayout()
        for label, widget in (
            ("Entry &reference", self.entry_ref),
            ("CP &ID", self.cp_id),
            ("&Forenames", self.forenames),
            ("&Surname", self.surname),
            ("Date of &birth", self.date_of_birth),
            ("&Gender", self.gender),
            ("&Postcode", self.postcode),
            ("&Address", self.address),
            ("Reaso&n", self.reason),
            ("Requesting a&gency", self.agency),
            ("Appro&ved by", self.approved_by),
            ("Approved &on", self.approved_on),
            ("Re&view due", self.review_due),
            ("", self.shield_carers),
            ("No&tes", self.notes),
        ):
            form.addRow(label, widget)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _line(self, accessible: str, value: str) -> QLineEdit:
        field = QLineEdit(value)
        field.setAccessibleName(accessible)
        return field

    @staticmethod
    def _date(field: QLineEdit, label: str):  # noqa: ANN205 - date | None
        text = field.text().strip()
        if not text:
            return None
        try:
            return parse_date(text)
        except ValueProblem as exc:
            raise ValueProblem(f"{label} {exc}") from None

    def _submit(self) -> None:
        try:
            cp_id = parse_cp_id(self.cp_id.text()) if self.cp_id.text().strip() else ""
            details = EntryDetails(
                entry_ref=self.entry_ref.text().strip(),
                forenames=self.forenames.text().strip(),
                surname=self.surname.text().strip(),
                cp_id=cp_id,
                date_of_birth=self._date(self.date_of_birth, "Date of birth"),
                gender=parse_gender(self.gender.text()),
                postcode=self.postcode.text().strip(),
                address=self.address.text().strip(),
                reason=ReasonCategory(self.reason.currentText()),
                requesting_agency=RequestingAgency(self.agency.currentText()),
                approved_by=self.approved_by.text().strip(),
                approved_on=self._date(self.approved_on, "Approved on"),
                review_due=self._date(self.review_due, "Review due"),
                shield_carers=self.shield_carers.isChecked(),
                notes=self.notes.toPlainText().strip(),
            )
        except ValueProblem as exc:
            self.error.setText(str(exc))
            return
        if not details.entry_ref or not details.forenames or not details.surname:
            self.error.setText("An entry needs a reference, forenames and a surname.")
            return
        self.result_details = details
        self.accept()

    def ask(self) -> EntryDetails | None:
        return self.result_details if self.exec() == QDialog.DialogCode.Accepted else None
