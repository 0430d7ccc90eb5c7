"""CLI commands for supervisors and sign-off owners: queues, reports, keys and the completion certificate."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shielddesk.domain.errors import InvalidInput
from shielddesk.domain.validation import ValueProblem, parse_date
from shielddesk.services.reports import ReportFormat

if TYPE_CHECKING:
    from shielddesk.cli import Cli

EXIT_OK, EXIT_REFUSED = 0, 1


def _write(path: Path, data: bytes) -> None:
    """Write a file readable by its owner only: a certificate or report is sensitive by context."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def cmd_queues(cli: Cli, args: argparse.Namespace) -> int:
    with cli.acting(args) as (services, actor):
        snapshot = services.queues.snapshot(actor)
    if args.json:
        payload: dict[str, Any] = {
            "taken_at": snapshot.taken_at.isoformat(),
            "lists": [
                {
                    "reference": p.reference,
                    "total": p.total,
                    "counts": p.counts,
                    "deadline": p.deadline.isoformat() if p.deadline else None,
                    "days_left": p.days_left,
                    "summary": p.summary,
                }
                for p in snapshot.lists
            ],
            "pending": [
                {
                    "id": i.request.request_id,
                    "kind": i.request.kind.value,
                    "entry": i.request.entry_name,
                    "cp_id": i.request.child_cp_id,
                    "maker": i.request.maker,
                    "age_hours": round(i.age_hours, 1),
                    "overdue": i.overdue,
                }
                for i in snapshot.pending
            ],
            "stuck": [{"entry": e.name, "status": e.status.value} for e in snapshot.stuck],
            "reviews_due": [
                {"cp_id": s.cp_id, "review_due": s.review_due.isoformat() if s.review_due else None}
                for s in snapshot.reviews_due
            ],
            "operators": [
                {
                    "username": o.username,
                    "proposed": o.proposed,
                    "confirmed": o.confirmed_as_checker,
                    "rejected": o.rejected_as_checker,
                    "pending": o.pending_as_maker,
                }
                for o in snapshot.operators
            ],
        }
        json.dump(payload, cli.out, indent=2)
        print(file=cli.out)
        return EXIT_OK
    for progress in snapshot.lists:
        print(f"{progress.reference}: {progress.summary}", file=cli.out)
    print(
        f"Waiting for a checker: {len(snapshot.pending)} ({sum(i.overdue for i in snapshot.pending)} over "
        f"{snapshot.overdue_after_hours} h)",
        file=cli.out,
    )
    for item in snapshot.pending:
        flag = "  OVERDUE" if item.overdue else ""
        r = item.request
        print(
            f"  {r.request_id:6} {r.kind.value:9} {r.entry_name or r.child_cp_id:24} by {r.maker}, "
            f"{item.age_hours:.0f} h{flag}",
            file=cli.out,
        )
    print(f"Entries needing attention: {len(snapshot.stuck)}", file=cli.out)
    for entry in snapshot.stuck:
        print(f"  {entry.name:28} {entry.status.value}", file=cli.out)
    print(f"Shields due for review within 30 days: {len(snapshot.reviews_due)}", file=cli.out)
    return EXIT_OK


def cmd_readiness(cli: Cli, args: argparse.Namespace) -> int:
    with cli.acting(args) as (services, actor):
        readiness = services.certificates.readiness(actor, args.lists)
    for check in readiness.checks:
        print(f"[{'x' if check.ok else ' '}] {check.label}{': ' + check.detail if check.detail else ''}", file=cli.out)
    print("READY to issue." if readiness.ready else "NOT READY.", file=cli.out)
    return EXIT_OK if readiness.ready else EXIT_REFUSED


