"""Headless administration and scripting. Exit codes: 0 ok, 1 refused or invalid input, 2 usage."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TextIO

from shielddesk import __version__
from shielddesk.app import Services, build_services, database_url_with_password
from shielddesk.cli_output import print_import_summary, print_search_table, record_as_columns
from shielddesk.cli_second_factor import print_enrolment
from shielddesk.config import Config
from shielddesk.domain.credentials import Credentials
from shielddesk.domain.errors import ShieldDeskError
from shielddesk.domain.roles import Role, parse_role
from shielddesk.domain.search import SearchCriteria
from shielddesk.domain.validation import ValueProblem, parse_date
from shielddesk.logsetup import configure_logging
from shielddesk.security.secrets import SecretStore
from shielddesk.services.session import UserSession
from shielddesk.storage import migrate
from shielddesk.storage.engine import is_sqlite, make_engine

ENV_PASSWORD = "SHIELDDESK_PASSWORD"  # noqa: S105 - the name of a variable, not a password
# Scripts may give the authenticator codes in the environment: one for signing in, a later one for the step-up
# before a decision (each code works once).
ENV_CODE = "SHIELDDESK_CODE"
ENV_STEP_UP_CODE = "SHIELDDESK_STEP_UP_CODE"
EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


class CliError(ShieldDeskError):
    pass


class Cli:
    """Holds the streams and injected collaborators so that tests run commands in-process."""

    def __init__(
        self,
        *,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        secrets: SecretStore | None = None,
        services_factory: Callable[[Config], Services] | None = None,
        environ: dict[str, str] | None = None,
        prompt_password: Callable[[str], str] | None = None,
    ) -> None:
        self.stdin = stdin or sys.stdin
        self.out = stdout or sys.stdout
        self.err = stderr or sys.stderr
        self.environ = dict(os.environ) if environ is None else environ
        self._secrets = secrets
        self._factory = services_factory
        self._prompt = prompt_password or getpass.getpass
        self.password = ""

    # ---- plumbing -------------------------------------------------------------------------------
    def secret_store(self) -> SecretStore:
        store = self._secrets or SecretStore()
        store.ensure_usable()
        return store

    def services(self, args: argparse.Namespace) -> Services:
        config = Config.load(database_url=args.db, data_dir=args.data_dir, environ=self.environ)
        configure_logging(config.log_dir if args.log else None)
        if self._factory is not None:
            return self._factory(config)
        return build_services(config, secrets=self._secrets)

    @contextmanager
    def opened(self, args: argparse.Namespace) -> Iterator[Services]:
        services = self.services(args)
        try:
            yield services
        finally:
            services.close()

    @contextmanager
    def acting(self, args: argparse.Namespace) -> Iterator[tuple[Services, UserSession]]:
        """Open the services and sign in as --user: the start of every command that acts as a user."""
        with self.opened(args) as services:
            yield services, self.sign_in(services, args)

    def read_secret(self, args: argparse.Namespace, prompt: str) -> str:
        if getattr(args, "password_stdin", False):
            line = self.stdin.readline()
            return line.rstrip("\r\n")
        if prompt == "password" and (value := self.environ.get(ENV_PASSWORD)):
            return value
        if not self.stdin.isatty():
            raise CliError(f"No password given: use --password-stdin or set {ENV_PASSWORD}.")
        return self._prompt(f"{prompt.capitalize()}: ")

    def sign_in(self, services: Services, args: argparse.Namespace) -> UserSession:
        if not args.user:
            raise CliError(
                f"This command acts as a user: give --user USERNAME (password from {ENV_PASSWORD} or a prompt)."
            )
        password = self.environ.get(ENV_PASSWORD) or (self._prompt("Password: ") if self.stdin.isatty() else "")
        if not password:
            raise CliError(f"No password: set {ENV_PASSWORD} or run in a terminal.")
        required = services.setup.authority().second_factor_required
        code = self._code(ENV_CODE, "Authenticator code: " if required else "Authenticator code (Enter if none): ")
        user = services.auth.login(args.user, password, code)
        self.password = password  # the step-up before a four-eyes decision asks for it again
        if user.recovery_codes_left is not None:
            print(
                f"You signed in with a recovery code; {user.recovery_codes_left} left. Renew them with "
                "`shielddesk user recovery-codes` once your authenticator works again.",
                file=self.err,
            )
        services.refresh_log_filter()
        return user

    def _code(self, variable: str, prompt: str) -> str:
        if value := self.environ.get(variable):
            return value
        return self._prompt(prompt) if self.stdin.isatty() else ""

    def step_up(self, actor: UserSession) -> Credentials:
        """The password again and, for an enrolled user, a code later than the one used to sign in."""
        if not actor.second_factor:
            return Credentials(self.password)
        prompt = "Authenticator code for this step (the next one: the code used to sign in works once): "
        return Credentials(self.password, self._code(ENV_STEP_UP_CODE, prompt))

    def run(self, argv: Sequence[str]) -> int:
        parser = build_parser()
        try:
            with contextlib.redirect_stdout(self.out), contextlib.redirect_stderr(self.err):
                args = parser.parse_args(argv)
        except SystemExit as exc:
            return int(exc.code or 0)
        for option in ("db", "data_dir", "user"):
            setattr(args, option, getattr(args, option, None))
        args.log = getattr(args, "log", False)
        handler: Callable[[Cli, argparse.Namespace], int] | None = getattr(args, "handler", None)
        if handler is None:
            parser.print_usage(self.err)
            return EXIT_USAGE
        try:
            return handler(self, args)
        except ShieldDeskError as exc:
            print(f"shielddesk: {exc}", file=self.err)
            return EXIT_REFUSED
        except KeyboardInterrupt:
            print("shielddesk: interrupted; nothing further was changed.", file=self.err)
            return EXIT_REFUSED
        except OSError as exc:
            print(f"shielddesk: {exc.strerror or exc}", file=self.err)
            return EXIT_REFUSED


# ---- commands -----------------------------------------------------------------------------------
def cmd_init(cli: Cli, args: argparse.Namespace) -> int:
    with cli.opened(args) as services:
        authority = args.authority or _ask(cli, "Authority name")
        phone = args.team_phone or _ask(cli, "Shielding team's contact phone")
        admin = args.admin or _ask(cli, "First administrator's username")
        name = args.admin_name or _ask(cli, "First administrator's full name")
        password = cli.read_secret(args, "password for the first administrator")
        if not args.password_stdin:
            again = cli._prompt("Repeat the password: ")
            if again != password:
                raise CliError("The passwords do not match; nothing was set up.")
        done = services.setup.initialise(
            authority_name=authority,
            team_phone=phone,
            admin_username=admin,
            admin_display_name=name,
            admin_password=password,
        )
    print(f"ShieldDesk is set up for {done.authority.name}.", file=cli.out)
    if done.admin_enrolment is not None:
        print_enrolment(done.admin_enrolment, cli.out)
    print(f"Sign in as {admin.strip().casefold()} with the password and the authenticator's code.", file=cli.out)
    return EXIT_OK


def _ask(cli: Cli, label: str) -> str:
    if not cli.stdin.isatty():
        raise CliError(f"{label} is required (give it as an option when not running in a terminal).")
    print(f"{label}: ", end="", file=cli.out, flush=True)
    return cli.stdin.readline().strip()


def cmd_db_upgrade(cli: Cli, args: argparse.Namespace) -> int:
    config = Config.load(database_url=args.db, data_dir=args.data_dir, environ=cli.environ)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    url = config.database_url
    if not is_sqlite(url):  # the owner role's password, as `db roles --apply` kept it
        url = database_url_with_password(url, cli.secret_store())
    engine = make_engine(url)
    try:
        before = migrate.current_revision(engine)
        migrate.upgrade(engine)
        after = migrate.current_revision(engine)
    finally:
        engine.dispose()
    print(f"Database schema: {before or 'empty'} -> {after}", file=cli.out)
    return EXIT_OK


def cmd_user_add(cli: Cli, args: argparse.Namespace) -> int:
    with cli.acting(args) as (services, actor):
        if args.password_stdin:
            password = cli.stdin.readline().rstrip("\r\n")
        else:
            password = cli._prompt(f"Password for {args.username}: ")
        info = services.users.add_user(actor, args.username, args.name, args.role, password)
    print(f"Added {info.username} ({', '.join(r.value for r in info.roles)}).", file=cli.out)
    print(f"Set up their authenticator next: shielddesk user second-factor enrol {info.username}", file=cli.out)
    return EXIT_OK


def cmd_user_list(cli: Cli, args: argparse.Namespace) -> int:
    with cli.acting(args) as (services, actor):
        users = services.users.list_users(actor)
    for u in users:
        state = "active" if u.active else "inactive"
        state += ", locked" if u.locked else ""
        state += ", authenticator" if u.second_factor else ", no authenticator"
        print(
            f"{u.username:24} {u.display_name:32} {','.join(r.value for r in u.roles):30} {state}",
            file=cli.out,
        )
    return EXIT_OK


def cmd_user_roles(cli: Cli, args: argparse.Namespace) -> int:
    with cli.acting(args) as (services, actor):
        info = services.users.set_roles(actor, args.username, args.role)
    print(f"{info.username}: {', '.join(r.value for r in info.roles)}", file=cli.out)
    return EXIT_OK


def cmd_user_active(cli: Cli, args: argparse.Namespace) -> int:
    with cli.acting(args) as (services, actor):
        info = services.users.set_active(actor, args.username, args.active)
    print(f"{info.username}: {'active' if info.active else 'deactivated'}", file=cli.out)
    return EXIT_OK


def cmd_import_children(cli: Cli, args: argparse.Namespace) -> int:
    with cli.acting(args) as (services, actor):
        summary = services.population.import_population(
            actor, Path(args.file), Path(args.involvements) if args.involvements else None
        )
        services.refresh_log_filter()
    print_import_summary(summary, cli.out, cli.err)
    return EXIT_OK


def _criteria(args: argparse.Namespace) -> SearchCriteria:
    born: date | None = None
    if args.dob:
        try:
            born = parse_date(args.dob)
        except ValueProblem as exc:
            raise CliError(f"--dob {exc}") from None
    return SearchCriteria(
        surname=args.surname or "",
        forenames=args.forenames or "",
        sounds_like=args.sounds_like,
        former_surname=args.former_surname,
        date_of_birth=born,
        cp_id=args.cp_id or "",
        postcode=args.postcode or "",
        address=args.address or "",
        school=args.school or "",
        gp_practice=args.gp or "",
        carer_name=args.carer or "",
    )


def cmd_search(cli: Cli, args: argparse.Namespace) -> int:
    criteria = _criteria(args)
    with cli.acting(args) as (services, actor):
        if args.json:
            _total, views = services.children.search_records(actor, criteria, offset=args.offset, limit=args.limit)
            payload = [record_as_columns(v) for v in views]
            json.dump(payload, cli.out, ensure_ascii=False, indent=2)
            print(file=cli.out)
        else:
            page = services.children.search(actor, criteria, offset=args.offset, limit=args.limit)
            print_search_table(page, cli.out)
    return EXIT_OK


def cmd_audit_verify(cli: Cli, args: argparse.Namespace) -> int:
    with cli.acting(args) as (services, actor):
        verdict = services.audit.verify(actor, copy=args.copy)
    print(verdict.describe(), file=cli.out if verdict.ok else cli.err)
    return EXIT_OK if verdict.ok else EXIT_REFUSED


def cmd_demo(cli: Cli, args: argparse.Namespace) -> int:
    with cli.opened(args) as services:
        if services.setup.is_initialised():
            if not args.launch:
                raise CliError(
                    "This database is already set up; the demo only fills an empty one "
                    "(use --data-dir for a separate demo folder)."
                )
            if not services.setup.authority().demo:
                raise CliError("This database is a real authority, not a demo; refusing to launch it as one.")
            print(
                "The demo authority already exists; launching it (passwords were printed when it was made).",
                file=cli.out,
            )
        else:
            print(
                f"Creating the demo authority with {args.children:,} synthetic children…",
                file=cli.out,
                flush=True,
            )
            result = services.demo.create(children=args.children)
            print(f"\n*** DEMO ONLY — synthetic data, {result.authority} ***", file=cli.out)
            print(
                f"{result.children:,} children; gatekeeper list {result.list_reference} with {result.list_entries} "
                f"entries: {result.shielded} shielded, {result.pending} waiting for a checker. Demo accounts:",
                file=cli.out,
            )
            for account in result.accounts:
                roles = ", ".join(r.value for r in account.roles)
                print(f"  {account.username:20} {account.password:20} {roles}", file=cli.out)
            print(f"Database: {services.config.database_url}", file=cli.out)
    if args.launch:
        from shielddesk.ui.launch import run_gui

        return run_gui(Config.load(database_url=args.db, data_dir=args.data_dir, environ=cli.environ))
    return EXIT_OK


# ---- parser ---------------------------------------------------------------------------------------
def _role(text: str) -> Role:
    try:
        return parse_role(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    # SUPPRESS: an option given before the command must not be reset by the command's own default.
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--db", metavar="URL", help="SQLAlchemy database URL (default: SQLite in the data folder)")
    common.add_argument("--data-dir", metavar="DIR", help="data folder (default: the platform's user data folder)")
    common.add_argument(
        "--user",
        metavar="USERNAME",
        help=f"act as this user (password from {ENV_PASSWORD} or a prompt; authenticator code from {ENV_CODE} or a "
        "prompt)",
    )
    common.add_argument("--log", action="store_true", help="also write the log file in the data folder")

    parser = argparse.ArgumentParser(
        prog="shielddesk",
        description="ShieldDesk: four-eyes shielding of children at risk. "
        "With no command the desktop application opens.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"shielddesk {__version__}")
    sub = parser.add_subparsers(metavar="COMMAND")

    p = sub.add_parser("init", parents=[common], help="set up a new installation and its first administrator")
    p.add_argument("--authority", metavar="NAME")
    p.add_argument("--team-phone", metavar="PHONE")
    p.add_argument("--admin", metavar="USERNAME")
    p.add_argument("--admin-name", metavar="NAME")
    p.add_argument("--password-stdin", action="store_true", help="read the administrator's password from stdin")
    p.set_defaults(handler=cmd_init)

    db = sub.add_parser("db", help="database schema").add_subparsers(metavar="ACTION")
    p = db.add_parser("upgrade", parents=[common], help="apply schema migrations")
    p.set_defaults(handler=cmd_db_upgrade)

    user = sub.add_parser("user", help="user accounts (administrators)").add_subparsers(metavar="ACTION")
    p = user.add_parser("add", parents=[common], help="add a user")
    p.add_argument("username")
    p.add_argument("--name", required=True, help="display name")
    p.add_argument("--role", required=True, nargs="+", type=_role, help="one or more roles")
    p.add_argument("--password-stdin", action="store_true", help="read the new user's password from stdin")
    p.set_defaults(handler=cmd_user_add)
    p = user.add_parser("list", parents=[common], help="list users")
    p.set_defaults(handler=cmd_user_list)
    p = user.add_parser("roles", parents=[common], help="replace a user's roles")
    p.add_argument("username")
    p.add_argument("--role", required=True, nargs="+", type=_role)
    p.set_defaults(handler=cmd_user_roles)
    for name, active in (("deactivate", False), ("activate", True)):
        p = user.add_parser(name, parents=[common], help=f"{name} a user")
        p.add_argument("username")
        p.set_defaults(handler=cmd_user_active, active=active)

    imp = sub.add_parser("import", help="import data files").add_subparsers(metavar="WHAT")
    p = imp.add_parser("children", parents=[common], help="import the population extract (administrators)")
    p.add_argument("file", help="children.csv")
    p.add_argument("--involvements", metavar="FILE", help="involvements.csv")
    p.set_defaults(handler=cmd_import_children)

    p = sub.add_parser("search", parents=[common], help="search the index (results masked for your role)")
    p.add_argument("--surname")
    p.add_argument("--forenames")
    p.add_argument("--sounds-like", action="store_true", help="match the surname by sound")
    p.add_argument(
        "--former-surname", action="store_true", help="look for the surname among former surnames (adoption, change)"
    )
    p.add_argument("--dob", metavar="DATE", help="date of birth, YYYY-MM-DD or DD/MM/YYYY")
    p.add_argument("--cp-id")
    p.add_argument("--postcode")
    p.add_argument("--address")
    p.add_argument("--school")
    p.add_argument("--gp")
    p.add_argument("--carer", help="a carer's name")
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true", help="whole records as JSON (DESIGN §6 column names)")
    p.set_defaults(handler=cmd_search)

    audit = sub.add_parser("audit", help="the audit log").add_subparsers(metavar="ACTION")
    p = audit.add_parser("verify", parents=[common], help="verify the HMAC chain")
    p.add_argument(
        "--copy",
        action="store_true",
        help="the database is a copy (a restored dump): skip this workstation's checkpoint",
    )
    p.set_defaults(handler=cmd_audit_verify)

    p = sub.add_parser("demo", parents=[common], help="create a synthetic demo authority (empty database only)")
    p.add_argument("--children", type=int, default=20_000)
    p.add_argument("--launch", action="store_true", help="open the desktop application afterwards")
    p.set_defaults(handler=cmd_demo)

    from shielddesk.cli_certificates import add_certificate_commands
    from shielddesk.cli_deployment import add_deployment_commands
    from shielddesk.cli_second_factor import add_second_factor_commands
    from shielddesk.cli_shielding import add_shielding_commands

    lists = add_shielding_commands(sub, common)
    add_certificate_commands(sub, common, lists)
    add_deployment_commands(sub, common, db)
    add_second_factor_commands(user, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return Cli().run(list(sys.argv[1:] if argv is None else argv))
