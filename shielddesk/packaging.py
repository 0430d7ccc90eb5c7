"""The one-folder desktop build (PyInstaller): `python -m shielddesk.packaging [--dist DIR]`.

The result, DIR/ShieldDesk/, holds the `ShieldDesk` program (`ShieldDesk.exe` on Windows) with Python, Qt,
the style sheet, icons and the database migrations; it runs the desktop application with no arguments and
the command line with them, exactly as `shielddesk` does. The README's *Installing on a workstation* gives the
Windows steps."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Imported lazily by the application (start-up time), so PyInstaller's analysis would not see them.
LAZY_IMPORTS = (
    "pyhanko",
    "pyhanko.sign",
    "pyhanko.sign.validation",
    "pyhanko_certvalidator",
    "openpyxl",
    "reportlab",
    "shielddesk.certificates.signing",
    "shielddesk.certificates.signature_report",
    "shielddesk.cli",
    "psycopg",
    "keyring.backends.SecretService",
    "keyring.backends.Windows",
    "keyring.backends.macOS",
)


def arguments(dist: Path, work: Path) -> list[str]:
    separator = os.pathsep
    data = [
        (ROOT / "resources", "shielddesk/resources"),
        (ROOT / "shielddesk" / "storage" / "migrations", "shielddesk/storage/migrations"),
    ]
    args = [
        str(ROOT / "shielddesk" / "__main__.py"),
        "--name=ShieldDesk",
        "--onedir",
        "--noconfirm",
        "--clean",
        f"--distpath={dist}",
        f"--workpath={work}",
        f"--specpath={work}",
        "--collect-submodules=shielddesk",
        "--collect-submodules=alembic",
        "--collect-data=pyhanko",
        "--collect-data=pyhanko_certvalidator",
        "--exclude-module=tkinter",
        "--exclude-module=pytest",
        "--exclude-module=hypothesis",
    ]
    args += [f"--hidden-import={name}" for name in LAZY_IMPORTS]
    args += [f"--add-data={source}{separator}{target}" for source, target in data]
    icon = ROOT / "resources" / "icons" / "app.ico"
    if icon.exists():
        args.append(f"--icon={icon}")
    return args


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build")
    options = parser.parse_args()
    import PyInstaller.__main__

    PyInstaller.__main__.run(arguments(options.dist, options.work))


if __name__ == "__main__":
    main()
