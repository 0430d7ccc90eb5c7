"""Second-factor commands: `shielddesk user second-factor …` (administrators) and `user recovery-codes` (anyone
enrolled). Secrets and recovery codes are printed once, to this terminal, and never again."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, TextIO

import segno

from shielddesk.services.second_factor import Enrolment

if TYPE_CHECKING:
    from shielddesk.cli import Cli


def print_enrolment(enrolment: Enrolment, out: TextIO) -> None:
    print(f"\nAuthenticator for {enrolment.username} — shown once, never again:", file=out)
    if out.isatty():  # a QR code the app can scan off the screen
        segno.make(enrolment.uri, error="m").terminal(out=out, compact=True)
    print(f"  Secret to type into the authenticator app: {enrolment.grouped_secret}", file=out)
    print(f"  Or its otpauth link (for a QR code): {enrolment.uri}", file=out)
    print("  Recovery codes — each works once in place of a code; write them down and lock them away:", file=out)
    _print_codes(enrolment.recovery_codes, out, indent="    ")
    print(file=out)


def _print_codes(codes: tuple[str, ...], out: TextIO, *, indent: str) -> None:
    """Recovery codes two to a line, to be copied onto paper."""
    for first, second in zip(codes[::2], codes[1::2], strict=False):
        print(f"{indent}{first}    {second}", file=out)


def cmd_enrol(cli: Cli, args: argparse.Namespace) -> int:
    from shielddesk.cli import EXIT_OK

    with cli.acting(args) as (services, actor):
        enrolment = services.second_factor.enrol(actor, args.username, cli.step_up(actor))
    print_enrolment(enrolment, cli.out)
    return EXIT_OK


def cmd_reset(cli: Cli, args: argparse.Namespace) -> int:
    from shielddesk.cli import EXIT_OK

    with cli.acting(args) as (services, actor):
        view = services.second_factor.request_reset(actor, args.username, args.reason, cli.step_up(actor))
    print(
        f"Reset #{view.reset_id} of {view.username}'s authenticator asked for. Another administrator carries it "
        f"out: shielddesk user second-factor confirm-reset {view.reset_id}",
        file=cli.out,
    )
    return EXIT_OK


def cmd_resets(cli: Cli, args: argparse.Namespace) -> int:
    from shielddesk.cli import EXIT_OK

    with cli.acting(args) as (services, actor):
        pending = services.second_factor.pending_resets(actor)
    for view in pending:
        print(
            f"#{view.reset_id:<5} {view.username:24} asked by {view.requested_by} on "
            f"{view.requested_at:%Y-%m-%d %H:%M}: {view.reason}",
            file=cli.out,
        )
    if not pending:
        print("No reset is waiting.", file=cli.out)
    return EXIT_OK


def cmd_confirm_reset(cli: Cli, args: argparse.Namespace) -> int:
    from shielddesk.cli import EXIT_OK

    with cli.acting(args) as (services, actor):
        view = services.second_factor.confirm_reset(actor, args.reset_id, cli.step_up(actor))
    print(
        f"{view.username}'s authenticator and recovery codes were removed. Set up a new one with them: "
        f"shielddesk user second-factor enrol {view.username}",
        file=cli.out,
    )
    return EXIT_OK


def cmd_cancel_reset(cli: Cli, args: argparse.Namespace) -> int:
    from shielddesk.cli import EXIT_OK

    with cli.acting(args) as (services, actor):
        view = services.second_factor.cancel_reset(actor, args.reset_id, cli.step_up(actor))
    print(f"Reset #{view.reset_id} of {view.username}'s authenticator cancelled.", file=cli.out)
    return EXIT_OK


def cmd_require(cli: Cli, args: argparse.Namespace) -> int:
    from shielddesk.cli import EXIT_OK

    with cli.acting(args) as (services, actor):
        services.second_factor.require_for_everyone(actor, cli.step_up(actor))
    print("Every user now needs their authenticator to sign in.", file=cli.out)
    return EXIT_OK


def cmd_recovery_codes(cli: Cli, args: argparse.Namespace) -> int:
    from shielddesk.cli import EXIT_OK

    with cli.acting(args) as (services, actor):
        codes = services.second_factor.renew_recovery_codes(actor, cli.step_up(actor))
    print("Your new recovery codes — the old ones no longer work; shown once:", file=cli.out)
    _print_codes(codes, cli.out, indent="  ")
    return EXIT_OK


def add_second_factor_commands(user: Any, common: argparse.ArgumentParser) -> None:
    p = user.add_parser("recovery-codes", parents=[common], help="replace your own recovery codes")
    p.set_defaults(handler=cmd_recovery_codes)
    factor = user.add_parser("second-factor", help="authenticators (administrators)").add_subparsers(metavar="ACTION")
    p = factor.add_parser("enrol", parents=[common], help="set up a user's authenticator (secret shown once)")
    p.add_argument("username")
    p.set_defaults(handler=cmd_enrol)
    p = factor.add_parser("reset", parents=[common], help="ask for a reset; another administrator carries it out")
    p.add_argument("username")
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=cmd_reset)
    p = factor.add_parser("resets", parents=[common], help="list the resets waiting")
    p.set_defaults(handler=cmd_resets)
    p = factor.add_parser("confirm-reset", parents=[common], help="carry out a reset another administrator asked for")
    p.add_argument("reset_id", type=int)
    p.set_defaults(handler=cmd_confirm_reset)
    p = factor.add_parser("cancel-reset", parents=[common], help="cancel a waiting reset")
    p.add_argument("reset_id", type=int)
    p.set_defaults(handler=cmd_cancel_reset)
    p = factor.add_parser("require", parents=[common], help="require an authenticator of every user (for good)")
    p.set_defaults(handler=cmd_require)
