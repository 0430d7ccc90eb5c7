"""The packaged application (a PyInstaller one-folder build, `python -m shielddesk.packaging`): built here,
then started as a workstation would start it — inside a real Secret Service session — first as the command
line (set up an installation), then as the desktop application, which must show its sign-in window
(offscreen) and exit cleanly. SHIELDDESK_PACKAGED_APP names a folder built earlier instead."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.authority import PASSWORD
from tests.support.figures import report

pytestmark = pytest.mark.secret_service

SESSION_SCRIPT = """
set -e
printf '%s' "$KEYRING_UNLOCK" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
printf '%s\\n' "$ADMIN_PASSWORD" | "$PROGRAM" init --data-dir "$DATA" --authority Packshire \\
    --team-phone "01632 960000" --admin root --admin-name "Root Admin" --password-stdin
QT_QPA_PLATFORM=offscreen SHIELDDESK_SMOKE_TEST=1 SHIELDDESK_DATA_DIR="$DATA" "$PROGRAM"
"""


@pytest.fixture(scope="session")
def packaged_app(tmp_path_factory) -> tuple[Path, float]:
    if prebuilt := os.environ.get("SHIELDDESK_PACKAGED_APP"):
        return Path(prebuilt) / "ShieldDesk", 0.0
    folder = tmp_path_factory.mktemp("package")
    started = time.perf_counter()
    build = subprocess.run(
        [sys.executable, "-m", "shielddesk.packaging", "--dist", str(folder / "dist"), "--work", str(folder / "work")],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    return folder / "dist" / "ShieldDesk" / "ShieldDesk", time.perf_counter() - started


def test_the_packaged_app_sets_up_and_shows_its_sign_in_window(packaged_app, tmp_path):
    program, build_seconds = packaged_app
    assert program.exists()
    for tool in ("dbus-run-session", "gnome-keyring-daemon"):
        assert shutil.which(tool), f"{tool} is not installed: run the README's test command (tests/run.sh installs it)"
    home = tmp_path / "home"
    (home / "run").mkdir(parents=True, mode=0o700)
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "share"),
        "XDG_RUNTIME_DIR": str(home / "run"),
        "KEYRING_UNLOCK": "session-unlock",
        "ADMIN_PASSWORD": PASSWORD,
        "PROGRAM": str(program),
        "DATA": str(tmp_path / "data"),
        "LANG": "C.UTF-8",
    }
    started = time.perf_counter()
    run = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", SESSION_SCRIPT],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    assert "ShieldDesk smoke test: LoginDialog shown" in run.stdout
    assert "Secret to type into the authenticator app" in run.stdout  # pyotp and segno are in the package
    size = sum(f.stat().st_size for f in program.parent.rglob("*") if f.is_file())
    report(
        "packaging",
        f"one-folder build ({size / 1_048_576:.0f} MB{f', built in {build_seconds:.0f} s' if build_seconds else ''}): "
        f"set up an installation and showed its sign-in window offscreen in {time.perf_counter() - started:.1f} s",
    )
