"""CLI commands for gatekeeper lists and four-eyes shielding. An entry is named LIST_REF/ENTRY_REF."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shielddesk.domain.errors import ImportRejected, InvalidInput, NotFound
from shielddesk.domain.requests import RequestView
from shielddesk.domain.search import SearchCriteria

if TYPE_CHECKING:
    from shielddesk.cli import Cli

EXIT_OK, EXIT_REFUSED = 0, 1


def _json(cli: Cli, payload: Any) -> None:
    json.dump(payload, cli.out, ensure_ascii=False, indent=2, default=str)
    print(file=cli.out)


def _request_json(view: RequestView) -> dict[str, Any]:
    return {
        "id": view.request_id,
        "kind": view.kind.value,
        "status": view.status.value,
        "cp_id": view.child_cp_id,
        "child": view.child_name,
        "entry": view.entry_name,
        "maker": view.maker,
        "made_at": view.made_at.isoformat(),
        "reason": view.reason,
        "checker": view.checker,
        "checker_note": view.checker_note,
        "can_decide": view.can_decide,
        "cannot_decide_because": view.cannot_decide_because,
    }


def _child_id(services: Any, actor: Any, cp_id: str) -> int:
    page = services.children.search(actor, SearchCriteria(cp_id=cp_id))
    if not page.rows:
        raise NotFound(f"No child with the CP ID {cp_id} is in the index.")
    return int(page.rows[0].child_id)


def cmd_list_import(cli: Cli, args: argparse.Namespace) -> int:
    path = Path(args.file)
    with cli.acting(args) as (services, actor):
        preview = services.lists.preview(actor, path, args.ref)
        if preview.problems:
            raise ImportRejected(list(preview.problems))
        for warning in preview.warnings:
            print(f"warning: {warning}", file=cli.err)
        if preview.diff is None:
            print(f"New list {preview.reference}: {len(preview.entries)} entries.", file=cli.out)
        else:
            diff = preview.diff
            print(
                f"Revised list {preview.reference}: {len(diff.added)} added, {len(diff.changed)} changed, "
                f"{len(diff.withdrawn)} withdrawn, {diff.unchanged} unchanged.",
                file=cli.out,
            )
            for ref in diff.added:
                print(f"  + {ref}", file=cli.out)
            for change in diff.changed:
                kept = " (stays shielded)" if change.status.value == "shielded" else ""
                print(f"  ~ {change.entry_ref}: {', '.join(change.fields)}{kept}", file=cli.out)
            for ref in diff.withdrawn:
                print(f"  - {ref}", file=cli.out)
            if diff.is_empty:
                print("Nothing to change.", file=cli.out)
                return EXIT_OK
            if not args.yes:
                if not cli.stdin.isatty():
                    raise InvalidInput(
                        "A revised list changes existing entries: look at the difference above and "
                        "run again with --yes to apply it."
                    )
                print("Apply these changes? [y/N] ", end="", file=cli.out, flush=True)
                if cli.stdin.readline().strip().lower() not in ("y", "yes"):
                    print("Nothing was changed.", file=cli.out)
                    return EXIT_REFUSED
        services.lists.import_list(actor, path, args.ref, expected_sha256=preview.sha256)
    print(f"List {args.ref} imported.", file=cli.out)
    return EXIT_OK


def cmd_list_show(cli: Cli, args: argparse.Namespace) -> int:
    with cli.acting(args) as (services, actor):
        entries = services.lists.entries(actor, args.ref)
    if args.json:
        _json(
            cli,
            [
                {
                    "entry_ref": e.details.entry_ref,
                    "status": e.status.value,
                    "cp_id": e.child_cp_id or e.details.cp_id,
                    "forenames": e.details.forenames,
                    "surname": e.details.surname,
                    "date_of_birth": e.details.date_of_birth,
                    "note": e.status_note,
                }
                for e in entries
            ],
        )
        return EXIT_OK
    for e in entries:
        born = e.details.date_of_birth.isoformat() if e.details.date_of_birth else "—"
        print(
            f"{e.details.entry_ref:12} {e.status.value:10} {e.child_cp_id or '':13} "
            f"{e.details.surname[:20]:20} {e.details.forenames[:20]:20} {born}",
            file=cli.out,
        )
    return EXIT_OK


def cmd_list_analyse(cli: Cli, args: argparse.Namespace) -> int:
    with cli.acting(args) as (services, actor):
        counts = services.matching.analyse_list(actor, args.ref)
    print(
        f"{counts['candidates']} with candidates, {counts['ambiguous']} ambiguous, "
        f"{counts['no_candidate']} with no plausible candidate.",
        file=cli.out,
    )
    return EXIT_OK


def cmd_match(cli: Cli, args: argparse.Namespace) -> int:
    with cli.acting(args) as (services, actor):
        entry = services.lists.entry(actor, args.entry)
        report = services.matching.match(actor, entry.entry_id)
    if args.json:
        _json(
            cli,
            {
                "entry": report.entry_name,
                "ambiguous": report.ambiguous,
                "weak": report.weak,
                "warnings": list(report.warnings),
                "candidates": [
                    {
                        "cp_id": c.cp_id,
                        "score": c.score,
                        "certain": c.certain,
                        "forenames": c.forenames,
                        "surname": c.surname,
                        "date_of_birth": c.date_of_birth,
                        "shielded": c.shielded,
                        "fields": {
                            cmp.field: {"agreement": cmp.agreement.value, "note": cmp.note} for cmp in c.comparisons
                        },
                    }
                    for c in report.candidates
                ],
            },
        )
        return EXIT_OK
    for warning in report.warnings:
        print(f"WARNING: {warning}", file=cli.out)
    if not report.candidates:
        print("No candidates.", file=cli.out)
    for c in report.candidates:
        verdicts = ", ".join(
            f"{cmp.field} {cmp.agreement.value}{f' ({cmp.note})' if cmp.note else ''}"
            for cmp in c.comparisons
            if cmp.agreement.value != "missing"
        )
        print(
            f"{c.score:3d} {c.cp_id} {c.forenames} {c.surname} {c.date_of_birth.isoformat()}"
            f"{' [shielded]' if c.shielded else ''}\n    {verdicts}",
            file=cli.out,
        )
    return EXIT_OK


def cmd_propose(cli: Cli, args: argparse.Namespace) -> int:
    with cli.acting(args) as (services, actor):
        entry = services.lists.entry(actor, args.entry)
        child_id = _child_id(services, actor, args.child)
        view = services.shielding.propose_shield(actor, entry.entry_id, child_id, cli.step_up(actor), args.reason or "")
    print(
        f"Request {view.request_id}: shield {view.child_cp_id} for {view.entry_name} — waiting for another "
        "operator to check it.",
        file=cli.out,
    )
    return EXIT_OK


def cmd_propose_not_found(cli: Cli, args: argparse.Namespace) -> int:
    with cli.acting(args) as (services, actor):
        entry = services.lists.entry(actor, args.entry)
        view = services.shielding.propose_not_found(actor, entry.entry_id, args.reason, cli.step_up(actor))
    print(f"Request {view.request_id}: {view.entry_name} not found — waiting for another operator.", file=cli.out)
    return EXIT_OK


def cmd_propose_removal(cli: Cli, args: argparse.Namespace) -> int:
    with cli.acting(args) as (services, actor):
        view = services.shielding.propose_removal(
            actor, _child_id(services, actor, args.cp_id), args.reason, cli.step_up(actor)
        )
    print(
        f"Request {view.request_id}: remove the shield of {view.child_cp_id} — waiting for another operator.",
        file=cli.out,
    )
    return EXIT_OK


def cmd_confirm(cli: Cli, args: argparse.Namespace) -> int:
    with cli.acting(args) as (services, actor):
        decision = services.shielding.confirm(actor, args.request_id, cli.step_up(actor), args.note or "")
    print(f"Request {args.request_id} confirmed.", file=cli.out)
    for child in decision.related_unshielded:
        print(
            f"  Not shielded, same address: {child.cp_id} {child.forenames} {child.surname} — decide in the "
            "review queue.",
            file=cli.out,
        )
    return EXIT_OK


def cmd_reject(cli: Cli, args: argparse.Namespace) -> int:
    with cli.acting(args) as (services, actor):
        services.shielding.reject(actor, args.request_id, args.note, cli.step_up(actor))
    print(f"Request {args.request_id} rejected.", file=cli.out)
    return EXIT_OK


def cmd_withdraw(cli: Cli, args: argparse.Namespace) -> int:
    with cli.acting(args) as (services, actor):
        services.shielding.withdraw(actor, args.request_id, cli.step_up(actor))
    print(f"Request {args.request_id} withdrawn.", file=cli.out)
    return EXIT_OK


def cmd_pending(cli: Cli, args: argparse.Namespace) -> int:
    with cli.acting(args) as (services, actor):
        requests = services.requests.pending(actor)
    if args.json:
        _json(cli, [_request_json(r) for r in requests])
        return EXIT_OK
    if not requests:
        print("Nothing is waiting for a checker.", file=cli.out)
    for r in requests:
        mine = "" if r.can_decide else f"  ({r.cannot_decide_because})"
        print(
            f"{r.request_id:6} {r.kind.value:9} {r.child_cp_id or '—':13} {r.entry_name or '—':24} by {r.maker}{mine}",
            file=cli.out,
        )
    return EXIT_OK


def cmd_reviews(cli: Cli, args: argparse.Namespace) -> int:
    with cli.acting(args) as (services, actor):
        items = services.reviews.open_items(actor)
    if args.json:
        _json(cli, [asdict(i) for i in items])
        return EXIT_OK
    for i in items:
        print(
            f"{i.review_id:6} {i.kind.value:9} {i.cp_id} {i.name} (related: {i.related_cp_id} {i.related_name})",
            file=cli.out,
        )
    return EXIT_OK


def add_shielding_commands(sub: Any, common: argparse.ArgumentParser) -> Any:
    """Adds the commands and returns the `list` sub-command group (other modules add to it)."""
    lists = sub.add_parser("list", help="gatekeeper-approved lists").add_subparsers(metavar="ACTION")
    p = lists.add_parser("import", parents=[common], help="import a new or revised list (.csv or .xlsx) — gatekeeper")
    p.add_argument("file")
    p.add_argument("--ref", required=True, help="the list's reference")
    p.add_argument("--yes", action="store_true", help="apply a revised list's difference without asking")
    p.set_defaults(handler=cmd_list_import)
    p = lists.add_parser("show", parents=[common], help="a list's entries with their status")
    p.add_argument("ref")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list_show)
    p = lists.add_parser("analyse", parents=[common], help="run matching over a list's open entries — operator")
    p.add_argument("ref")
    p.set_defaults(handler=cmd_list_analyse)

    p = sub.add_parser("match", parents=[common], help="candidates for LIST_REF/ENTRY_REF — operator")
    p.add_argument("entry")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_match)
    p = sub.add_parser("propose", parents=[common], help="propose shielding a child for an entry — operator (maker)")
    p.add_argument("entry")
    p.add_argument("--child", required=True, metavar="CP_ID")
    p.add_argument("--reason")
    p.set_defaults(handler=cmd_propose)
    p = sub.add_parser("propose-not-found", parents=[common], help="propose that an entry's child is not in the index")
    p.add_argument("entry")
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=cmd_propose_not_found)
    p = sub.add_parser("propose-removal", parents=[common], help="propose removing a child's shield")
    p.add_argument("cp_id")
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=cmd_propose_removal)
    p = sub.add_parser("confirm", parents=[common], help="confirm another operator's request — operator (checker)")
    p.add_argument("request_id", type=int)
    p.add_argument("--note")
    p.set_defaults(handler=cmd_confirm)
    p = sub.add_parser("reject", parents=[common], help="reject another operator's request with a note")
    p.add_argument("request_id", type=int)
    p.add_argument("--note", required=True)
    p.set_defaults(handler=cmd_reject)
    p = sub.add_parser("withdraw", parents=[common], help="withdraw your own pending request")
    p.add_argument("request_id", type=int)
    p.set_defaults(handler=cmd_withdraw)
    p = sub.add_parser("pending", parents=[common], help="requests waiting for a checker")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_pending)
    p = sub.add_parser("reviews", parents=[common], help="open review items (possible duplicates, siblings)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_reviews)
    return lists
