"""The CLI equivalents of the four-eyes flow, as a script or a test would use them."""

import json

from shielddesk.imports.demo_list import write_list
from tests.support.authority import list_row
from tests.support.cli import run_cli_as


def test_list_import_match_propose_confirm_by_cli(authority, tmp_path):
    path = write_list(
        tmp_path / "l.csv",
        [
            list_row("C1", "Sophie", "Smith-Jones", "02/11/2012"),
            list_row("C2", "Aidan", "Walsh", "2018-07-01"),
            list_row("C3", "Keira", "Nobody", "2015-06-06"),
        ],
    )
    result = run_cli_as(authority, "list", "import", str(path), "--ref", "GK-CLI", user="gatekeeper")
    assert result.code == 0, result.err
    shown = json.loads(run_cli_as(authority, "list", "show", "GK-CLI", "--json", user="operator1").out)
    assert [(e["entry_ref"], e["status"]) for e in shown] == [
        ("C1", "unmatched"),
        ("C2", "unmatched"),
        ("C3", "unmatched"),
    ]

    twin = json.loads(run_cli_as(authority, "match", "GK-CLI/C2", "--json", user="operator1").out)
    assert twin["ambiguous"] is True and {c["cp_id"] for c in twin["candidates"]} >= {"CP9000000002", "CP9000000003"}
    match = json.loads(run_cli_as(authority, "match", "GK-CLI/C1", "--json", user="operator1").out)
    best = match["candidates"][0]
    assert best["cp_id"] == "CP9000000005" and best["fields"]["date_of_birth"]["agreement"] == "agree"

    proposed = run_cli_as(authority, "propose", "GK-CLI/C1", "--child", "CP9000000005", user="operator1")
    assert proposed.code == 0, proposed.err
    pending = json.loads(run_cli_as(authority, "pending", "--json", user="operator2").out)
    [request] = [p for p in pending if p["entry"] == "GK-CLI/C1"]
    assert request["maker"] == "operator1" and request["kind"] == "apply" and request["cp_id"] == "CP9000000005"

    own = run_cli_as(authority, "confirm", str(request["id"]), user="operator1")
    assert own.code == 1 and "another operator" in own.err
    assert run_cli_as(authority, "confirm", str(request["id"]), user="operator2").code == 0
    again = run_cli_as(authority, "confirm", str(request["id"]), user="operator2")
    assert again.code == 1 and "already" in again.err

    not_found = run_cli_as(
        authority, "propose-not-found", "GK-CLI/C3", "--reason", "Searched name, DOB, sound", user="operator1"
    )
    assert not_found.code == 0
    nf_id = next(
        p["id"]
        for p in json.loads(run_cli_as(authority, "pending", "--json", user="operator2").out)
        if p["entry"] == "GK-CLI/C3"
    )
    rejected = run_cli_as(authority, "reject", str(nf_id), "--note", "Try the former surname first", user="operator2")
    assert rejected.code == 0
    statuses = {
        e["entry_ref"]: e["status"]
        for e in json.loads(run_cli_as(authority, "list", "show", "GK-CLI", "--json", user="operator1").out)
    }
    assert statuses == {"C1": "shielded", "C2": "unmatched", "C3": "unmatched"}


def test_revised_list_needs_yes_when_not_interactive(authority, tmp_path):
    first = write_list(tmp_path / "a.csv", [list_row("D1", "Sophie", "Smith-Jones", "2012-11-02")])
    assert run_cli_as(authority, "list", "import", str(first), "--ref", "GK-R", user="gatekeeper").code == 0
    revised = write_list(tmp_path / "b.csv", [list_row("D2", "Zoë", "O'Brien", "2015-01-20")])
    refused = run_cli_as(authority, "list", "import", str(revised), "--ref", "GK-R", user="gatekeeper")
    assert refused.code == 1 and "+ D2" in refused.out and "- D1" in refused.out and "--yes" in refused.err
    applied = run_cli_as(authority, "list", "import", str(revised), "--ref", "GK-R", "--yes", user="gatekeeper")
    assert applied.code == 0


def test_removal_by_cli(authority):
    proposed = run_cli_as(
        authority, "propose-removal", "CP9000000002", "--reason", "Review ended the shield", user="operator1"
    )
    assert proposed.code == 0, proposed.err
    request_id = json.loads(run_cli_as(authority, "pending", "--json", user="operator2").out)[0]["id"]
    assert run_cli_as(authority, "confirm", str(request_id), user="operator2").code == 0
    found = json.loads(run_cli_as(authority, "search", "--cp-id", "CP9000000002", "--json", user="practitioner").out)
    assert found[0]["shielded"] is False


def test_bad_list_reports_line_and_column(authority, tmp_path):
    path = write_list(tmp_path / "bad.csv", [list_row("E1", "Ann", "Lee", "31/02/2016")])
    result = run_cli_as(authority, "list", "import", str(path), "--ref", "GK-BAD", user="gatekeeper")
    assert result.code == 1 and "bad.csv, line 2, column date_of_birth" in result.err
