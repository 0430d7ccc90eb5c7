"""The command line: scripted set-up, acting commands that authenticate, masked JSON, exit codes."""

import io
import json
from datetime import timedelta

from keyring.backends import fail

from shielddesk.app import build_services
from shielddesk.cli import Cli
from shielddesk.security.passwords import fast_hasher_for_tests
from shielddesk.security.second_factor import code_at
from shielddesk.security.secrets import SecretStore
from tests.support.authority import CANARY_CP_ID, CANARY_VALUES, PASSWORD, TEAM_PHONE, write_children
from tests.support.cli import run_cli_as
from tests.support.two_factor import recovery_codes_printed, secret_printed


def _cli(secrets, stdin="", environ=None):
    out, err = io.StringIO(), io.StringIO()
    return (
        Cli(stdin=io.StringIO(stdin), stdout=out, stderr=err, secrets=secrets, environ=environ or {}),
        out,
        err,
    )


def test_scripted_init_then_user_add_then_search(tmp_path, secrets, clock):
    """The whole first day from a script: set up (the administrator's authenticator printed once), add a user,
    set up their authenticator, and that user signs in with a code."""
    data = ["--data-dir", str(tmp_path)]

    def factory(config):
        return build_services(config, secrets=secrets, clock=clock, hashing=fast_hasher_for_tests())

    def cli_with(stdin="", environ=None):
        out, err = io.StringIO(), io.StringIO()
        cli = Cli(
            stdin=io.StringIO(stdin),
            stdout=out,
            stderr=err,
            secrets=secrets,
            environ=environ or {},
            services_factory=factory,
        )
        return cli, out, err

    def codes(secret):  # a code for signing in and a later one for the step-up, both accepted now
        return {
            "SHIELDDESK_CODE": code_at(secret, clock.now() - timedelta(seconds=30)),
            "SHIELDDESK_STEP_UP_CODE": code_at(secret, clock.now()),
        }

    cli, out, err = cli_with(stdin=PASSWORD + "\n")
    init = [
        "init",
        *data,
        "--authority",
        "Northshire",
        "--team-phone",
        "01632 960000",
        "--admin",
        "root",
        "--admin-name",
        "Root Admin",
        "--password-stdin",
    ]
    assert cli.run(init) == 0, err.getvalue()
    assert "Northshire" in out.getvalue()
    root_secret = secret_printed(out.getvalue())
    assert len(recovery_codes_printed(out.getvalue())) == 10

    cli, _out, err = cli_with(stdin="another long password\n", environ={"SHIELDDESK_PASSWORD": PASSWORD})
    add = ["user", "add", "pat", "--name", "Pat Practitioner", "--role", "practitioner", "--password-stdin"]
    assert cli.run([*add, "--user", "root", *data]) == 1  # no code: refused
    assert "authenticator code is wrong" in err.getvalue()
    clock.advance(timedelta(minutes=1))
    cli, _out, err = cli_with(
        stdin="another long password\n", environ={"SHIELDDESK_PASSWORD": PASSWORD, **codes(root_secret)}
    )
    assert cli.run([*add, "--user", "root", *data]) == 0, err.getvalue()

    pat = {"SHIELDDESK_PASSWORD": "another long password"}
    cli, out, err = cli_with(environ=pat)
    assert cli.run(["search", "--surname", "x", "--user", "pat", *data]) == 1
    assert "no authenticator set up yet" in err.getvalue()

    clock.advance(timedelta(minutes=1))
    cli, out, err = cli_with(environ={"SHIELDDESK_PASSWORD": PASSWORD, **codes(root_secret)})
    assert cli.run(["user", "second-factor", "enrol", "pat", "--user", "root", "--log", *data]) == 0, err.getvalue()
    pat_secret = secret_printed(out.getvalue())
    # Printed once and kept nowhere readable: not in the database file, its journal, or the log.
    shown = [pat_secret, root_secret, *recovery_codes_printed(out.getvalue())]
    stored = b"".join(path.read_bytes() for path in tmp_path.rglob("*") if path.is_file())
    assert any(tmp_path.rglob("*.log")) and not [value for value in shown if value.encode() in stored]

    cli, out, err = cli_with(environ={**pat, "SHIELDDESK_CODE": code_at(pat_secret, clock.now())})
    assert cli.run(["search", "--surname", "x", "--user", "pat", *data]) == 0, err.getvalue()
    assert "No children match." in out.getvalue()


