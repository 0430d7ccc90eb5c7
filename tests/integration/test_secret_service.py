"""The real thing: separate processes using a real Secret Service (gnome-keyring inside its own D-Bus
session), and the refusal to start when only keyring's `fail` backend is available."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.authority import PASSWORD
from tests.support.two_factor import codes_accepted_now, secret_printed

pytestmark = pytest.mark.secret_service

SESSION_SCRIPT = """
set -e
printf '%s' "$KEYRING_UNLOCK" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
"$PYTHON" -m shielddesk "$@"
"""


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is not installed: run the README's test command (tests/run.sh installs it)")
    return path


def _run_in_keyring_session(home: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None):
    _require("dbus-run-session")
    _require("gnome-keyring-daemon")
    environ = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "share"),
        "XDG_RUNTIME_DIR": str(home / "run"),
        "PYTHON": sys.executable,
        "KEYRING_UNLOCK": "session-unlock",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "LANG": "C.UTF-8",
    } | (env or {})
    (home / "run").mkdir(mode=0o700, exist_ok=True)
    return subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", SESSION_SCRIPT, "sh", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
        check=False,
    )


def test_separate_processes_share_the_audit_key_through_the_real_secret_service(tmp_path):
    data = ["--data-dir", str(tmp_path / "data")]
    script_args = [
        "init",
        *data,
        "--authority",
        "Secretshire",
        "--team-phone",
        "01632 960000",
        "--admin",
        "root",
        "--admin-name",
        "Root Admin",
        "--password-stdin",
    ]
    home = tmp_path / "home"
    home.mkdir()
    first = _run_in_keyring_session(home, *script_args, stdin=PASSWORD + "\n")
    assert first.returncode == 0, first.stderr
    code = codes_accepted_now(secret_printed(first.stdout))[1]
    # The key persists in the keyring file under XDG_DATA_HOME: a later process, in a new session that
    # unlocks the same keyring, reads it and verifies the chain the first process started. (It also opens the
    # administrator's sealed authenticator secret, under a key derived from the audit key.)
    second = _run_in_keyring_session(
        home,
        "audit",
        "verify",
        *data,
        "--user",
        "root",
        env={"SHIELDDESK_PASSWORD": PASSWORD, "SHIELDDESK_CODE": code},
    )
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("OK: 2 audit events verified") or second.stdout.startswith("OK:")
    keyring_files = list((home / "share" / "keyrings").glob("*.keyring"))
    assert keyring_files, "the key must be in the Secret Service's keyring, not anywhere else"
    assert not list((tmp_path / "data").glob("*key*"))


def test_search_json_across_processes(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    data = ["--data-dir", str(tmp_path / "data")]
    init = _run_in_keyring_session(
        home,
        "init",
        *data,
        "--authority",
        "A",
        "--team-phone",
        "01632 960000",
        "--admin",
        "root",
        "--admin-name",
        "Root",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert init.returncode == 0, init.stderr
    root_codes = codes_accepted_now(secret_printed(init.stdout))
    add = _run_in_keyring_session(
        home,
        "user",
        "add",
        "pat",
        "--name",
        "Pat",
        "--role",
        "practitioner",
        "--password-stdin",
        "--user",
        "root",
        *data,
        stdin="my long secret words\n",
        env={"SHIELDDESK_PASSWORD": PASSWORD, "SHIELDDESK_CODE": root_codes[0]},
    )
    assert add.returncode == 0, add.stderr
    enrol = _run_in_keyring_session(
        home,
        "user",
        "second-factor",
        "enrol",
        "pat",
        "--user",
        "root",
        *data,
        env={
            "SHIELDDESK_PASSWORD": PASSWORD,
            "SHIELDDESK_CODE": root_codes[1],
            "SHIELDDESK_STEP_UP_CODE": root_codes[2],
        },
    )
    assert enrol.returncode == 0, enrol.stderr
    pat_code = codes_accepted_now(secret_printed(enrol.stdout))[1]
    search = _run_in_keyring_session(
        home,
        "search",
        "--surname",
        "nobody",
        "--json",
        "--user",
        "pat",
        *data,
        env={"SHIELDDESK_PASSWORD": "my long secret words", "SHIELDDESK_CODE": pat_code},
    )
    assert search.returncode == 0, search.stderr
    assert json.loads(search.stdout) == []


def test_refuses_to_start_with_only_the_fail_backend(tmp_path):
    environ = dict(os.environ) | {
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "SHIELDDESK_PASSWORD": PASSWORD,
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "shielddesk",
            "search",
            "--surname",
            "x",
            "--user",
            "a",
            "--data-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "secure keyring" in result.stderr and "plain text" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "shielddesk.db").exists()