def cmd_issue(cli: Cli, args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not args.force:
        raise InvalidInput(f"{out} already exists (use --force to replace it).")
    with cli.acting(args) as (services, actor):
        services.auth.reauthenticate(actor, cli.step_up(actor))
        issued = services.certificates.issue(actor, args.lists)
    _write(out, issued.pdf)
    print(f"Certificate {issued.number} issued and signed: {out} (SHA-256 {issued.sha256})", file=cli.out)
    return EXIT_OK


def cmd_verify(cli: Cli, args: argparse.Namespace) -> int:
    try:
        pdf = Path(args.file).read_bytes()
        trust = [Path(t).read_bytes() for t in args.trust or []]
    except OSError as exc:
        raise InvalidInput(f"The file cannot be read ({exc.strerror}).") from None
    with cli.acting(args) as (services, actor):
        verification = services.certificates.verify(actor, pdf, trust or None)
    print(verification.describe(), file=cli.out if verification.ok else cli.err)
    return EXIT_OK if verification.ok else EXIT_REFUSED


def cmd_keys_create(cli: Cli, args: argparse.Namespace) -> int:
    with cli.acting(args) as (services, actor):
        info = services.certificates.create_key(actor)
    print(
        f"Signing key created: {info.subject}, valid until {info.not_after:%d/%m/%Y}, SHA-256 fingerprint "
        f"{info.fingerprint}. Its passphrase is in the OS keyring.",
        file=cli.out,
    )
    return EXIT_OK


def cmd_keys_import(cli: Cli, args: argparse.Namespace) -> int:
    with cli.acting(args) as (services, actor):
        passphrase = (
            cli.stdin.readline().rstrip("\r\n") if args.passphrase_stdin else cli._prompt("PKCS#12 passphrase: ")
        )
        info = services.certificates.import_key(actor, Path(args.file), passphrase)
    print(f"Signing key imported: {info.subject}, valid until {info.not_after:%d/%m/%Y}.", file=cli.out)
    return EXIT_OK


def cmd_report(cli: Cli, args: argparse.Namespace) -> int:
    with cli.acting(args) as (services, actor):
        data = services.reports.progress(actor, ReportFormat(args.format))
    _write(Path(args.out), data)
    print(f"Progress report written: {args.out}", file=cli.out)
    return EXIT_OK


def cmd_deadline(cli: Cli, args: argparse.Namespace) -> int:
    try:
        deadline = parse_date(args.date) if args.date.lower() != "none" else None
    except ValueProblem as exc:
        raise InvalidInput(f"The deadline {exc}.") from None
    with cli.acting(args) as (services, actor):
        services.queues.set_deadline(actor, args.ref, deadline)
    print(f"Deadline of {args.ref}: {deadline.isoformat() if deadline else 'none'}", file=cli.out)
    return EXIT_OK


def cmd_bench(cli: Cli, args: argparse.Namespace) -> int:
    from shielddesk import bench

    figures = bench.run(
        args.children,
        db_url=args.db,
        json_path=Path(args.json) if args.json else None,
        judge_time=not args.no_time_targets,
        search_runs=args.search_runs,
        match_entries=args.entries,
        log=lambda line: print(line, file=cli.out, flush=True),
        keep=Path(args.keep) if args.keep else None,
        gui=not args.no_gui,
    )
    print(bench.summary(figures), file=cli.out)
    return EXIT_OK if all(f.ok is not False for f in figures) else EXIT_REFUSED


def add_certificate_commands(sub: Any, common: argparse.ArgumentParser, lists: Any) -> None:
    p = sub.add_parser("bench", parents=[common], help="measure ShieldDesk at scale on a throwaway database")
    p.add_argument("--children", type=int, default=1_000_000)
    p.add_argument("--entries", type=int, default=2000, help="gatekeeper entries to match")
    p.add_argument("--search-runs", type=int, default=200, help="searches per query kind")
    p.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    p.add_argument("--keep", metavar="DIR", help="build the throwaway database in DIR (new) and leave it there")
    p.add_argument("--no-gui", action="store_true", help="skip the desktop-window figures")
    p.add_argument(
        "--no-time-targets",
        action="store_true",
        help="judge accuracy only (noisy CI machines); times are still printed",
    )
    p.set_defaults(handler=cmd_bench)

    p = sub.add_parser("queues", parents=[common], help="progress, waiting requests, stuck entries, reviews due")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_queues)
    p = lists.add_parser("deadline", parents=[common], help="set a list's deadline (or 'none')")
    p.add_argument("ref")
    p.add_argument("date")
    p.set_defaults(handler=cmd_deadline)

    certificate = sub.add_parser("certificate", help="the signed completion certificate").add_subparsers(
        metavar="ACTION"
    )
    p = certificate.add_parser("readiness", parents=[common], help="what still blocks the certificate")
    p.add_argument("lists", nargs="+", metavar="LIST_REF")
    p.set_defaults(handler=cmd_readiness)
    p = certificate.add_parser("issue", parents=[common], help="issue and sign the certificate — sign-off owner")
    p.add_argument("lists", nargs="+", metavar="LIST_REF")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(handler=cmd_issue)
    p = certificate.add_parser("verify", parents=[common], help="check a certificate's signature and the database")
    p.add_argument("file", metavar="FILE.pdf")
    p.add_argument("--trust", action="append", metavar="CA.pem", help="trust this CA (default: the recorded keys)")
    p.set_defaults(handler=cmd_verify)

    keys = sub.add_parser("keys", help="sign-off owners' signing keys").add_subparsers(metavar="ACTION")
    p = keys.add_parser("create", parents=[common], help="create a key and a self-signed signing certificate")
    p.set_defaults(handler=cmd_keys_create)
    p = keys.add_parser("import", parents=[common], help="import a PKCS#12 issued by the authority's CA")
    p.add_argument("file", metavar="FILE.p12")
    p.add_argument("--passphrase-stdin", action="store_true")
    p.set_defaults(handler=cmd_keys_import)

    report = sub.add_parser("report", help="reports").add_subparsers(metavar="WHAT")
    p = report.add_parser("progress", parents=[common], help="the progress report as PDF or CSV")
    p.add_argument("--format", choices=[f.value for f in ReportFormat], required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(handler=cmd_report)
