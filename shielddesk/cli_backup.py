"""`shielddesk backup` and `shielddesk restore` (administrators)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shielddesk.cli import Cli


def cmd_backup(cli: Cli, args: argparse.Namespace) -> int:
    from shielddesk.cli import EXIT_OK

    with cli.acting(args) as (services, actor):
        info = services.backup.backup(actor, Path(args.out))
    print(
        f"Backup written to {info.path} ({info.size:,} bytes, {info.events:,} audit events verified, "
        f"SHA-256 {info.sha256}). It is encrypted with this installation's backup key, kept in the OS keyring.",
        file=cli.out,
    )
    return EXIT_OK


def cmd_restore(cli: Cli, args: argparse.Namespace) -> int:
    from shielddesk.cli import EXIT_OK, EXIT_REFUSED

    if not args.yes:
        print(
            "shielddesk: a restore replaces everything in the database with the backup's contents, and every "
            "workstation must be closed first. Repeat with --yes to go ahead.",
            file=cli.err,
        )
        return EXIT_REFUSED
    with cli.acting(args) as (services, actor):
        events = services.backup.restore(actor, Path(args.file))
    print(f"Restored: the backup's audit chain verified; the database now holds {events:,} audit events.", file=cli.out)
    return EXIT_OK


def add_backup_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "backup", parents=[common], help="an encrypted, verified backup of the database (administrators)"
    )
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(handler=cmd_backup)
    p = sub.add_parser("restore", parents=[common], help="restore a backup whose audit chain verifies (administrators)")
    p.add_argument("file")
    p.add_argument("--yes", action="store_true", help="confirm that the database is to be replaced")
    p.set_defaults(handler=cmd_restore)
