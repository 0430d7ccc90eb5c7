"""Deployment commands: `shielddesk backup` and `restore` (administrators), `shielddesk db roles` (the
database administrator of a shared PostgreSQL)."""

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


def cmd_db_roles(cli: Cli, args: argparse.Namespace) -> int:
    import secrets as random_source

    from sqlalchemy.engine import make_url

    from shielddesk.cli import EXIT_OK
    from shielddesk.config import Config
    from shielddesk.domain.errors import InvalidInput
    from shielddesk.storage import roles
    from shielddesk.storage.engine import normalise_url

    config = Config.load(database_url=args.db, data_dir=args.data_dir, environ=cli.environ)
    url = make_url(normalise_url(config.database_url))
    if url.get_backend_name() != "postgresql" or not url.database:
        raise InvalidInput("Database roles are for a shared PostgreSQL database: give its URL with --db.")
    plan = roles.RolePlan(url.database, args.owner or f"{url.database}_owner", args.app or f"{url.database}_app")
    if not args.apply:
        print(plan.script(), file=cli.out, end="")
        return EXIT_OK
    if not args.admin_url:
        raise InvalidInput("--apply needs --admin-url: a database administrator's connection to the server.")
    store = cli.secret_store()
    passwords = {role: random_source.token_urlsafe(24) for role in (plan.owner, plan.app)}
    roles.apply(plan, args.admin_url, passwords)
    for role, password in passwords.items():
        store.set(roles.db_password_secret_name(role, url.host or "", url.port, plan.database), password)
    host = f"{url.host}:{url.port}" if url.port else f"{url.host}"
    print(
        f"Roles ready: {plan.owner} (migrations) and {plan.app} (workstations; audit events append-only). Their "
        f"passwords are in this workstation's keyring. Workstations connect with "
        f"postgresql://{plan.app}@{host}/{plan.database} — no password in any file.",
        file=cli.out,
    )
    return EXIT_OK


def add_deployment_commands(sub: Any, common: argparse.ArgumentParser, db: Any) -> None:
    p = db.add_parser("roles", parents=[common], help="print (or --apply) the owner and application roles' SQL")
    p.add_argument("--owner", metavar="ROLE", help="the migrations' role (default: DATABASE_owner)")
    p.add_argument("--app", metavar="ROLE", help="the workstations' role (default: DATABASE_app)")
    p.add_argument("--apply", action="store_true", help="create the roles, set passwords (kept in the keyring), grant")
    p.add_argument("--admin-url", metavar="URL", help="with --apply: a database administrator's connection")
    p.set_defaults(handler=cmd_db_roles)
    p = sub.add_parser(
        "backup", parents=[common], help="an encrypted, verified backup of the database (administrators)"
    )
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(handler=cmd_backup)
    p = sub.add_parser("restore", parents=[common], help="restore a backup whose audit chain verifies (administrators)")
    p.add_argument("file")
    p.add_argument("--yes", action="store_true", help="confirm that the database is to be replaced")
    p.set_defaults(handler=cmd_restore)
