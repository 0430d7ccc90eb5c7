"""CLI: queues, readiness, keys, issuing and verifying the certificate, progress reports."""

import csv
import io
import json

from shielddesk.domain.export import safe_cell
from tests.support.authority import PASSWORD
from tests.support.cli import run_cli_as


def test_keys_issue_and_verify_by_cli(authority, tmp_path):
    assert run_cli_as(authority, "certificate", "readiness", "TEST-LIST", user="signoff").code == 0
    assert run_cli_as(authority, "keys", "create", user="signoff").code == 0
    out = tmp_path / "certificate.pdf"
    issued = run_cli_as(authority, "certificate", "issue", "TEST-LIST", "--out", str(out), user="signoff")
    assert issued.code == 0, issued.err
    assert out.stat().st_mode & 0o077 == 0
    verified = run_cli_as(authority, "certificate", "verify", str(out), user="supervisor")
    assert verified.code == 0 and verified.out.startswith("VALID: certificate SD-2026-0001"), verified.err
    tampered = tmp_path / "tampered.pdf"
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0x20
    tampered.write_bytes(bytes(data))
    bad = run_cli_as(authority, "certificate", "verify", str(tampered), user="supervisor")
    assert bad.code == 1 and "NOT VALID" in bad.err and "Traceback" not in bad.err


def test_readiness_lists_what_blocks(authority):
    authority.entry_for("CP9000000005")
    result = run_cli_as(authority, "certificate", "readiness", "TEST-LIST", user="supervisor")
    assert result.code == 1 and "NOT READY" in result.out and "[ ] Every entry is shielded" in result.out


def test_only_sign_off_owner_issues_by_cli(authority, tmp_path):
    result = run_cli_as(
        authority, "certificate", "issue", "TEST-LIST", "--out", str(tmp_path / "x.pdf"), user="supervisor"
    )
    assert result.code == 1 and "not allow" in result.err and not (tmp_path / "x.pdf").exists()


def test_queues_json_shows_pending_and_progress(authority):
    entry = authority.entry_for("CP9000000005", list_ref="GK-Q")
    authority.services.shielding.propose_shield(
        authority.operator1, entry.entry_id, authority.child_id("CP9000000005"), PASSWORD
    )
    assert run_cli_as(authority, "list", "deadline", "GK-Q", "2026-12-04", user="supervisor").code == 0
    queues = json.loads(run_cli_as(authority, "queues", "--json", user="supervisor").out)
    progress = {p["reference"]: p for p in queues["lists"]}
    assert progress["GK-Q"]["days_left"] == 9 and progress["GK-Q"]["summary"] == "0 of 1 shielded, 9 days left"
    assert progress["TEST-LIST"]["summary"] == "2 of 2 shielded"
    assert [p["maker"] for p in queues["pending"]] == ["operator1"]


def test_progress_report_csv_is_neutralised_and_has_no_location(authority, tmp_path):
    authority.entry_for("CP9000000005", list_ref='=HYPERLINK("x")')
    out = tmp_path / "progress.csv"
    assert (
        run_cli_as(authority, "report", "progress", "--format", "csv", "--out", str(out), user="supervisor").code == 0
    )
    text = out.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert any(row and row[0] == '\'=HYPERLINK("x")' for row in rows)
    assert "Zyqx" not in text and "DB99" not in text
    pdf = tmp_path / "progress.pdf"
    assert run_cli_as(authority, "report", "progress", "--format", "pdf", "--out", str(pdf), user="signoff").code == 0
    assert pdf.read_bytes().startswith(b"%PDF") and b"Zyqx" not in pdf.read_bytes()


def test_safe_cell():
    assert [safe_cell(v) for v in ("=1+1", "+44", "-3", "@x", "\tx", "\rx", "ok", None, 7)] == [
        "'=1+1",
        "'+44",
        "'-3",
        "'@x",
        "'\tx",
        "'\rx",
        "ok",
        "",
        "7",
    ]
