"""Leak suite (services, CLI, files): the canary-marked shielded family of tests/support/authority.py — the
child's address, school and GP, the carers' names, addresses and phones, an involvement's organisation — is
looked for in everything each role can get out of ShieldDesk without the window: every CLI command's output,
the progress report (CSV and PDF), the signed certificate, the audit log and the log file, including an
unexpected error's report. A canary value may appear only where the role is entitled to it (an operator who
reveals the record; the gatekeeper and operators see the postcode they put on the list entry), and searching
for any hidden value finds the child for no one but operators. The window's part is tests/gui/test_leak_gui.py."""

from __future__ import annotations

import logging
from pathlib import Path

import pypdfium2

from shielddesk.logsetup import WITHHELD, configure_logging
from shielddesk.storage.models import AuditEvent
from tests.support.authority import CANARY, CANARY_CP_ID, CANARY_INVOLVEMENT, CANARY_VALUES, PASSWORD, Authority
from tests.support.figures import report

ROLES = ["operator1", "supervisor", "signoff", "gatekeeper", "practitioner", "admin"]
LIST_POSTCODE = CANARY["postcode"]  # what the gatekeeper wrote on the list entry
ENTITLED = {"operator1": {LIST_POSTCODE}, "gatekeeper": {LIST_POSTCODE}}
HIDDEN_SEARCHES = [
    ("--postcode", CANARY["postcode"]),
    ("--address", CANARY["address_line1"]),
    ("--school", CANARY["school_name"]),
    ("--gp", CANARY["gp_practice_name"]),
    ("--carer", CANARY["carer1_name"]),
]


def _pdf_text(path: Path) -> str:
    document = pypdfium2.PdfDocument(str(path))
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def _leaks(text: str, user: str) -> set[str]:
    return {value for value in CANARY_VALUES if value.casefold() in text.casefold()} - ENTITLED.get(user, set())


def _everything_from_the_cli(authority: Authority, run_cli, user: str, folder: Path) -> dict[str, str]:
    outputs: dict[str, str] = {}
    commands = {
        "search by name": ["search", "--surname", "Okafor", "--json"],
        "search by cp_id": ["search", "--cp-id", CANARY_CP_ID, "--json"],
        "match": ["match", f"TEST-LIST/E-{CANARY_CP_ID}", "--json"],
        "list show": ["list", "show", "TEST-LIST", "--json"],
        "pending": ["pending", "--json"],
        "queues": ["queues", "--json"],
        "reviews": ["reviews", "--json"],
        "certificate readiness": ["certificate", "readiness", "TEST-LIST"],
        "audit verify": ["audit", "verify"],
        "user list": ["user", "list"],
    }
    for name, argv in commands.items():
        result = run_cli(authority, *argv, user=user)
        outputs[name] = result.out + result.err
    for fmt in ("csv", "pdf"):
        out = folder / f"{user}-progress.{fmt}"
        result = run_cli(authority, "report", "progress", "--format", fmt, "--out", str(out), user=user)
        outputs[f"report {fmt}"] = result.out + result.err
        if out.exists():
            outputs[f"report {fmt} file"] = _pdf_text(out) if fmt == "pdf" else out.read_text(encoding="utf-8")
    certificate = folder / f"{user}-certificate.pdf"
    result = run_cli(authority, "certificate", "issue", "TEST-LIST", "--out", str(certificate), user=user)
    outputs["certificate issue"] = result.out + result.err
    if certificate.exists():
        outputs["certificate file"] = _pdf_text(certificate) + certificate.read_bytes().decode("latin-1")
    for option, value in HIDDEN_SEARCHES:
        result = run_cli(authority, "search", option, value, "--json", user=user)
        outputs[f"search {option}"] = result.out + result.err
    return outputs


def test_no_role_gets_a_canary_value_out_of_the_cli_reports_certificate_or_audit_log(authority, run_cli, tmp_path):
    authority.services.certificates.create_key(authority.signoff)
    found_by_hidden: dict[str, list[str]] = {}
    checked = 0
    for user in ROLES:
        outputs = _everything_from_the_cli(authority, run_cli, user, tmp_path)
        for name, text in outputs.items():
            checked += 1
            assert not _leaks(text, user), f"{user}: {name} shows {_leaks(text, user)}"
        found_by_hidden[user] = [o for o, _v in HIDDEN_SEARCHES if CANARY_CP_ID in outputs[f"search {o}"]]
        if user != "admin":  # the outputs are real answers: the child is found by name by everyone who searches
            assert CANARY_CP_ID in outputs["search by name"], outputs["search by name"]
    assert len(found_by_hidden["operator1"]) == len(HIDDEN_SEARCHES), found_by_hidden  # the searches work
    assert all(not found for user, found in found_by_hidden.items() if user != "operator1"), found_by_hidden
    with authority.services.ctx.transaction(read_only=True) as session:
        audit_text = "\n".join(
            " ".join(str(v) for v in (e.action, e.object_id, e.reason, e.details))
            for e in session.query(AuditEvent).all()
        )
    assert not _leaks(audit_text, "auditor"), "a canary value is in the audit log"
    report(
        "leak",
        f"{authority.services.engine.dialect.name} CLI: {len(ROLES)} roles, {checked} outputs (every command, "
        f"progress report CSV and PDF, certificate), {len(HIDDEN_SEARCHES)} hidden-value searches each: 0 canary "
        "values outside entitlement; hidden-value searches find the child for operators only; audit log clean",
    )


def test_an_operator_sees_the_location_only_by_revealing_it(authority):
    services = authority.services
    child_id = authority.child_id(CANARY_CP_ID)
    viewed = repr(services.children.view(authority.operator1, child_id))
    assert not _leaks(viewed, "operator1")
    revealed = repr(services.children.reveal(authority.operator1, child_id, "Checking the match for entry E1"))
    assert {CANARY["address_line1"], CANARY["carer1_phone"], CANARY_INVOLVEMENT["organisation"]} <= {
        v for v in CANARY_VALUES if v in revealed
    }


def test_the_log_file_and_an_unexpected_errors_report_withhold_every_canary_value(authority, run_cli, tmp_path):
    log_dir = tmp_path / "logs"
    configure_logging(log_dir, level=logging.DEBUG)
    try:
        authority.services.refresh_log_filter()
        log = logging.getLogger("shielddesk.test")
        for value in CANARY_VALUES:  # a careless message, and an exception carrying a value (a crash report)
            log.info("matched %s for the entry", value)
            try:
                raise ValueError(f"could not parse {value}")
            except ValueError:
                log.exception("unexpected error")
        for user in ROLES:
            run_cli(authority, "search", "--surname", "Okafor", user=user)
            run_cli(authority, "search", "--postcode", CANARY["postcode"], user=user)
    finally:
        configure_logging(None)
    written = "\n".join(path.read_text(encoding="utf-8") for path in log_dir.iterdir())
    assert WITHHELD in written
    assert not _leaks(written, "log reader")
    report(
        "leak", f"log file: {2 * len(CANARY_VALUES)} records carrying canary values, all withheld; no value in the file"
    )


def test_every_password_is_refused_from_the_log_too(authority, run_cli, tmp_path):
    log_dir = tmp_path / "logs"
    configure_logging(log_dir)
    try:
        run_cli(authority, "pending", user="operator2", password="wrong " + CANARY["carer1_phone"])
        run_cli(authority, "pending", user="operator2", password=PASSWORD)
    finally:
        configure_logging(None)
    written = "\n".join(path.read_text(encoding="utf-8") for path in log_dir.iterdir())
    assert CANARY["carer1_phone"] not in written and PASSWORD not in written