def test_options_before_the_command_are_honoured(tmp_path, secrets):
    cli, _out, err = _cli(secrets, stdin=PASSWORD + "\n")
    code = cli.run(
        [
            "--data-dir",
            str(tmp_path),
            "init",
            "--authority",
            "A",
            "--team-phone",
            "01632 960000",
            "--admin",
            "root",
            "--admin-name",
            "R",
            "--password-stdin",
        ]
    )
    assert code == 0, err.getvalue()
    assert (tmp_path / "shielddesk.db").exists()


def test_search_json_uses_design_column_names_and_masks_for_a_practitioner(authority):
    result = run_cli_as(authority, "search", "--surname", "okafor", "--json", user="practitioner")
    assert result.code == 0, result.err
    [record] = json.loads(result.out)
    assert record["cp_id"] == CANARY_CP_ID and record["shielded"] is True
    placeholder = f"Shielded — contact the local authority shielding team on {TEAM_PHONE}"
    for column in (
        "address_line1",
        "postcode",
        "school_name",
        "gp_practice_name",
        "carer1_name",
        "carer1_phone",
    ):
        assert record[column] == placeholder
    assert record["involvements"][0]["organisation"] == placeholder


def test_canary_never_reaches_a_practitioners_cli_output(authority):
    outputs = []
    for args in (
        ("search", "--surname", "okafor"),
        ("search", "--surname", "okafor", "--json"),
        ("search", "--postcode", "DB99 9QZ", "--json"),
        ("search", "--school", "Zyqxcanary Academy"),
        ("search", "--carer", "Zyqxia Canarymother", "--json"),
        ("search", "--cp-id", CANARY_CP_ID, "--json"),
    ):
        result = run_cli_as(authority, *args, user="practitioner")
        assert result.code == 0, result.err
        outputs.append(result.out + result.err)
    text = "\n".join(outputs)
    assert CANARY_CP_ID in text
    assert not [value for value in CANARY_VALUES if value in text]


def test_exit_codes(authority):
    assert run_cli_as(authority, "search", "--surname", "walsh", user="practitioner").code == 0
    refused = run_cli_as(authority, "import", "children", "/nonexistent.csv", user="practitioner")
    assert refused.code == 1 and "not allow" in refused.err and "Traceback" not in refused.err
    wrong = run_cli_as(authority, "search", "--surname", "walsh", user="practitioner", password="wrong password!")
    assert wrong.code == 1 and "Sign-in refused" in wrong.err
    assert run_cli_as(authority, "search", "--no-such-option").code == 2
    assert run_cli_as(authority, "search", "--dob", "31/02/2016", user="practitioner").code == 1
    assert run_cli_as(authority).code == 2


def test_import_via_cli_reports_problems_by_line_and_column(authority, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("cp_id,forenames,surname,date_of_birth\nCP8000000001,Ann,Lee,2015-02-30\n", encoding="utf-8")
    result = run_cli_as(authority, "import", "children", str(bad), user="admin")
    assert result.code == 1
    assert "bad.csv, line 2, column date_of_birth" in result.err
    good = write_children(tmp_path / "good.csv", [])
    good.write_text(
        "cp_id,forenames,surname,date_of_birth,shoe_size\nCP8000000001,Ann,Lee,2015-02-28,3\n",
        encoding="utf-8",
    )
    result = run_cli_as(authority, "import", "children", str(good), user="admin")
    assert result.code == 0 and "1 new" in result.out and "shoe_size" in result.err


def test_audit_verify_ok(authority):
    result = run_cli_as(authority, "audit", "verify", user="signoff")
    assert result.code == 0 and result.out.startswith("OK:")


def test_cli_refuses_to_start_without_a_keyring(tmp_path):
    cli, _out, err = _cli(SecretStore(fail.Keyring()), environ={"SHIELDDESK_PASSWORD": PASSWORD})
    assert cli.run(["search", "--surname", "x", "--user", "a", "--data-dir", str(tmp_path)]) == 1
    assert "keyring" in err.getvalue() and "Traceback" not in err.getvalue()


def test_unknown_role_is_a_usage_error_naming_the_roles(authority):
    result = run_cli_as(authority, "user", "add", "zed", "--name", "Zed", "--role", "superuser", user="admin")
    assert result.code == 2
    assert "unknown role 'superuser'" in result.err and "practitioner" in result.err
